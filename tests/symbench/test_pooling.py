import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/pooling")

MATRIX = [[1, 3, 8], [13, -7, 4], [-1, -9, -4]]  # CodeSteer's sample_12


def item_with(matrix=MATRIX, window=2, pooling_type="max"):
    metadata = {"matrix": matrix, "window_size": window, "pooling_type": pooling_type}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize("answer", ["13,8,13,4", "13, 8, 13, 4", "[[13, 8], [13, 4]]", "13 8\n13 4", "13.0, 8, 13, 4"])
def test_accepts_max_pooling_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


@pytest.mark.parametrize("answer", ["2.5,2,-1,-4", "2.50, 2.0, -1, -4.00", "[[5/2, 2], [-1, -4]]"])
def test_accepts_exact_averages(answer, grader):
    assert grader.grade(TASK, answer, item_with(pooling_type="average")).correct


def test_averages_within_two_decimals_pass_and_cruder_ones_fail(grader):
    item = item_with([[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, 1], [2, 2, 2, 2]], window=3, pooling_type="average")
    assert TASK.dataset(0).solve(item["metadata"]) == "2.6667,3.4444,2.6667,3.1111"  # 24/9, 31/9, 24/9, 28/9
    assert grader.grade(TASK, "2.67, 3.44, 2.67, 3.11", item).correct
    assert grader.grade(TASK, "2.66, 3.44, 2.66, 3.11", item).correct  # truncated
    grade = grader.grade(TASK, "2.67, 3.4, 2.67, 3.1", item)
    assert grade.score == 0.0 and "row 0, column 1" in grade.reason


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("13,8,13,5", "wrong value 5 at row 1, column 1"),
        ("13,13,13,13", "wrong value 13 at row 0, column 1"),
        ("13,8,13", "expected 4 values, got 3"),
        ("13,8,13,4,0", "expected 4 values, got 5"),
        ("13,eight,13,4", "is not a number"),
        ("[[13, 8], [13, 4]", "unbalanced brackets"),
    ],
)
def test_rejects_wrong_pooled_matrices(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize(
    "answer", ["", "   ", "1/0,8,13,4", "nan,nan,nan,nan", "1" * 30000, "9" * 5000, None, 13, "１３,8,13,4✓"]
)
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_generator_mixes_max_and_average():
    assert {TASK.item(i)["metadata"]["pooling_type"] for i in range(30)} == {"max", "average"}


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.pooling import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 47
    for item in originals:
        meta = item["metadata"]
        assert render(meta["matrix"], meta["window_size"], meta["pooling_type"]) == item["question"], item["id"]
