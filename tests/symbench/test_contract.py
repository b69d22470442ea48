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


def test_generated_items_are_solved_and_wrong_answers_fail(task, grader):
    items = [task.item(i) for i in range(30)]
    right, wrong = scores(grader, task, [(item["answer"], item) for item in items]), \
        scores(grader, task, [(task.wrong_answer(item), item) for item in items])
    for item, r, w in zip(items, right, wrong):
        assert r == 1.0 and w < 1.0, item["id"]


def test_default_config_gives_distinct_questions(task):
    assert len(task.items(200)) == 200


def test_codesteer_references_pass_and_wrong_answers_fail(task, symbench_dir, grader):
    items = task.load_originals(symbench_dir)
    right = scores(grader, task, [(item["answer"], item) for item in items])
    wrong = scores(grader, task, [(task.wrong_answer(item), item) for item in items])
    for item, r, w in zip(items, right, wrong):
        assert r == 1.0 and w < 1.0, item["id"]
    published = [item for item in items if "reference" in item["metadata"]]
    references = [(item["metadata"]["reference"], item) for item in published]
    for item, r in zip(published, scores(grader, task, references)):
        assert r == 1.0, item["id"]


def scores(grader, task, pairs):
    """Many answers graded in one go (one sandbox script per batch, not one per answer)."""
    return [g.score for g in grader.grade_many([(task, answer, item) for answer, item in pairs])]
