import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.string_insertion import apply_t

TASK = get_task("symbench/string_insertion")


def item_with(original):
    metadata = {"original_string": original}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


# The published sample_104: DEAB, CDEA, BCDE trigger insertions of D, C and B.
ITEM = item_with("DEABACDEAEBCDEE")


def test_operation_t_decides_all_insertions_on_the_original_string():
    assert apply_t("DEABACDEAEBCDEE") == "DEABDACDEACEBCDEBE"
    assert apply_t("ABCDE") == "ABCDAEB"  # overlapping matches: ABCD and BCDE both fire
    assert apply_t("AAAA") == "AAAA"


@pytest.mark.parametrize("answer", ["DEABDACDEACEBCDEBE", " DEABDACDEACEBCDEBE\n", '"DEABDACDEACEBCDEBE"'])
def test_accepts_the_result_with_harmless_formatting(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("DEABACDEAEBCDEE", "has 15 characters"),  # unchanged
        ("DEABDACDEACEBCDEB", "has 17 characters"),  # last insertion missing
        ("DEABDACDEACEBCDBEE", "at character 16"),  # inserted one place too early
        ("deabdacdeacebcdebe", "at character 1"),
    ],
)
def test_rejects_wrong_strings(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "<<<", "X" * 30000, None, 42, ["DEAB"], "ＤＥＡＢ", "\x00"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generator_makes_three_insertions():
    for i in range(30):
        item = TASK.item(i)
        assert len(item["answer"]) == len(item["metadata"]["original_string"]) + 3  # three insertions by default


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 42
