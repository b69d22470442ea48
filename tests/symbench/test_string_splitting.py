import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.string_splitting import split

TASK = get_task("symbench/string_splitting")


def item_with(a, b, c):
    metadata = {"initial_counts": {"A": a, "B": b, "C": c}}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with(2, 2, 3)  # the published sample_0: ["0", "0", "1", "2", "0", "3"]


def test_methods_run_one_at_a_time_in_cyclic_order():
    assert split({"A": 2, "B": 2, "C": 3}) == [0, 0, 1, 2, 0, 3]
    assert split({"A": 5, "B": 7, "C": 6}) == [0, 1, 0, 7, 0, 9]  # the published sample_150
    assert split({"A": 0, "B": 1, "C": 0}) == [0, 1, 0, 0, 0, 0]  # nothing can run


@pytest.mark.parametrize("answer", ['["0", "0", "1", "2", "0", "3"]', "['0','0','1','2','0','3']", "[0, 0, 1, 2, 0, 3]",
                                    "0 0 1 2 0 3", "0, 0, 1, 2, 0, 3", '[" 0", "0 ", "1", "2", "0", "3"]'])
def test_accepts_the_six_counts_as_a_list_or_plain_numbers(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ('["0", "0", "1", "2", "0", "4"]', "wrong count for Z"),
        ('["2", "0", "3", "0", "0", "3"]', "wrong count for A, C, X"),  # X, Y, Z order mixed up with A, B, C
        ('["0", "0", "1", "2", "0"]', "expected 6 counts"),
        ('["0", "0", "1", "2", "0", "-3"]', "not a non-negative integer"),
        ('["0", "0", "1", "2", "0", "3.0"]', "not a non-negative integer"),
        ('[0, 0, 1, 2, 0, True]', "not a non-negative integer"),
        ('["0", "0", "1", "2", "0", "3"', "not a valid list"),
        ('{"A": 0}', "expected 6 counts"),
    ],
)
def test_rejects_wrong_or_malformed_counts(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize(
    "answer", ["", "   ", "[" * 5000 + "]" * 5000, "[1]" * 7000, None, 0, ("0",) * 6, "０ ０ １ ２ ０ ３"]
)
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 51
