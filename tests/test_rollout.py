"""The rollout engine on the protocol's hard cases, with a scripted model (real tokenizer, real sandbox).

The scripted backend writes given turns as token ids and stops where a real model would (at the first stop
string, else at end of turn), so each case tests the engine, not the model's luck.
"""

import asyncio

import pytest

from conftest import ScriptedBackend
from r1ci.rollout import RolloutConfig, RolloutSettings, TokenMismatch, chat_messages, rollout, self_checked
from r1ci.sandbox import Limits
from r1ci.tasks import get_task
from r1ci.trajectory import Segment, Trajectory

TASK = get_task("rg/gcd")


@pytest.fixture(scope="module")
def item():
    return TASK.items(1, seed=0)[0]


def run(backend, sandbox, grader, item, **config):
    return asyncio.run(rollout(item, TASK, backend, sandbox, grader, RolloutConfig(**config)))


def test_code_call_then_answer(tiny_model_dir, sandbox, grader, item):
    backend = ScriptedBackend(tiny_model_dir, [
        "Let me compute it.\n```python\nimport math\nprint(math.gcd(12, 18))\n```\n",
        f"The interpreter says 6, but for this question it is <<<{item['answer']}>>>.",
    ])
    traj = run(backend, sandbox, grader, item)
    kinds = [s.kind for s in traj.segments]
    assert kinds == ["prompt", "model", "tool", "model"]
    assert traj.segments[2].text == "\nCode Execution Results:\n6\n" and traj.segments[2].status == "ok"
    assert traj.stop == "answer" and traj.answer == str(item["answer"]) and traj.score == 1.0
    assert traj.metrics["code_calls"] == 1 and traj.metrics["turns"] == 2


def test_loss_mask_covers_model_tokens_only(tiny_model_dir, sandbox, grader, item):
    backend = ScriptedBackend(tiny_model_dir, ["```python\nprint(1)\n```\n", "<<<1>>>"])
    traj = run(backend, sandbox, grader, item)
    ids, mask = traj.token_ids(), traj.loss_mask()
    assert len(ids) == len(mask)
    position = 0
    for s in traj.segments:
        assert mask[position:position + len(s.token_ids)] == [int(s.kind == "model")] * len(s.token_ids)
        position += len(s.token_ids)
    model_ids = [i for s in traj.segments if s.kind == "model" for i in s.token_ids]
    assert [i for i, m in zip(ids, mask) if m] == model_ids
    assert all(len(s.logprobs) == len(s.token_ids) for s in traj.segments if s.kind == "model")


def test_tokens_in_tokens_out_is_enforced(tiny_model_dir, sandbox, grader, item):
    backend = ScriptedBackend(tiny_model_dir, ["hello"], lie_about_context=True)
    with pytest.raises(TokenMismatch):
        run(backend, sandbox, grader, item)


@pytest.mark.parametrize("turns, stop, code_calls", [
    (["```python\nprint(5)\n"], "max_turns", 2),                       # unclosed block at end of turn: it runs
    (["```python\n```\n", "<<<1>>>"], "answer", 1),                     # empty code
    (["```python\nx = 1\n```\n", "<<<1>>>"], "answer", 1),              # prints nothing
    (["I am done."], "eos", 0),                                         # end of turn before an answer
    (["```python\nprint('<<<9>>>')\n```\n", "ok"], "eos", 1),           # the answer only in code output
    (["word " * 400], "max_tokens", 0),                                 # a model that never stops
])
def test_hard_cases(tiny_model_dir, sandbox, grader, item, turns, stop, code_calls):
    traj = run(ScriptedBackend(tiny_model_dir, turns), sandbox, grader, item,
               budget=RolloutSettings(max_new_tokens=300, turn_tokens=100, max_turns=2))
    assert traj.stop == stop and traj.metrics["code_calls"] == code_calls
    tools = [s for s in traj.segments if s.kind == "tool"]
    if turns[0].startswith("```python\n```"):
        assert "code block was empty" in tools[0].text
    if turns[0].startswith("```python\nx = 1"):
        assert "printed nothing" in tools[0].text
    if "<<<9>>>" in turns[0]:
        assert traj.answer is None and "<<<9>>>" in tools[0].text  # printed, so it does not count


def test_an_answer_after_a_code_block_left_open_counts(tiny_model_dir, sandbox, grader, item):
    """Issue 21, finding 7: the model ends its turn inside its code block, the rollout runs the block, and the
    model answers in its next turn: 1.0, as with the block closed (it scored 0 when the answer was read from all
    model text joined)."""
    answer = item["answer"]
    for first_turn in (f"```python\nprint({answer})", f"```python\nprint({answer})\n```\n"):
        traj = run(ScriptedBackend(tiny_model_dir, [first_turn, f"It printed {answer}, so <<<{answer}>>>"]),
                   sandbox, grader, item)
        assert [s.kind for s in traj.segments] == ["prompt", "model", "tool", "model"]
        assert traj.segments[2].text == f"\nCode Execution Results:\n{answer}\n"
        assert traj.stop == "answer" and traj.answer == str(answer) and traj.score == 1.0


