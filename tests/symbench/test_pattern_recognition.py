import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.pattern_recognition import maximal_squares

TASK = get_task("symbench/pattern_recognition")

# A 4*4 block of Q with its bottom-right corner at row 4, column 4; it holds four 3*3 squares of Q.
MATRIX = [row.split() for row in [
    "A B C D E F G",
    "H Q Q Q Q I J",
    "K Q Q Q Q L M",
    "N Q Q Q Q O P",
    "R Q Q Q Q S T",
    "U V W X Y Z A",
]]


def item_with(matrix=MATRIX, min_side=3):
    metadata = {"matrix": matrix, "min_side": min_side}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize("answer", ["[4, 4]", "4,4", "(4, 4)", " [ 4 ,4 ] "])
def test_accepts_the_corner_of_the_block(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("[3, 3]", "inside the square but not its bottom-right corner"),  # corner of a 3*3 square within the block
        ("[4, 3]", "inside the square but not its bottom-right corner"),
        ("[1, 1]", "inside the square but not its bottom-right corner"),  # the top-left corner
        ("[0, 0]", "not the bottom-right corner"),
        ("[5, 5]", "not the bottom-right corner"),
        ("[4, 4, 4]", "expected 2 values, got 3"),
        ("[4.0, 4]", "non-negative integers"),
        ("[-4, 4]", "non-negative integers"),
        ("[4, 4", "unbalanced brackets"),
    ],
)
def test_rejects_other_cells(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


def test_a_plain_three_by_three_square(grader):
    matrix = [row.split() for row in ["A B C D E F", "G H H H I J", "K H H H L M", "N H H H O P",
                                      "Q R S T U V", "W X Y Z A B"]]
    assert maximal_squares(matrix, 3) == [(3, 3, 3)]
    assert grader.grade(TASK, "[3, 3]", item_with(matrix)).correct
    assert not grader.grade(TASK, "[3, 2]", item_with(matrix)).correct


@pytest.mark.parametrize("answer", ["", "   ", "[[[]]]", "4" * 30000, None, 44, "[⁴, ⁴]", "[4, 4✓]", "[4, 4]\x00"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_generated_answers_are_unique():
    for index in range(30):
        item = TASK.item(index)
        assert len(maximal_squares(item["metadata"]["matrix"], 3)) == 1, item["id"]  # the answer is unique


def test_codesteer_instances_load_from_both_layouts(symbench_dir):
    from r1ci.tasks.symbench.pattern_recognition import render

    originals = TASK.load_originals(symbench_dir)
    ids = [item["id"] for item in originals]
    # 19 sample_N folders, and the dataset json's 100 entries, which repeat those 19: 100 distinct instances
    assert len(originals) >= 100 and len({item["question"] for item in originals}) == len(originals)
    assert any("/sample_" in i for i in ids) and any("pattern_recognition_dataset.json#" in i for i in ids)
    for item in originals:
        meta = item["metadata"]
        assert render(meta["matrix"], meta["min_side"]) == item["question"], item["id"]
