import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/logical_equation")


def item_with(numbers, equations):
    metadata = {"numbers": numbers, "equations": equations}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


# The published sample_11_10_0; its reference is [3, 80, 36, 48, 9, 75, 27, 225, 121, 150, 16].
PUBLISHED = item_with(
    [3, 9, 16, 27, 36, 48, 75, 80, 121, 150, 225],
    ["C + J = 186", "H = 3.0F", "C - B = -44", "E + H = 234", "E + I = 130", "I - J = -29", "D + E = 57",
     "K - B = -64", "C + D = 84", "B - G = 53"],
)
# Two solutions: A + B = 5 with B = 2.0C leaves {A, B, C, D} = {1, 4, 2, 3} or {3, 2, 1, 4}.
OPEN = item_with([1, 2, 3, 4], ["A + B = 5", "B = 2.0C", "D > C"])


@pytest.mark.parametrize("answer", [
    "[3, 80, 36, 48, 9, 75, 27, 225, 121, 150, 16]",
    "[3,80,36,48,9,75,27,225,121,150,16]",
    "(3, 80, 36, 48, 9, 75, 27, 225, 121, 150, 16.0)",
])
def test_accepts_the_solution_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, PUBLISHED).correct


@pytest.mark.parametrize("answer", ["[1, 4, 2, 3]", "[3, 2, 1, 4]"])
def test_accepts_every_valid_assignment(answer, grader):
    assert grader.grade(TASK, answer, OPEN).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("[1, 4, 2, 2]", "exactly once"),
        ("[1, 4, 2, 5]", "exactly once"),
        ("[4, 1, 2, 3]", "equation 2 (B = 2.0C)"),
        ("[1, 4, 3, 2]", "equation 2"),
        ("[3, 2, 4, 1]", "equation 2"),
        ("[2, 3, 4, 1]", "equation 2"),
        ("[1, 4, 2]", "expected 4 values"),
        ("[1, 4, 2.5, 3]", "whole numbers"),
        ("['1', '4', '2', '3']", "whole numbers"),
    ],
)
def test_rejects_wrong_assignments(answer, reason, grader):
    grade = grader.grade(TASK, answer, OPEN)
    assert grade.score == 0.0 and reason in grade.reason


def test_rejects_a_comparison_that_fails(grader):
    grade = grader.grade(TASK, "[1, 2, 3, 4]", item_with([1, 2, 3, 4], ["D > A", "B > C"]))
    assert grade.score == 0.0 and "equation 2 (B > C)" in grade.reason


@pytest.mark.parametrize("answer", ["[1, 4, 2, 3", "", "   ", "A=1, B=4, C=2, D=3", "[1, 4, 2, 3]" * 2000, "[" * 5000,
                                    None, 1423, "[１, ４, ２, ３]", "[nan, 4, 2, 3]", "[1e999, 4, 2, 3]"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, OPEN).score == 0.0


def test_solver_handles_puzzles_with_several_solutions(grader):
    assert grader.grade(TASK, TASK.dataset(0).solve(OPEN["metadata"]), OPEN).correct
    assert grader.grade(TASK, TASK.dataset(0).solve(PUBLISHED["metadata"]), PUBLISHED).correct


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 39
