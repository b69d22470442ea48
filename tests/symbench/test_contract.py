"""The contract every generated SymBench task keeps; task-specific checks live in test_<task>.py."""

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench import GENERATED


@pytest.fixture(params=GENERATED)
def task(request):
    return get_task(f"symbench/{request.param}")


def test_generator_is_deterministic_and_seeded(task):
    assert task.item(3) == task.item(3)
    assert [task.item(i)["question"] for i in range(5)] != [task.item(i, seed=1)["question"] for i in range(5)]


def test_generated_items_are_solved_and_wrong_answers_fail(task):
    for i in range(30):
        item = task.item(i)
        assert task.score(item["answer"], item) == 1.0, item["id"]
        assert task.score(task.wrong_answer(item), item) < 1.0, item["id"]


def test_default_config_gives_distinct_questions(task):
    assert len(task.items(200)) == 200


def test_codesteer_references_pass_and_wrong_answers_fail(task, symbench_dir):
    for item in task.load_originals(symbench_dir):
        assert task.score(item["answer"], item) == 1.0, item["id"]
        assert task.score(task.wrong_answer(item), item) < 1.0, item["id"]
        if "reference" in item["metadata"]:
            assert task.score(item["metadata"]["reference"], item) == 1.0, item["id"]
