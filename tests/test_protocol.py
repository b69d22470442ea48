import pytest

from r1ci import extract_answer


@pytest.mark.parametrize(
    "text, expected",
    [
        ("so the answer is <<<42>>>", "42"),
        ("first <<<1>>> then, on reflection, <<< 2 >>>", "2"),
        ("<<<[[1, 2],\n [3, 4]]>>>", "[[1, 2],\n [3, 4]]"),
        ("<<<a > b>>>", "a > b"),
        ("no answer here", None),
        ("unclosed <<<42", None),
        ("<<<>>>", ""),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_extract_answer_takes_the_last_marked_answer(text, expected):
    assert extract_answer(text) == expected


from r1ci import protocol  # noqa: E402
from r1ci.sandbox import Result  # noqa: E402


def test_every_mode_has_several_phrasings_that_name_the_answer_format():
    for mode in protocol.MODES:
        phrasings = protocol.SYSTEM_PROMPTS[mode]
        assert len(phrasings) >= 2 and len(set(phrasings)) == len(phrasings)
        assert all("<<<answer>>>" in p for p in phrasings)
        assert protocol.system_prompt(mode, 0) == phrasings[0]
        assert protocol.system_prompt(mode, len(phrasings)) == phrasings[0]  # variants wrap around
    assert all("Code Execution Results:" in p for p in protocol.SYSTEM_PROMPTS["ci"])
    with pytest.raises(ValueError, match="unknown mode"):
        protocol.system_prompt("chat")


def test_ci_prompts_state_the_rollouts_limit_on_code_calls():
    assert "up to 8 times" in protocol.SYSTEM_PROMPTS["ci"][0]  # MAX_CODE_CALLS, the default
    assert "up to 3 times" in protocol.system_prompt("ci", 0, max_code_calls=3)
    assert "at most 1 time," in protocol.system_prompt("ci", 1, max_code_calls=1)
    assert protocol.system_prompt("text", 0, max_code_calls=3) == protocol.SYSTEM_PROMPTS["text"][0]


@pytest.mark.parametrize("segment, turn_ended, expected", [
    ("Let me compute.\n```python\nprint(6 * 7)\n```\n", False, "print(6 * 7)"),
    ("```python\nx = 1\nprint(x)\n```", True, "x = 1\nprint(x)"),
    ("```python\nprint(1)\n```\nand then I kept talking", True, None),          # code shown, not run
    ("```python\nprint(1)\n", True, "print(1)"),                               # unclosed at end of turn
    ("```python\nprint('<<<', 1, '>>>", False, None),                          # paused inside code
    ("```python\n```\n", False, ""),                                          # empty: reported as such
    ("first\n```python\nprint(1)\n```\nthen\n```python\nprint(2)\n```\n", False, "print(2)"),
    ("no code here", True, None),
    ("```\nplain fence\n```\n", True, None),
])
def test_code_to_run(segment, turn_ended, expected):
    assert protocol.code_to_run(segment, turn_ended) == expected


def test_whole_chat_turns_run_their_last_block_even_with_text_after_it():
    turn = "Here is code:\n```python\nprint(1)\n```\nThis prints 1."
    assert protocol.code_to_run(turn, True) is None
    assert protocol.code_to_run(turn, True, whole_turn=True) == "print(1)"


def test_answers_printed_inside_code_do_not_count():
    text = "I will print it:\n```python\nprint('<<<7>>>')\n```\n"
    assert protocol.extract_answer(text) == "7"
    assert protocol.final_answer(text) is None
    assert protocol.final_answer(text + "So the answer is <<<8>>>.") == "8"
    assert protocol.final_answer("```python\nprint('<<<7>>>')") is None  # unclosed block


def test_a_code_block_left_open_ends_with_its_turn():
    """Issue 21, finding 7: the model ended its turn inside its code block (the rollout runs such a block), then
    answered in its next turn. Read as one text, the open block swallowed that answer (score 0); read turn by
    turn, the answer counts exactly as it does after a closed block."""
    ran, answered = "Let me compute.\n```python\nprint(4 + 5)", "The script prints 9, so the answer is <<<9>>>"
    assert protocol.final_answer(ran + answered) is None  # the old reading: all model text joined
    assert protocol.final_answer(ran, answered) == "9"
    assert protocol.final_answer(ran + "\n```\n", answered) == "9"
    assert protocol.final_answer("```python\nprint('<<<7>>>')", "Done.") is None  # code still does not answer
    assert protocol.final_answer("<<<1>>>", "on reflection <<<2>>>") == "2"  # the last turn's answer wins
    assert protocol.final_answer("So <<<1>>>", "Let me check.\n```python\nprint(1)") == "1"
    assert protocol.final_answer("I get <<<12", "3>>>") is None  # an answer never spans two turns


def test_tool_text_wraps_clips_and_explains():
    ok = protocol.tool_text(Result(stdout="42\n", exit_code=0))
    assert ok == "\nCode Execution Results:\n42\n"
    silent = protocol.tool_text(Result(exit_code=0))
    assert "printed nothing" in silent
    timed_out = protocol.tool_text(Result(stdout="partial\n", timed_out=True))
    assert "partial" in timed_out and "timed out" in timed_out
    error = protocol.tool_text(Result(stderr="Traceback ...\nNameError: x\n", exit_code=1))
    assert error.endswith("NameError: x\n") and "exited" not in error  # the traceback says it all
    big = protocol.tool_text(Result(stdout="A" * 10_000 + "END\n", exit_code=0))
    assert "omitted" in big and big.rstrip().endswith("END") and len(big) < protocol.MAX_OUTPUT_BYTES + 200


def test_code_mode_answer():
    assert protocol.code_mode_answer(Result(stdout="work\n<<<12>>>\n")) == "12"
    assert protocol.code_mode_answer(Result(stdout="work\n12\n\n")) == "12"
    assert protocol.code_mode_answer(Result(stdout="")) is None
