import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/standard_sudoku")

SOLUTION = [  # CodeSteer's sample_1
    [9, 5, 1, 2, 3, 4, 6, 8, 7],
    [7, 4, 2, 8, 6, 9, 1, 3, 5],
    [8, 6, 3, 1, 5, 7, 2, 9, 4],
    [1, 2, 9, 5, 7, 8, 4, 6, 3],
    [3, 7, 6, 4, 9, 2, 8, 5, 1],
    [4, 8, 5, 6, 1, 3, 7, 2, 9],
    [5, 3, 4, 7, 2, 6, 9, 1, 8],
    [6, 1, 8, 9, 4, 5, 3, 7, 2],
    [2, 9, 7, 3, 8, 1, 5, 4, 6],
]
PUZZLE = [[v if (r * 9 + c) % 3 == 0 else 0 for c, v in enumerate(row)] for r, row in enumerate(SOLUTION)]
EMPTY = [[0] * 9 for _ in range(9)]


def item_with(puzzle=PUZZLE):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"puzzle": puzzle}}


def lines(grid):
    return "\n".join(",".join(map(str, row)) for row in grid)


@pytest.mark.parametrize(
    "answer",
    [lines(SOLUTION), str(SOLUTION), lines(SOLUTION).replace(",", " "), "\n" + lines(SOLUTION) + "\n\n"],
)
def test_accepts_the_solution_in_any_matrix_style(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


def test_accepts_any_valid_completion(grader):
    only_first_row = [SOLUTION[0]] + EMPTY[1:]
    swapped = [SOLUTION[0], SOLUTION[2], SOLUTION[1]] + SOLUTION[3:]  # rows 2 and 3 swap within their band
    assert grader.grade(TASK, lines(SOLUTION), item_with(only_first_row)).correct
    assert grader.grade(TASK, lines(swapped), item_with(only_first_row)).correct


def test_rejects_invalid_grids_with_the_reason(grader):
    latin = [[(r + c) % 9 + 1 for c in range(9)] for r in range(9)]  # rows and columns fine, boxes not
    grade = grader.grade(TASK, lines(latin), item_with(EMPTY))
    assert grade.score == 0.0 and "3x3 box 1 repeats" in grade.reason

    broken_row = [row[:] for row in SOLUTION]
    broken_row[4][0] = broken_row[4][1]
    grade = grader.grade(TASK, lines(broken_row), item_with(EMPTY))
    assert grade.score == 0.0 and "row 5 repeats 7" in grade.reason

    relabelled = [[{1: 2, 2: 1}.get(v, v) for v in row] for row in SOLUTION]  # a valid sudoku, other givens
    grade = grader.grade(TASK, lines(relabelled), item_with())
    assert grade.score == 0.0 and "changes the given" in grade.reason


@pytest.mark.parametrize(
    "answer, reason",
    [
        (lines(SOLUTION[:8]), "expected 9 rows, got 8"),
        (lines(SOLUTION).replace("9,5,1", "9,5,1,1", 1), "row 1 has 10 entries"),
        (lines(SOLUTION).replace("9,5,1", "9,x,1", 1), "not a digit 1-9"),
        (lines(SOLUTION).replace("9,5,1", "9,0,1", 1), "not a digit 1-9"),
        (str(SOLUTION)[:-1], "unbalanced brackets"),
    ],
)
def test_rejects_malformed_grids_with_the_reason(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "[[", "1" * 30000, "9" * 81, None, 42, "１２３", "a 9*9 matrix"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_generator_blanks_51_to_55_cells_and_varies():
    items = [TASK.item(i) for i in range(30)]
    for item in items:
        assert 51 <= sum(v == 0 for row in item["metadata"]["puzzle"] for v in row) <= 55
    assert len({item["question"] for item in items}) == 30  # random full grids: every question differs


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.standard_sudoku import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 36
    for item in originals:
        assert render(item["metadata"]["puzzle"]) == item["question"], item["id"]
