import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.statistical_counting import total_score

TASK = get_task("symbench/statistical_counting")
RULES = [{"letter": "A", "score": 1, "min_consecutive": 2}, {"letter": "B", "score": 2, "min_consecutive": 2}]


def item_with(sequence, rules=RULES):
    metadata = {"sequence": sequence, "rules": rules}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with("BBAAB")  # the published sample_0: BB scores 2, AA scores 1


def test_each_run_scores_once():
    assert total_score("BBAAB", RULES) == 3
    assert total_score("AAAA", RULES) == 1  # one run of four, not three overlapping pairs
    assert total_score("AABAA", RULES) == 2
    assert total_score("ABABAB", RULES) == 0
    assert total_score("AACC", RULES + [{"letter": "C", "score": 3, "min_consecutive": 3}]) == 1


@pytest.mark.parametrize("answer", ["3", " 3 ", "3.0", "[3]", "+3"])
def test_accepts_the_score(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [("4", "is not the total score"), ("-3", "is not the total score"), ("0", "is not the total score"),
     ("3.5", "whole number"), ("3 points", "single number"), ("[3, 3]", "single number")],
)
def test_rejects_wrong_scores(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["[3", "", "   ", "3" * 30000, None, 3, "３", "0x3", "3e0"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generated_questions_contain_the_sequence():
    for index in range(30):
        item = TASK.item(index)
        assert item["metadata"]["sequence"] in item["question"]


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 43
