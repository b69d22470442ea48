import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/eight_queens")

REFERENCE = "2 3, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 2"  # CodeSteer's eight_queens_dataset/sample_1
OTHER = "0 2, 1 5, 2 3, 3 0, 4 7, 5 4, 6 6, 7 1"  # another completion around the given queen at (2, 3)


def item_with(placed=([2, 3],), blocked=(), n=8):
    metadata = {"board_size": n, "placed_queens": [list(q) for q in placed],
                "blocked_positions": [list(b) for b in blocked]}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize(
    "answer",
    [
        REFERENCE,
        OTHER,
        "0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 2",  # only the queens added to the board
        "[(2, 3), (0, 0), (1, 6), (3, 5), (4, 7), (5, 1), (6, 4), (7, 2)]",
        "[[2,3],[0,0],[1,6],[3,5],[4,7],[5,1],[6,4],[7,2]]",
        "[2 3, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 2]",
    ],
)
def test_accepts_any_valid_completion_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


@pytest.mark.parametrize(
    "answer, item, reason",
    [
        (OTHER, item_with(blocked=[[0, 2]]), "blocked cell (0, 2)"),
        ("2 3, 0 0, 1 1, 3 5, 4 7, 5 6, 6 4, 7 2", item_with(), "attack each other"),
        # leaves out the given queen, which attacks one of the listed ones
        ("0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 2", item_with(placed=[[2, 4]]), "attack each other"),
        ("2 3, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4", item_with(), "7 queens on the board, expected 8"),
        ("2 3, 0 0, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 2", item_with(), "listed twice"),
        ("2 3, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 7 8", item_with(), "outside the 8x8 grid"),
        ("2 3, 0 0, 1 6, 3 5, 4 7, 5 1, 6 4, 72", item_with(), "two integers"),
        ("[(2, 3), (0, 0), (1, 6)", item_with(), "unbalanced brackets"),
    ],
)
def test_rejects_invalid_placements_with_the_reason(answer, item, reason, grader):
    grade = grader.grade(TASK, answer, item)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "((", "0 0, " * 5000, None, 8, "０ ０", "no valid solution found"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_larger_boards_need_n_queens(grader):
    item = item_with(placed=[], n=10)
    assert grader.grade(TASK, TASK.dataset(0).solve(item["metadata"]), item).correct
    assert "8 queens on the board, expected 10" in grader.grade(TASK, REFERENCE, item).reason


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.eight_queens import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 188  # four folders, boards of 8 to 14
    assert {item["metadata"]["board_size"] for item in originals} == {8, 10, 12, 14}
    for item in originals:
        meta = item["metadata"]
        if not ("varied_complexity" in item["id"] and meta["board_size"] == 8):  # that one says "8 queens"
            assert render(meta["board_size"], meta["placed_queens"], meta["blocked_positions"]) == item["question"]
