import json

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.rg import rg_seed, solve_rush_hour


def test_seeds_give_disjoint_streams():
    task = get_task("rg/gcd")
    assert rg_seed("gcd", 0) != rg_seed("gcd", 1) != rg_seed("lcm", 0)
    a = [task.item(i, 0)["question"] for i in range(20)]
    b = [task.item(i, 1)["question"] for i in range(20)]
    assert len(set(a) & set(b)) <= 2  # a shared seed would share 19 of 20


def test_index_past_the_stream_is_a_clear_error():
    with pytest.raises(IndexError, match="out of range"):
        get_task("rg/acre").item(5000)


def test_game_of_life_halting_scoring_is_fixed(grader):
    """reasoning-gym 0.1.25 accepts any non-empty answer here; ours compares the answer."""
    task = get_task("rg/game_of_life_halting")
    item = task.item(0)
    other = "False" if item["answer"] == "True" else "True"
    assert grader.grade(task, item["answer"].lower(), item).score == 1.0
    assert grader.grade(task, other, item).score == 0.0


def test_rush_hour_solver_finds_short_plans(grader):
    task = get_task("rg/rush_hour")
    for i in range(10):
        item = task.item(i)
        plan = solve_rush_hour(item["metadata"]["board_config"])
        assert grader.grade(task, plan, item).score == 1.0
        assert len(plan.split()) <= item["metadata"]["min_moves"]  # a slide of any length is one move


@pytest.mark.parametrize("name", ["graph_color", "propositional_logic", "rush_hour"])
def test_tasks_without_a_stored_answer_get_a_solver_answer(name, grader):
    task = get_task(f"rg/{name}")
    for i in range(5):
        item = task.item(i)
        assert item["answer"] and grader.grade(task, item["answer"], item).score == 1.0


def test_partial_credit_is_not_correct(grader):
    task = get_task("rg/color_cube_rotation")
    grade = grader.grade(task, "(((", task.item(0))
    assert grade.score == 0.0 and "incorrect" in grade.reason


def test_an_empty_expected_answer_can_be_answered_empty(grader):
    task = get_task("rg/ab")
    item = next(i for i in (task.item(k) for k in range(400)) if i["answer"] == "")
    assert grader.grade(task, "", item).score == 1.0 and grader.grade(task, "A#", item).score == 0.0


DIGEST = """
import hashlib, json
from r1ci.tasks import get_task, list_tasks
print("digests", json.dumps({t: hashlib.sha256(json.dumps([i["question"] for i in get_task(t).items(5, seed=0)]).encode())
                  .hexdigest() for t in list_tasks(source="rg")}))
"""


def test_items_do_not_depend_on_the_processs_hash_seed():
    """Two interpreters with different PYTHONHASHSEEDs draw the same questions for every task (three
    reasoning-gym datasets drew from sets of strings, and gave other questions in every process)."""
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", DIGEST], capture_output=True, text=True, timeout=600,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert run.returncode == 0, run.stderr[-2000:]
        digests.append(json.loads(run.stdout.split("digests ", 1)[1]))  # some datasets print progress dots
    differ = [t for t in digests[0] if digests[0][t] != digests[1][t]]
    assert len(digests[0]) == 84 and not differ, differ
