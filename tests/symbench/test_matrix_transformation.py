import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/matrix_transformation")

MATRIX = [["H", "Q", "O"], ["P", "S", "R"]]  # rotated clockwise: P H / S Q / R O


def item_with(matrix=MATRIX):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"matrix": matrix}}


@pytest.mark.parametrize(
    "answer",
    ["P,H,S,Q,R,O", "P, H, S, Q, R, O", "[['P', 'H'], ['S', 'Q'], ['R', 'O']]", '["P","H","S","Q","R","O"]', "P H\nS Q\nR O"],
)
def test_accepts_the_rotation_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


def test_symbols_and_digits(grader):
    item = item_with([["*", "#"], ["1", "&"]])
    assert grader.grade(TASK, "1,*,&,#", item).correct
    assert not grader.grade(TASK, "*,#,1,&", item).correct  # the matrix itself


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("O,R,Q,S,H,P", "wrong value 'O' at row 0, column 0"),  # rotated counter-clockwise
        ("H,P,Q,S,O,R", "wrong value 'H' at row 0, column 0"),  # transposed
        ("P,H,S,Q,R,o", "wrong value 'o' at row 2, column 1"),  # case matters
        ("P,H,S,Q,R", "expected 6 values, got 5"),
        ("PHSQRO", "expected 6 values, got 1"),
        ("[[P, H], [S, Q], [R, O]", "unbalanced brackets"),
    ],
)
def test_rejects_wrong_rotations(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "((((", "P," * 20000, None, 7, "Ｐ,Ｈ,Ｓ,Ｑ,Ｒ,Ｏ"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.matrix_transformation import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 57
    for item in originals:
        assert render(item["metadata"]["matrix"]) == item["question"], item["id"]
