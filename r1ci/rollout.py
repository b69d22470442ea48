"""The rollout engine: runs the protocol for many questions at once over any backend and the sandbox, and
grades each final answer with the grader it is given.

Each trajectory is an asyncio task: it asks the backend for the next stretch of text, and when the model
stops at a code block, sends the code to the sandbox while the other trajectories keep generating (the
backend batches whoever is waiting). The output is spliced back and generation resumes.
"""

import asyncio
import contextlib
import hashlib
import re
import functools
from dataclasses import dataclass, field, replace
from typing import Any

from r1ci import protocol
from r1ci.backends import ContextNeed, Generation, Sampling
from r1ci.grading import Grader
from r1ci.sandbox import Limits, Sandbox
from r1ci.settings import as_table, check_positive, group, setting
from r1ci.tasks.base import Task
from r1ci.trajectory import Segment, Trajectory


@dataclass(frozen=True)
class RolloutSettings:
    """The budgets of a trajectory, declared once: every stage that rolls out (evaluation, potential, GRPO, a model
    teacher) nests them in its own settings (`rollout_settings()`), so their flags and table keys are the same
    everywhere (`--max-new-tokens`); a stage changes only the defaults that differ."""

    max_new_tokens: int = setting(1024, "Model tokens per trajectory, all turns together.")
    turn_tokens: int = setting(512, "Tokens per backend call (a turn may take several).")
    max_turns: int = setting(12, "Model turns per trajectory.")
    max_code_calls: int = setting(protocol.MAX_CODE_CALLS, "Code blocks run per trajectory; the prompt states the "
                                                           "limit.")
    timeout: float = setting(Limits.timeout, "Seconds per script.")

    def __post_init__(self):
        check_positive(self, "max_new_tokens", "turn_tokens", "max_turns", "max_code_calls")
        Limits(timeout=self.timeout)  # the sandbox's own check of a time limit

    def config(self, mode: str, sampling: Sampling, prompt_variant: int = 0) -> "RolloutConfig":
        """One trajectory's run with these budgets."""
        return RolloutConfig(mode=mode, budget=self, prompt_variant=prompt_variant, sampling=sampling,
                             limits=Limits(timeout=self.timeout))


def with_budget_defaults(recorded: dict) -> dict:
    """A run folder's recorded settings, with the budgets a run of an earlier version did not record at their
    defaults (so such a run still resumes)."""
    return as_table(RolloutSettings()) | recorded


def rollout_settings(**defaults) -> Any:
    """A stage's nested `RolloutSettings`, with the defaults that stage changes; its flags keep their own names."""
    return group(functools.partial(RolloutSettings, **defaults), prefixed=False)


@dataclass(frozen=True)
class RolloutConfig:
    """One trajectory's run as the engine sees it: the mode, the budgets, the prompt, the sampling and the
    script limits (a stage builds it with `RolloutSettings.config`)."""

    mode: str = "ci"
    budget: RolloutSettings = RolloutSettings()
    prompt_variant: int = 0
    system_prompt: str | None = None  # instead of the mode's own phrasing (prompt_variant)
    sampling: Sampling = field(default_factory=Sampling)
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self):
        if self.mode not in protocol.MODES:
            raise ValueError(f"unknown mode {self.mode!r}; choose from {', '.join(protocol.MODES)}")


