import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/number_multiply")


def item_with(numbers):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"numbers": numbers}}


ITEM = item_with([-8, -617, -6098])  # the published digit_1_3_4/sample_67: -30099728


@pytest.mark.parametrize("answer", ["-30099728", " -30099728 ", "-30,099,728", "\u221230099728", "-30099728.0",
                                    "[-30099728]"])
def test_accepts_the_product_in_any_number_style(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("30099728", "is not the product"),
        ("-30099729", "is not the product"),
        ("-30099728.5", "is not the product"),
        ("-3,0099,728", "single number"),
        ("-30099728 or 5", "single number"),
        ("-3.0099728e7", "single number"),
    ],
)
def test_rejects_wrong_products(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


def test_checks_big_products_exactly(grader):
    item = item_with([-29594001146177344768, 89554663045581012859])  # digit_20_20/sample_0
    assert grader.grade(TASK, "-2650280800816450395726223474564684371712", item).score == 1.0
    assert grader.grade(TASK, "-2650280800816450395726223474564684371711", item).score == 0.0
    assert grader.grade(TASK, "-2.650280800816450395726223474564684371712e39", item).score == 0.0


@pytest.mark.parametrize("answer", ["[-30099728", "", "   ", "9" * 30000, "-" + "9" * 5000, None, -30099728,
                                    "－３００９９７２８", "-30099728-0"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generator_respects_digit_counts():
    assert "<<<number>>>" in TASK.item(0)["question"]
    for index in range(30):
        item = TASK.item(index)
        digits = tuple(len(str(abs(n))) for n in item["metadata"]["numbers"])
        assert digits in {(1, 2, 4), (1, 3, 4), (1, 2, 2, 4)}, item["id"]


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 129
    assert any("varied_complexity/digit_20_20" in o["id"] for o in originals)
