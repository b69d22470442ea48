"""The learning study's own checks: which test tasks a trained program already solves, and the majority answer."""

from r1ci.study import majority_outcomes, near_trained
from r1ci.tasks import get_task


def test_a_test_task_that_a_train_program_solves_is_near_trained(sandbox, grader):
    """rg/chain_sum is a subset of rg/basic_arithmetic: the latter's programs solve every chain_sum item; no
    trained program solves rg/gcd, and a writer that cannot read an item is skipped, not an error."""
    found = near_trained(["rg/basic_arithmetic", "symbench/number_multiply"], ["rg/chain_sum", "rg/gcd"],
                         sandbox, grader, per_task=6)
    assert found["rg/chain_sum"] == {"solved_by": "rg/basic_arithmetic", "program": found["rg/chain_sum"]["program"],
                                     "share": 1.0, "near_trained": True}
    assert found["rg/gcd"]["share"] < 0.5 and not found["rg/gcd"]["near_trained"]


def test_the_majority_answer_is_drawn_from_other_questions(grader):
    booleans, products = get_task("bbh/boolean_expressions"), get_task("symbench/number_multiply")
    items = booleans.items(40, seed=3) + products.items(20, seed=3)
    outcomes, answers = majority_outcomes(items, grader)
    assert answers["bbh/boolean_expressions"] in ("True", "False") and set(outcomes) == {i["id"] for i in items}
    expected = sum(i["answer"] == answers["bbh/boolean_expressions"] for i in items[:40])
    assert sum(outcomes[i["id"]] for i in items[:40]) == expected > 10
    assert sum(outcomes[i["id"]] for i in items[40:]) == 0  # products differ: no one answer fits them
