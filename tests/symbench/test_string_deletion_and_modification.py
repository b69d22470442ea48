import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.string_deletion_and_modification import RULES, run

TASK = get_task("symbench/string_deletion_and_modification")

EVEN_B = "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end."
LONG = "If the string length is greater than 15, remove the middle character."

# The published sample_19.
SAMPLE_RULES = [
    EVEN_B,
    "If the string prefix is 'ab', replace it with 'ca'.",
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.",
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.",
    "If the string ends with 'ca', remove the last character.",
    "If the string contains 'abc', replace the first occurrence with 'cab'.",
]
ITEM = {"id": "x", "task": TASK.id, "question": "", "answer": "",
        "metadata": {"initial_string": "caacabcbabcacabbbbb", "selected_rules": SAMPLE_RULES}}
FINAL = "bbaccabbcabacabbbbbcab"


def test_replay_applies_the_first_applicable_rule_each_step():
    assert run("caacabcbabcacabbbbb", SAMPLE_RULES) == [
        "caacabcbabcacabbbbb", "caacabcbabcacabbbbbab", "bbacabcbabcacabbbbbabc", "bbaccabbabcacabbbbbabc",
        "bbaccabbcabacabbbbbabc", FINAL,
    ]  # the published intermediate states


def test_non_terminating_rule_sets_are_detected():
    assert run("caacabbabababb", [EVEN_B, LONG]) is None
    assert len(RULES) == 20


@pytest.mark.parametrize("answer", [FINAL, f'"{FINAL}"', f"'{FINAL}'", f'  " {FINAL} "  '])
def test_accepts_the_final_string_quoted_or_not(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer",
    [
        "caacabcbabcacabbbbb",  # the initial string
        "bbaccabbcabacabbbbbabc",  # one step short
        FINAL.upper(),
        f'"{FINAL}" x',
    ],
)
def test_rejects_wrong_final_strings(answer, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and "wrong final string" in grade.reason


@pytest.mark.parametrize("answer", ["", "  ", '"', "a" * 30000, None, 7, {"s": FINAL}, "ｂｂａ", "\u202e" + FINAL])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generator_needs_at_least_four_rewrites():
    for i in range(30):
        item = TASK.item(i)
        m = item["metadata"]
        assert len(run(m["initial_string"], m["selected_rules"])) >= 5  # at least four rewrites


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 28
