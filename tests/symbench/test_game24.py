import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/game24")


def item_with(numbers, target=24):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"numbers": numbers, "target": target}}


@pytest.mark.parametrize("answer", ["((10-9)*(11+13))", "((10-9)*(11+13)) = 24", "(13+11)*(10-9)", "(11 + 13) × (10 − 9)"])
def test_accepts_any_valid_expression(answer):
    assert TASK.grade(answer, item_with([9, 10, 11, 13])).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("(10-9)*(11+13)*1", "exactly once"),  # an extra number
        ("(11+13)*(10/10)", "exactly once"),  # uses 10 twice, 9 never
        ("(10+9)+(11+13)", "evaluates to 43"),
        ("((10-9)*(11+13)) = 25", "not the target"),
        ("(10-9)**(11+13)", "only integers"),
        ("24", "exactly once"),
        ("(10-10)/(9-9)+24", "division by zero"),
    ],
)
def test_rejects_invalid_expressions(answer, reason):
    grade = TASK.grade(answer, item_with([9, 10, 11, 13]))
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["((10-9)*(11+13)", "", "   ", "__import__('os').system('true')", "1" * 30000, None, 24, "１０"])
def test_malformed_answers_score_zero_without_raising(answer):
    assert TASK.score(answer, item_with([9, 10, 11, 13])) == 0.0


def test_solver_handles_fraction_puzzles():
    item = item_with([1, 5, 5, 5])  # needs 5*(5-1/5)
    assert TASK.grade(TASK.dataset(0).solve(item["metadata"]), item).correct


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) > 1000
    with_reference = [o for o in originals if "reference" in o["metadata"]]
    assert with_reference, "the sample's multi-number files carry reference solutions"