def test_code_call_limit(tiny_model_dir, sandbox, grader, item):
    traj = run(ScriptedBackend(tiny_model_dir, ["```python\nprint(1)\n```\n"]), sandbox, grader, item,
               budget=RolloutSettings(max_code_calls=3, max_turns=10))
    assert traj.stop == "max_code_calls" and traj.metrics["code_calls"] == 3
    assert "up to 3 times" in traj.system  # the prompt states the limit the rollout enforces


def test_timeouts_are_counted_and_reported(tiny_model_dir, sandbox, grader, item):
    traj = run(ScriptedBackend(tiny_model_dir, ["```python\nwhile True: pass\n```\n", "<<<1>>>"]), sandbox, grader,
               item, limits=Limits(timeout=0.5))
    assert traj.metrics["timeouts"] == 1 and "timed out" in traj.segments[2].text


def test_text_mode_never_runs_code(tiny_model_dir, sandbox, grader, item):
    traj = run(ScriptedBackend(tiny_model_dir, [f"```python\nprint(1)\n```\nSo <<<{item['answer']}>>>"]),
               sandbox, grader, item, mode="text")
    assert traj.metrics["code_calls"] == 0 and traj.score == 1.0


def test_code_mode_takes_the_programs_output(tiny_model_dir, sandbox, grader, item):
    program = f"```python\nprint('<<<{item['answer']}>>>')\n```\n"
    traj = run(ScriptedBackend(tiny_model_dir, [program]), sandbox, grader, item, mode="code")
    assert traj.stop == "code" and traj.answer == str(item["answer"]) and traj.score == 1.0


def test_chat_backends_see_tool_output_as_a_user_turn():
    traj = Trajectory("x", "t", "ci", "q", segments=[Segment("prompt", "p"), Segment("model", "a"),
                                                    Segment("tool", "\nCode Execution Results:\n1\n"),
                                                    Segment("model", "b")])
    messages = chat_messages([{"role": "system", "content": "s"}, {"role": "user", "content": "q"}], traj)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant"]
    assert messages[3]["content"].startswith("\nCode Execution Results:")


@pytest.mark.parametrize("texts, expected", [
    (["I think the answer is 42.", ("assert 6 * 7 == 42\nprint('ok')", "ok")], True),
    (["Candidate: <<<12>>>. Let me check.", ("print(12 * 2)", "24")], True),
    (["Let me compute.", ("print(6 * 7)", "42"), "<<<42>>>"], False),   # code before any candidate
    (["The answer is 42."], False),                                    # no code at all
])
def test_self_check_detector(texts, expected):
    segments = [Segment("prompt", "q")]
    for t in texts:
        if isinstance(t, tuple):
            segments.append(Segment("tool", f"\nCode Execution Results:\n{t[1]}\n", code=t[0]))
        else:
            segments.append(Segment("model", t))
    assert self_checked(Trajectory("x", "t", "ci", "q", segments=segments)) is expected


def test_trajectory_round_trips_through_json(tiny_model_dir, sandbox, grader, item):
    traj = run(ScriptedBackend(tiny_model_dir, ["```python\nprint(2)\n```\n", "<<<2>>>"]), sandbox, grader, item)
    again = Trajectory.from_json(traj.to_json())
    assert again == traj and again.loss_mask() == traj.loss_mask() and again.correct == traj.correct


def test_bad_configs_and_segments_are_refused():
    with pytest.raises(ValueError, match="unknown mode"):
        RolloutConfig(mode="chat")
    with pytest.raises(ValueError, match="max_turns"):
        RolloutSettings(max_turns=0)
    with pytest.raises(ValueError, match="kind"):
        Segment("assistant", "x")
    with pytest.raises(ValueError, match="logprobs"):
        Segment("model", "x", token_ids=[1, 2], logprobs=[0.0])


class BrokenFor:
    """A sandbox that fails, not with SandboxError, for scripts holding `trigger` (as a crashed host side did)."""

    def __init__(self, sandbox, trigger):
        self.sandbox, self.trigger = sandbox, trigger

    async def arun(self, code, limits=None, **kw):
        if self.trigger in code:
            raise RecursionError("maximum recursion depth exceeded during compilation")
        return await self.sandbox.arun(code, limits, **kw)


def test_a_failing_sandbox_touches_only_its_own_trajectory(tiny_model_dir, sandbox, grader, item):
    broken = BrokenFor(sandbox, "BOOM")
    bad = ScriptedBackend(tiny_model_dir, ["```python\nBOOM = 1\nprint(BOOM)\n```\n", "<<<1>>>"])
    good = ScriptedBackend(tiny_model_dir, ["```python\nprint(6)\n```\n", f"<<<{item['answer']}>>>"])

    async def both():
        return await asyncio.gather(rollout(item, TASK, bad, broken, grader, RolloutConfig()),
                                    rollout(item, TASK, good, broken, grader, RolloutConfig()))

    failed, fine = asyncio.run(both())
    assert failed.segments[2].status == "sandbox_error" and "maximum recursion depth" in failed.segments[2].text
    assert failed.stop == "answer"  # the model got the failure as its tool message and went on
    assert fine.segments[2].status == "ok" and fine.score == 1.0
