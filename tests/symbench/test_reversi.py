import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/reversi")

OPENING = ["****", "*10*", "*01*", "****"]


def item_with(board, moves):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"board": board, "moves": moves}}


# Black plays (1,2), flipping (2,2); white answers (1,1), flipping it back along the diagonal.
ITEM = item_with(OPENING, [[1, 2], [1, 1]])
AFTER = "1,0,*,*,*,1,0,*,*,0,1,*,*,*,*,*"


@pytest.mark.parametrize("answer", [AFTER, "1, 0, *, *, *, 1, 0, *, *, 0, 1, *, *, *, *, *", "10**\n*10*\n*01*\n****",
                                    "['1','0','*','*','*','1','0','*','*','0','1','*','*','*','*','*']",
                                    "[[1, 0, *, *], [*, 1, 0, *], [*, 0, 1, *], [*, *, *, *]]"])
def test_accepts_the_board_in_common_layouts(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


def test_one_move_flips_the_enclosed_piece(grader):
    assert grader.grade(TASK, "*,0,*,*,*,0,0,*,*,0,1,*,*,*,*,*", item_with(OPENING, [[1, 2]])).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("*,0,*,*,*,0,0,*,*,0,1,*,*,*,*,*", "2 cells differ from the board after the moves (first at row 1, column 1)"),
        ("*,*,*,*,*,1,0,*,*,0,1,*,*,*,*,*", "2 cells differ"),  # the board before the moves
        ("1,0,*,*,*,1,0,*,*,0,1,*,*,*,*", "must have 16 cells, found 15"),
        ("1,0,2,*,*,1,0,*,*,0,1,*,*,*,*,*", "may only contain 0, 1 and *"),
        ("B,W,*,*,*,B,W,*,*,W,B,*,*,*,*,*", "may only contain 0, 1 and *"),
    ],
)
def test_rejects_wrong_boards(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


@pytest.mark.parametrize("answer", ["", "   ", None, 1, "[[1, 0]", "*" * 30000,
                                    "１,０,*,*,*,１,０,*,*,０,１,*,*,*,*,*"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generated_questions_show_the_start_board():
    for i in range(30):
        item = TASK.item(i)
        assert item["metadata"]["board"][0] in item["question"]  # the shown board is the one the moves start from


def test_codesteer_instances_load_and_references_pass(symbench_dir, grader):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 49
    for item in originals:
        reference = item["metadata"]["reference"]
        assert grader.grade(TASK, reference, item).score == 1.0, item["id"]
        # CodeSteer's questions show the board after the moves as "the previous round" (see reversi.py)
        n = round(len(reference.split(",")) ** 0.5)
        cells = reference.split(",")
        shown = "\n".join("".join(cells[r * n:(r + 1) * n]) for r in range(n))
        assert f"The previous round of the game was: \n{shown}\n" in item["question"], item["id"]
