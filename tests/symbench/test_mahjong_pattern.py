import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/mahjong_pattern")

HAND = "AAKCEFHIMNPQZ"


def item_with(rounds, chi=True, initial=HAND):
    rounds = [{"add": add, "remove": remove} for add, remove in rounds]
    metadata = {"initial_cards": initial, "rounds": rounds, "chi": chi}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize(
    "rounds, chi, expected",
    [
        ([("A", "K")], True, "1"),  # two As in hand: Peng, which also beats the run A B C
        ([("L", "Z"), ("O", "A")], True, "2"),  # M N O
        ([("L", "Z"), ("O", "A")], False, "0"),  # the same card where the rules have no Chi
        ([("X", "A"), ("A", "B")], True, "0"),  # round 1 removed an A, and there is no B for A B C
        ([("B", "Z"), ("B", "K")], True, "2"),  # one B in hand: not Peng, but A B C
        ([("Y", "K")], True, "0"),  # Z is there, but no X for X Y Z
        ([("N", "C"), ("O", "A")], True, "2"),  # M N N O: a duplicate must not hide the run M N O
    ],
)
def test_judges_the_final_round(rounds, chi, expected, grader):
    item = item_with(rounds, chi)
    assert TASK.dataset(0).solve(item["metadata"]) == expected
    assert grader.grade(TASK, expected, item).correct


@pytest.mark.parametrize("answer", ["2", " [2] ", "'2'", "Chi", "chi"])
def test_accepts_the_number_or_the_name(answer, grader):
    assert grader.grade(TASK, answer, item_with([("L", "Z"), ("O", "A")])).correct


@pytest.mark.parametrize(
    "answer, chi, reason",
    [
        ("1", True, "1 is not the final round's result"),
        ("Pass", True, "0 is not the final round's result"),
        ("2", False, "these rules have no Chi"),
        ("3", True, "is not one of 0 (Pass), 1 (Peng), 2 (Chi)"),
        ("-1", True, "is not one of"),
        ("2, 1", True, "expected 1 values, got 2"),
        ("[2", True, "unbalanced brackets"),
    ],
)
def test_rejects_wrong_results(answer, chi, reason, grader):
    grade = grader.grade(TASK, answer, item_with([("L", "Z"), ("O", "A")], chi))
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "[]", "2" * 30000, None, 2, "２", "🀄"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with([("L", "Z"), ("O", "A")])).score == 0.0


def test_generator_gives_every_answer():
    answers = set()
    for index in range(30):
        item = TASK.item(index)
        answers.add(item["answer"])
    assert answers == {"0", "1", "2"}


# Published solutions that break the stated rules. CodeSteer's generator looked for Chi three cards at a
# time in the sorted hand, so a duplicate hid a run (125: M N N O; 195: F G G H; 70: J K K L, all published
# as 0), and it dealt '[' cards after 'Z' and counted "Y Z [" as a run (46, 167: published as 2).
WRONG_PUBLISHED = {"sample_125": "2", "sample_195": "2", "sample_70": "2", "sample_46": "0", "sample_167": "0"}


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.mahjong_pattern import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 52
    with_reference = [item for item in originals if "reference" in item["metadata"]]
    assert len(with_reference) >= 47
    for item in originals:
        meta = item["metadata"]
        assert render(meta["initial_cards"], meta["rounds"], meta["chi"]) == item["question"], item["id"]
        sample = item["id"].rsplit("/", 1)[1]
        if sample in WRONG_PUBLISHED:
            assert "reference" not in meta and item["answer"] == WRONG_PUBLISHED[sample], item["id"]
