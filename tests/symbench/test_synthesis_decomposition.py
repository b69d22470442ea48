import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.synthesis_decomposition import BOOKS

TASK = get_task("symbench/synthesis_decomposition")


def item_with(level, initial_state):
    methods = [{"input": dict(inputs), "output": dict(outputs)} for inputs, outputs in BOOKS[level - 1][1]]
    metadata = {"initial_state": initial_state, "methods": methods}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize(
    "level, initial_state, expected",
    [
        # Method 1 (A+B -> X) leaves 3 A, 2 B; method 2 (3A -> 2X) leaves 0 A: nothing applies any more.
        (1, {"A": 4, "B": 3}, "[0, 2, 3]"),
        # Cycle 1 runs methods 1, 2, 3 (A3 B2 C1 X1, A2 B1 C3, C1 X2); cycle 2 runs method 1 only.
        (2, {"A": 4, "B": 3, "C": 2}, "[1, 0, 0, 3]"),
        (3, {"A": 7, "B": 3, "C": 4}, "[0, 0, 0, 0, 4]"),  # CodeSteer's sample_100
    ],
)
def test_runs_the_cycle(level, initial_state, expected, grader):
    item = item_with(level, initial_state)
    assert TASK.dataset(0).solve(item["metadata"]) == expected
    assert grader.grade(TASK, expected, item).correct


@pytest.mark.parametrize("answer", ["[0, 2, 3]", "0,2,3", '["0", "2", "3"]', "[0 2 3]"])
def test_accepts_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, item_with(1, {"A": 4, "B": 3})).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("[0, 2, 4]", "wrong amount of product X: 4"),
        ("[1, 2, 3]", "wrong amount of crop A: 1"),
        ("[0, 2, 0, 3]", "expected 3 values, got 4"),  # a C that this farm does not grow
        ("[0, 2, 3.0]", "is not a whole number"),
        ("[0, 2, three]", "is not a whole number"),
        ("[0, 2, 3", "unbalanced brackets"),
    ],
)
def test_rejects_wrong_amounts(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with(1, {"A": 4, "B": 3}))
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "[]", "[0, 2, " + "9" * 30000 + "]", None, 3, "[０, ２, ３✓]"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with(1, {"A": 4, "B": 3})).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.synthesis_decomposition import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 54
    assert {len(item["metadata"]["methods"]) for item in originals} == {2, 3, 4}  # all three recipe books
    for item in originals:
        assert render(item["metadata"]) == item["question"], item["id"]  # the methods were parsed faithfully
