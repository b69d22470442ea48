import json

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.permutations_and_combinations import arrange, parse_constraint

TASK = get_task("symbench/permutations_and_combinations")

# The published sample_0; its reference is ["A", "C", "E", "F", "B", "D"].
CONSTRAINTS = [
    ["adjacent_to", "C", "A"], ["left_of", "E", "F"], ["left_of", "A", "F"], ["not_in_position", "A", 4],
    ["adjacent_to", "B", "F"], ["adjacent_to", "C", "A"], ["fixed_position", "F", 4], ["adjacent_to", "B", "D"],
]


def item_with(constraints, items="ABCDEF"):
    metadata = {"items": list(items), "constraints": constraints}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with(CONSTRAINTS)


def test_parses_codesteer_sentences():
    assert parse_constraint("Book C must be adjacent to book A.") == ["adjacent_to", "C", "A"]
    assert parse_constraint("Book F must be placed in position 4.") == ["fixed_position", "F", 4]
    assert parse_constraint("Book D must be to the right of book B.") == ["right_of", "D", "B"]
    with pytest.raises(ValueError):
        parse_constraint("Book F must be on top.")


@pytest.mark.parametrize(
    "answer",
    [
        '["A", "C", "E", "F", "B", "D"]',
        "['A', 'C', 'E', 'F', 'B', 'D']",
        "[A, C, E, F, B, D]",
        "A, C, E, F, B, D",
        '["C", "A", "E", "F", "B", "D"]',  # another valid arrangement
        '["E", "C", "A", "F", "B", "D"]',  # and another
        '["E", "A", "C", "F", "B", "D"]',  # and another
    ],
)
def test_accepts_any_valid_arrangement(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ('["A", "C", "E", "F", "D", "B"]', "constraint 5 fails: Book B must be adjacent to book F."),
        ('["A", "C", "F", "E", "B", "D"]', "constraint 2 fails"),
        ('["C", "E", "A", "F", "B", "D"]', "constraint 1 fails"),
        ('["A", "E", "C", "F", "B", "D"]', "constraint 1 fails"),
        ('["A", "C", "E", "B", "F", "D"]', "constraint 7 fails: Book F must be placed in position 4."),
        ('["A", "C", "E", "F", "B"]', "exactly once"),
        ('["A", "C", "E", "F", "B", "B"]', "exactly once"),
        ('["A", "C", "E", "F", "B", "D", "G"]', "exactly once"),
        ('["a", "c", "e", "f", "b", "d"]', "exactly once"),
        ('[1, 2, 3, 4, 5, 6]', "list of book labels"),
        ('"ACEFBD"', "list of book labels"),
    ],
)
def test_rejects_arrangements_that_break_a_constraint(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


def test_right_of_and_not_in_position(grader):
    item = item_with([["right_of", "A", "B"], ["not_in_position", "C", 1]], "ABC")
    assert grader.grade(TASK, '["B", "C", "A"]', item).correct
    assert "constraint 1 fails" in grader.grade(TASK, '["A", "B", "C"]', item).reason
    assert "constraint 2 fails" in grader.grade(TASK, '["C", "B", "A"]', item).reason


@pytest.mark.parametrize("answer", ['["A", "C", "E", "F", "B", "D"', "", "   ", '["A", ' * 5000, None, 42,
                                    '["Ａ", "C", "E", "F", "B", "D"]', "[" * 5000, "__import__('os')"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_solver_reports_impossible_shelves(grader):
    assert arrange(list("AB"), [["fixed_position", "A", 1], ["fixed_position", "B", 1]]) is None
    assert arrange(list("ABC"), [["left_of", "A", "B"], ["left_of", "B", "C"], ["left_of", "C", "A"]]) is None
    three_neighbours = [["adjacent_to", "A", "B"], ["adjacent_to", "A", "C"], ["adjacent_to", "A", "D"]]
    assert arrange(list("ABCD"), three_neighbours) is None
    assert grader.grade(TASK, TASK.dataset(0).solve(ITEM["metadata"]), ITEM).correct


def test_generated_wrong_answers_rearrange_or_repeat_items(grader):
    for index in range(30):
        item = TASK.item(index)
        wrong = TASK.wrong_answer(item)
        assert sorted(json.loads(wrong)) == sorted(json.loads(item["answer"])) or len(set(json.loads(wrong))) < len(
            item["metadata"]["items"])
        assert grader.grade(TASK, wrong, item).score < 1.0, item["id"]


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 50
