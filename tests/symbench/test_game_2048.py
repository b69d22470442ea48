import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.game_2048 import walk

TASK = get_task("symbench/game_2048")


def item_with(grid, moves, start):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "",
            "metadata": {"grid": grid, "moves": moves, "start_pos": start}}


# The published sample_1: the 8 at (1, 1) walks down, then right into the 16 and stays (different number).
ITEM = item_with([[8, 32], [0, 16]], "dr", [0, 0])


def test_walk_slides_merges_and_stops_like_codesteer():
    assert walk([[8, 32], [0, 16]], [0, 0], "dr") == [[0, 32], [8, 16]]
    assert walk([[2, 2], [0, 0]], [0, 0], "rd") == [[0, 0], [0, 4]]  # merges, then the merged tile walks on
    assert walk([[2, 4], [0, 0]], [0, 0], "ul") == [[2, 4], [0, 0]]  # the edge stops it
    assert walk([[4, 4, 8]] + [[0] * 3] * 2, [0, 0], "rr") == [[0, 0, 16], [0, 0, 0], [0, 0, 0]]


@pytest.mark.parametrize("answer", ["0, 32\n8, 16", "0, 32, 8, 16", "[[0, 32], [8, 16]]", "0 32\n8 16",
                                    " 0,32 ;\n 8,16 "])
def test_accepts_the_grid_in_common_layouts(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("8, 32\n0, 16", "2 cells differ from the matrix after the moves (first at row 1, column 1)"),
        ("0, 32\n16, 8", "2 cells differ"),
        ("0, 32, 8", "must have 4 numbers (2x2), found 3"),
        ("0, 32, 8, 16, 0", "found 5"),
        ("0, 32, 8, sixteen", "must be numbers"),
        ("0, 32, 8, 16.0", "must be numbers"),
        ("0, 32, 8, -16", "must be numbers"),
    ],
)
def test_rejects_wrong_grids(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


@pytest.mark.parametrize("answer", ["", "  ", None, 16, "[[0, 32], [8, 16]", "0, 32, 8, " + "1" * 5000,
                                    "０, ３２, ８, １６", "x" * 30000])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 52
    for item in originals:
        assert item["question"].endswith("Return your answer with format <<<matrix>>>.")
