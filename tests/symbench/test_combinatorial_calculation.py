import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.combinatorial_calculation import solve_numbers

TASK = get_task("symbench/combinatorial_calculation")


def item_with(numbers, target):
    metadata = {"numbers": numbers, "target": target}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with([3, 8, 6, 9, 2], 78)  # the published sample_103: (3+8/6)*9*2, exact only with fractions
SMALL = item_with([7, 4, 1, 3], 24)  # published as 7*(4-1)+3


@pytest.mark.parametrize(
    "answer",
    [
        "[(, 3, +, 8, /, 6, ), *, 9, *, 2]",
        '["(", "3", "+", "8", "/", "6", ")", "*", "9", "*", "2"]',
        "[(3, +, 8, /, 6), *, 9, *, 2]",
        "(3+8/6)*9*2",
        "[(3 + 8 ÷ 6) × 9 × 2]",
        "[(, (, 3, +, (, 8, /, 6, ), ), ), *, 9, *, 2]",
    ],
)
def test_accepts_the_expression_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize("answer", ["[7, *, (, 4, -, 1, ), +, 3]", "[7, *, 4, -, 1, -, 3]", "7*4-(1+3)"])
def test_accepts_every_valid_expression(answer, grader):
    assert grader.grade(TASK, answer, SMALL).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("[3, +, 8, /, 6, *, 9, *, 2]", "evaluates to 27, not 78"),
        ("[(, 8, +, 3, /, 6, ), *, 9, *, 2]", "the order must stay"),
        ("[(, 3, +, 8, /, 6, ), *, 9, *, 2, *, 1]", "exactly once"),
        ("[(, 3, +, 8, /, 6, ), *, 9]", "exactly once"),
        ("[(, 3, +, 8, /, 6, ), *, 92]", "exactly once"),
        ("[(, 3, +, 8, /, 6, ), *, 9, *, 2, )]", "unexpected ')'"),
        ("[(, 3, +, 8, /, 6, *, 9, *, 2]", "unbalanced parentheses"),
        ("[(, 3, +, 8, /, 6, ), *, 9, 2]", "unexpected '2'"),
        ("[(, 3, +, 8, /, 6, ), *, 9, *, -, 2]", "expected a number"),
        ("[(, 3, +, 8, /, 6, ), *, 9, **, 2]", "expected a number"),
        ("[4, -, (, 6, , 9, )]", "empty element"),
        ("[(, 3, +, 8, /, 6, ), *, 9, ^, 2]", "unexpected symbol"),
        ("[3, /, (, 8, -, 8, ), *, 9, *, 2]", "division by zero"),
    ],
)
def test_rejects_invalid_expressions(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


def test_rejects_a_division_by_zero_in_a_valid_looking_answer(grader):
    grade = grader.grade(TASK, "[3, /, (, 8, -, 6, -, 2, ), +, 9]", item_with([3, 8, 6, 2, 9], 9))
    assert grade.score == 0.0 and "division by zero" in grade.reason


@pytest.mark.parametrize("answer", ["[(, 3, +, 8, /, 6, ), *, 9, *, 2", "", "   ", "(" * 20000, "(" * 250 + "3",
                                    "[" + "(, " * 3000 + "3]", None, 78, "[３, +, ８]", "__import__('os')", "[" * 5000])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_solver_finds_fraction_solutions_and_keeps_the_order(grader):
    tokens = solve_numbers([3, 8, 6, 9, 2], 78)
    assert [t for t in tokens if t.isdigit()] == ["3", "8", "6", "9", "2"]
    assert grader.grade(TASK, "[" + ", ".join(tokens) + "]", ITEM).correct
    assert solve_numbers([1, 1, 1], 10) is None


def test_codesteer_instances_load_and_references_pass(symbench_dir, grader):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 85
    assert any(len(o["metadata"]["numbers"]) == 20 for o in originals)  # the varied-complexity folders
    small = [o for o in originals if len(o["metadata"]["numbers"]) <= 6][:10]
    for item in small:  # the solver, not the reference
        solved = TASK.dataset(0).solve({"numbers": item["metadata"]["numbers"], "target": item["metadata"]["target"]})
        assert grader.grade(TASK, solved, item).score == 1.0, item["id"]
