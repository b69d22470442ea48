import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.game24 import Game24Config, Game24Dataset, evaluate, signed_sum

TASK = get_task("symbench/game24")


def item_with(numbers, target=24):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"numbers": numbers, "target": target}}


@pytest.mark.parametrize("answer", ["((10-9)*(11+13))", "((10-9)*(11+13)) = 24", "(13+11)*(10-9)", "(11 + 13) × (10 − 9)"])
def test_accepts_any_valid_expression(answer, grader):
    assert grader.grade(TASK, answer, item_with([9, 10, 11, 13])).correct


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
def test_rejects_invalid_expressions(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with([9, 10, 11, 13]))
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["((10-9)*(11+13)", "", "   ", "__import__('os').system('true')", "1" * 30000, None, 24, "１０"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with([9, 10, 11, 13])).score == 0.0


def test_only_the_exact_target_counts(grader):
    # CodeSteer's published "solution" for this 8-number instance comes within 1e-6 of 24
    numbers, near_miss = [17, 41, 56, 63, 73, 77, 84, 99], "((41+(56/(63*(73*(77*(84+99))))))-17)"
    assert abs(evaluate(near_miss)[0] - 24) < 1e-6
    grade = grader.grade(TASK, near_miss, item_with(numbers))
    assert grade.score == 0.0 and "evaluates to" in grade.reason
    assert grader.grade(TASK, "((73-77)*(((17+41)+(56+63))-(84+99)))", item_with(numbers)).correct


def test_many_numbers_are_solved_by_a_signed_sum():
    numbers = [735, 759, 1202, 1305, 1373, 2158, 2284, 2547, 2678, 2987, 3324, 4495, 5197, 5527, 5943, 6517, 6550,
               7084, 7588, 8400, 9405, 10075, 10979, 11102, 11390, 11973, 12203, 12276, 12702, 13790, 13964, 14196,
               14444, 14815, 16054, 16884, 17074, 17136, 18408, 19936]  # a published 40-number instance
    for extra in ([], [1]):  # the total is odd: a (y-x)*z term fixes the parity; with a 1 it is even
        expression = signed_sum(numbers + extra, 24)
        value, used = evaluate(expression)
        assert value == 24 and sorted(used) == sorted(numbers + extra)
    assert signed_sum([2, 4, 6, 8, 10, 12, 14], 25) is None  # all even: no sum of them is odd


def test_an_unreachable_target_fails_fast_naming_the_task_and_config():
    dataset = Game24Dataset(Game24Config(target=1000, count=2))  # at most 13 * 13 = 169
    with pytest.raises(ValueError, match=r"symbench_game24: no 2 numbers that reach 1000 .*target=1000, count=2"):
        dataset[0]


def test_solver_handles_fraction_puzzles(grader):
    item = item_with([1, 5, 5, 5])  # needs 5*(5-1/5)
    assert grader.grade(TASK, TASK.dataset(0).solve(item["metadata"]), item).correct


@pytest.fixture(scope="module")
def originals(symbench_dir):
    return TASK.load_originals(symbench_dir)


def test_codesteer_instances_load_and_references_pass(originals):
    assert len(originals) > 1000
    with_reference = [o for o in originals if "reference" in o["metadata"]]
    assert with_reference, "the sample's multi-number files carry reference solutions"


def test_inexact_published_solutions_are_data_not_answers(originals, grader):
    inexact = [o for o in originals if "inexact_reference" in o["metadata"]]
    assert len(inexact) >= 35 and {len(o["metadata"]["numbers"]) for o in inexact} >= {8, 40, 60, 80}
    for item in inexact:
        published = item["metadata"]["inexact_reference"]
        assert "reference" not in item["metadata"] and item["answer"] != published
        assert abs(evaluate(published)[0] - 24) < 1e-6, item["id"]
        assert grader.grade(TASK, published, item).score == 0.0, item["id"]
        assert grader.grade(TASK, item["answer"], item).score == 1.0, item["id"]
