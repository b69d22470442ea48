"""veRL's reward function (issue 12, finding 9): veRL's call shapes, and only model-written answers count."""

import pytest

from r1ci import protocol
from r1ci.sandbox import Result
from r1ci.tasks import get_task
from r1ci.tasks.export import compute_score, verl_row


@pytest.fixture(scope="module")
def row():
    return verl_row(get_task("rg/gcd").items(1)[0], "train", 0)


def score(row, text: str) -> float:
    return compute_score(row["data_source"], text, row["reward_model"]["ground_truth"], row["extra_info"])


def ran(code: str, printed: str) -> str:
    """A model turn that ends with a code block, and the interpreter's results, as a flat transcript."""
    return f"Let me compute it.\n```python\n{code}\n```\n" + protocol.tool_text(Result(stdout=printed, exit_code=0))


def test_takes_the_keywords_verl_passes(row):
    truth = row["reward_model"]["ground_truth"]
    assert compute_score(data_source=row["data_source"], solution_str=f"<<<{truth}>>>", ground_truth=truth,
                         extra_info=row["extra_info"], reward_router_address="127.0.0.1:9",
                         reward_model_tokenizer=None, lcpo={"alpha": 1.0}) == 1.0


def test_answers_in_code_or_its_output_do_not_count(row):
    truth = row["reward_model"]["ground_truth"]
    printing = f"print('<<<{truth}>>>')"
    assert score(row, f"```python\n{printing}\n```") == 0.0
    assert score(row, ran(printing, f"<<<{truth}>>>\n")) == 0.0
    assert score(row, ran(printing, f"<<<{truth}>>>\n") + "Done.") == 0.0
    assert score(row, ran(printing, f"<<<{truth}>>>\nCode Execution Results:\n<<<{truth}>>>\n")) == 0.0


def test_the_models_own_answer_counts(row):
    truth = row["reward_model"]["ground_truth"]
    results = ran(f"print({truth})", f"{truth}\n")
    assert score(row, results + f"The script prints {truth}, so the answer is <<<{truth}>>>") == 1.0
    assert score(row, results + f"The computation gives {truth}.\n<<<{truth}>>>") == 1.0
    assert score(row, f"It is <<<{truth}>>>\n```python\nprint(1)\n```\n" + protocol.EMPTY_CODE) == 1.0


@pytest.mark.parametrize("extra_info", [None, {}, {"num_turns": 2, "rollout_reward_scores": {}}])
def test_missing_extra_info_is_an_error_that_says_what_to_do(row, extra_info):
    with pytest.raises(ValueError, match=r"extra_info lacks id and metadata.*r1ci tasks export --format verl"):
        compute_score(row["data_source"], "<<<1>>>", row["reward_model"]["ground_truth"], extra_info)