def turn_seed(base: int, item_id: str, turn: int) -> int:
    """A seed per item and turn, so an item samples the same tokens whatever else runs beside it."""
    digest = hashlib.sha256(f"{base}/{item_id}/{turn}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


class TokenMismatch(AssertionError):
    """The ids a model was conditioned on differ from the trajectory's segments (re-tokenisation drift)."""


def prompt_messages(item: dict, config: RolloutConfig) -> list[dict]:
    """The chat a trajectory starts from: the mode's system prompt (stating the code-call limit), the question."""
    system = config.system_prompt or protocol.system_prompt(config.mode, config.prompt_variant,
                                                            config.budget.max_code_calls)
    return [{"role": "system", "content": system}, {"role": "user", "content": item["question"]}]


def context_need(jobs: list[tuple[dict, RolloutConfig]]) -> ContextNeed:
    """What these trajectories can hold, for an engine that fixes its context window before it starts (vLLM's
    `max_model_len`): their distinct prompts, and the most tokens a trajectory adds to its prompt: all its model
    tokens and, in ci mode, each code call's result at its longest (`protocol.MAX_RESULT_BYTES`; no tokenizer
    gives a text more tokens than it has bytes). Code mode ends at its one program's result, unseen by the model."""
    prompts = {}
    for item, config in jobs:
        messages = prompt_messages(item, config)
        prompts[tuple(m["content"] for m in messages)] = messages
    room = max((config.budget.max_new_tokens +
                (config.budget.max_code_calls * protocol.MAX_RESULT_BYTES if config.mode == "ci" else 0)
                for _, config in jobs), default=0)
    return ContextNeed(list(prompts.values()), room)


async def rollout(item: dict, task: Task, backend, sandbox: Sandbox, grader: Grader,
                  config: RolloutConfig) -> Trajectory:
    """One question through the protocol: prompt, model turns, code calls (in `sandbox`), answer, score (by
    `grader`)."""
    messages = prompt_messages(item, config)
    system = messages[0]["content"]
    prompt = Segment("prompt", messages[0]["content"] + "\n\n" + messages[1]["content"])
    if backend.token_level:
        prompt.token_ids = backend.encode_prompt(messages)
    traj = Trajectory(id=item["id"], task=item["task"], mode=config.mode, question=item["question"],
                      reference=None if item.get("answer") is None else str(item["answer"]), system=system,
                      segments=[prompt])
    used, code_calls, timeouts, program = 0, 0, 0, None
    stops = protocol.STOP_STRINGS[config.mode]
    while True:
        left = config.budget.max_new_tokens - used
        if left <= 0:
            traj.stop = "max_tokens"
            break
        if traj.segments[-1].kind != "model" and traj.turns() >= config.budget.max_turns:
            traj.stop = "max_turns"
            break
        sampling = replace(config.sampling, seed=turn_seed(config.sampling.seed, item["id"], len(traj.segments)))
        # Token-level backends write a turn in stretches; a chat server writes a whole turn per request.
        stretch = min(config.budget.turn_tokens, left) if backend.token_level else left
        gen = await _generate(backend, traj, messages, stretch, stops, sampling)
        used += gen.n_tokens or 0
        segment = _extend_model_segment(traj, gen)
        if gen.finish == "length":
            if backend.token_level:
                continue  # mid-stretch, or out of budget (the loop's top stops it)
            traj.stop = "max_tokens"  # a chat turn cut short cannot be continued
            break
        answered = config.mode != "code" and protocol.final_answer(segment.text) is not None
        code = None if answered or config.mode == "text" else \
            protocol.code_to_run(segment.text, gen.finish == "eos", whole_turn=not backend.token_level)
        if code is not None:
            if code_calls >= config.budget.max_code_calls:
                traj.stop = "max_code_calls"
                break
            code_calls += 1
            result, text, status = None, protocol.EMPTY_CODE, "empty"
            if code.strip():
                try:
                    result = await sandbox.arun(code, config.limits)
                    text, status = protocol.tool_text(result), result.status
                except Exception as exc:  # the sandbox, not the script, failed: say so in this trajectory, go on
                    reason = (str(exc).splitlines() or [type(exc).__name__])[0]
                    text, status = protocol.sandbox_failure_text(reason), "sandbox_error"
            timeouts += bool(result and result.timed_out)
            if config.mode == "code":
                program, traj.stop = result, "code"
                break
            tool = Segment("tool", text, code=code, status=status)
            if backend.token_level:
                tool.token_ids = backend.encode_text(text)
            traj.segments.append(tool)
        elif answered:
            traj.stop = "answer"
            break
        elif gen.finish == "eos":
            traj.stop = "eos"
            break
        # else: a stop string that ended nothing (another block's fence, `>>>` inside code): keep writing
    if config.mode == "code":
        traj.answer = protocol.code_mode_answer(program) if program is not None else None
    else:
        traj.answer = protocol.final_answer(*traj.model_turns())
    traj.score = (await grader.agrade(task, traj.answer, item)).score if traj.answer is not None else 0.0
    traj.metrics = {"code_calls": code_calls, "turns": traj.turns(), "model_tokens": used, "timeouts": timeouts,
                    "self_check": self_checked(traj)}
    return traj


async def _generate(backend, traj: Trajectory, messages: list[dict], max_tokens: int, stops, sampling) -> Generation:
    if backend.token_level:
        context = traj.token_ids()
        gen = await backend.generate(context, max_tokens, stops, sampling)
        if gen.conditioned_on is not None and gen.conditioned_on != context:
            raise TokenMismatch(f"{traj.id}: the model saw {len(gen.conditioned_on)} ids, the segments hold "
                                f"{len(context)}")
        return gen
    return await backend.generate(chat_messages(messages, traj), max_tokens, stops, sampling)


def chat_messages(messages: list[dict], traj: Trajectory) -> list[dict]:
    """Text-level backends see the conversation as chat turns: interpreter output comes as a user turn."""
    out = list(messages)
    for s in traj.segments[1:]:
        role = "assistant" if s.kind == "model" else "user"
        if out[-1]["role"] == role:
            out[-1] = {"role": role, "content": out[-1]["content"] + s.text}
        else:
            out.append({"role": role, "content": s.text})
    return out


def _extend_model_segment(traj: Trajectory, gen: Generation) -> Segment:
    """Append the generation to the current model segment (a turn continued after a pause) or start one."""
    last = traj.segments[-1]
    if last.kind != "model":
        last = Segment("model", "", token_ids=[] if gen.token_ids is not None else None,
                       logprobs=[] if gen.logprobs is not None else None)
        traj.segments.append(last)
    last.text += gen.text
    if gen.token_ids is not None:
        last.token_ids += gen.token_ids
        last.logprobs += gen.logprobs or []
    return last


def self_checked(traj: Trajectory) -> bool:
    """Whether the model ran code to check a candidate answer it had already proposed.

    A candidate is a `<<<...>>>` or an "answer is X" in model text; a check is a later code call whose script
    mentions the candidate or asserts/verifies something.
    """
    candidates: list[str] = []
    for s in traj.segments:
        if s.kind == "model":
            candidates += [c.strip() for c in protocol.ANSWER_PATTERN.findall(s.text) if c.strip()]
            candidates += [m.strip(" .") for m in ANSWER_IS.findall(s.text) if m.strip(" .")]
        elif s.kind == "tool" and candidates and s.code:
            if any(c in s.code for c in candidates) or any(w in s.code for w in CHECK_WORDS):
                return True
    return False


CHECK_WORDS = ("assert", "verify", "check")
ANSWER_IS = re.compile(r"answer is[:\s]+([^\n]{1,80})", re.IGNORECASE)


async def rollout_many(items: list[dict], tasks: dict[str, Task], backend, sandbox: Sandbox, grader: Grader,
                       config: RolloutConfig, concurrency: int = 64, on_done=None) -> list[Trajectory]:
    """All items, `concurrency` trajectories in flight; `on_done(trajectory)` as each one finishes."""
    return await rollout_jobs([(item, config) for item in items], tasks, backend, sandbox, grader, concurrency,
                              on_done)


async def rollout_jobs(jobs: list[tuple[dict, RolloutConfig]], tasks: dict[str, Task], backend, sandbox: Sandbox,
                       grader: Grader, concurrency: int = 64, on_done=None) -> list[Trajectory]:
    """(item, config) pairs, e.g. several samples of each item in several modes, all batched together."""
    gate = asyncio.Semaphore(concurrency)
    track = getattr(backend, "track", contextlib.nullcontext)

    async def one(item, config):
        async with gate:
            with track():
                traj = await rollout(item, tasks[item["task"]], backend, sandbox, grader, config)
        if on_done is not None:
            on_done(traj)
        return traj

    return list(await asyncio.gather(*(one(item, config) for item, config in jobs)))
