import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.string_synthesis import synthesize

TASK = get_task("symbench/string_synthesis")


def item_with(a, b, c):
    metadata = {"A_count": a, "B_count": b, "C_count": c}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with(5, 3, 4)  # the published sample_11: 2 0 1 3 0 0 0 0 0


def test_each_method_is_used_as_often_as_it_can_before_the_next():
    assert synthesize(5, 3, 4) == [2, 0, 1, 3, 0, 0, 0, 0, 0]
    # Method 1 three times, then 4 once; 5 then pairs the {A}s with that {C} once.
    assert synthesize(3, 3, 5) == [0, 0, 0, 2, 0, 0, 1, 1, 0]


@pytest.mark.parametrize("answer", ["2 0 1 3 0 0 0 0 0", " 2 0 1 3 0 0 0 0 0 ", "2, 0, 1, 3, 0, 0, 0, 0, 0",
                                    "[2, 0, 1, 3, 0, 0, 0, 0, 0]", "201300000", "[201300000]"])
def test_accepts_the_nine_counts_in_common_layouts(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("2 0 1 3 0 0 0 0 1", "wrong count for (C)"),
        ("0 0 0 3 0 0 0 0 0", "wrong count for [A], [C]"),
        ("2 0 1 3 0 0 0 0", "expected 9 numbers, got 8"),
        ("2 0 1 3 0 0 0 0 0 0", "expected 9 numbers, got 10"),
        ("2 0 1 3 0 0 0 0 -0", "non-negative integer"),
        ("2 0 1 3 0 0 0 0 0.0", "non-negative integer"),
        ("201300001", "wrong count for (C)"),  # run together: nine one-digit counts
        ("20130000", "expected 9 numbers, got 1"),  # eight digits run together are not nine counts
        ("2013000000", "expected 9 numbers, got 1"),
    ],
)
def test_rejects_wrong_counts(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize(
    "answer",
    ["", " ", "[[[", "9 " * 10000, "9" * 19000, None, 201300000, [2, 0, 1], "２ ０ １ ３ ０ ０ ０ ０ ０"],
)
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 48
