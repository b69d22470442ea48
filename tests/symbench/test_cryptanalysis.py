import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.cryptanalysis import candidates, feedback

TASK = get_task("symbench/cryptanalysis")

# The published sample_1; its unique code is 39CW.
CONDITIONS = [
    ("92XL", "one number is correct but in the wrong position; one number is incorrect and too small; "
             "both letters are incorrect."),
    ("75TE", "both numbers are incorrect; both letters are incorrect."),
    ("38YF", "one number is correct and in the correct position; one number is incorrect and incorrect; "
             "both letters are incorrect."),
    ("14MX", "both numbers are incorrect; both letters are incorrect."),
    ("56CY", "both numbers are incorrect; one letter is correct and in the correct position; "
             "one letter is incorrect and too late in the alphabet."),
    ("09WV", "one number is correct and in the correct position; one number is incorrect and too small; "
             "one letter is correct but in the wrong position; one letter is incorrect and incorrect."),
]


def item_with(conditions):
    metadata = {"conditions": [{"guess": g, "feedback": f} for g, f in conditions]}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


ITEM = item_with(CONDITIONS)


def test_feedback_matches_codesteer_wording():
    for guess, said in CONDITIONS:
        assert feedback("39CW", guess) == said
    assert feedback("39CW", "10AB") == ("both numbers are incorrect and too small; "
                                        "both letters are incorrect and too early in the alphabet.")
    assert feedback("39CW", "93WC") == ("both numbers are correct but in the wrong positions; "
                                        "both letters are correct but in the wrong positions.")
    assert candidates(ITEM["metadata"]["conditions"]) == (["39"], ["CW"])


@pytest.mark.parametrize("answer", ['["3", "9", "C", "W"]', "['3', '9', 'C', 'W']", '[3, 9, "C", "W"]', "39CW",
                                    "3 9 C W", '["3", "9", "c", "w"]'])
def test_accepts_the_code_in_common_layouts(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


def test_accepts_any_code_consistent_with_all_clues(grader):
    loose = item_with(CONDITIONS[:3])  # the first three clues leave the letters open
    numbers, letters = candidates(loose["metadata"]["conditions"])
    assert numbers == ["39"] and len(letters) > 100
    for code in ("39CW", "39AM", f"39{letters[-1]}"):
        assert grader.grade(TASK, code, loose).correct, code
    assert not grader.grade(TASK, "39CX", loose).correct  # X was guessed and is not in the code


@pytest.mark.parametrize(
    "answer, reason",
    [
        ('["9", "3", "C", "W"]', "contradicts condition 1"),
        ('["3", "9", "W", "C"]', "contradicts condition 5"),
        ('["3", "8", "C", "W"]', "contradicts condition 1"),
        ('["3", "3", "C", "W"]', "must not repeat"),
        ('["3", "9", "C", "C"]', "must not repeat"),
        ('["3", "9", "C"]', "four single symbols"),
        ('["39", "C", "W"]', "four single symbols"),
        ("CW39", "two digits followed by two letters"),
        ('["3", "9", "Ç", "W"]', "two digits followed by two letters"),
        ('["3", "9", "C", "W"', "not a valid list"),
        ('[["3"], "9", "C", "W"]', "list of four symbols"),
    ],
)
def test_rejects_wrong_or_malformed_codes(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize(
    "answer", ["", "  ", "[" * 3000, "3" * 30000, None, 39, ["3", "9", "C", "W"], "３９ＣＷ", "39C\u0301W"]
)
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generator_gives_unique_codes():
    for i in range(30):
        item = TASK.item(i)
        numbers, letters = candidates(item["metadata"]["conditions"])
        assert len(numbers) == len(letters) == 1


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 16
