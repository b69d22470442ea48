"""`r1ci synth`: SFT trajectories from a teacher, kept only when their final answer is correct.

Teachers: any backend (an OpenAI-compatible endpoint such as GPT-4o, as in the paper, or a local model),
run through the rollout engine; or the scripted teacher, which writes a short program for tasks whose
solution is one, runs it in the real sandbox and splices in its real output. For variety it picks among
the protocol's prompt phrasings and its own, and some of its trajectories take two steps: a first script
that fails or answers only part, then a second that fixes it. At most `per_task` trajectories per task.
"""

import ast
import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

from r1ci import protocol
from r1ci.sandbox import Limits, Sandbox
from r1ci.tasks import get_task
from r1ci.trajectory import Segment, Trajectory


def _meta(item: dict, key: str):
    value = item["metadata"][key]
    try:
        return ast.literal_eval(value) if isinstance(value, str) else value
    except (ValueError, SyntaxError):
        return value


# Program writers: item -> a self-contained script that prints the answer in the task's format.
def _number_multiply(item):
    return f"import math\nnumbers = {_meta(item, 'numbers')!r}\nprint(math.prod(numbers))"


def _letters(item):
    return (f"word = {_meta(item, 'word')!r}\nletter = {_meta(item, 'letter')!r}\n"
            "positions = [i + 1 for i, c in enumerate(word) if c == letter]\n"
            "print(f'Count: {len(positions)}, Positions: {positions}')")


def _base_conversion(item):
    return (f"value = int({str(item['metadata']['source_repr'])!r}, {_meta(item, 'source_base')})\n"
            f"base = {_meta(item, 'target_base')}\ndigits = '0123456789abcdefghijklmnopqrstuvwxyz'\n"
            "out = ''\nwhile value:\n    out = digits[value % base] + out\n    value //= base\nprint(out or '0')")


def _basic_arithmetic(item):
    return (f"from fractions import Fraction\nexpression = {_meta(item, 'expression')!r}\n"
            "result = eval(expression.replace('/', '*Fraction(1)/'))\n"
            "print(result.numerator if result.denominator == 1 else float(result))")


def _prime_factorization(item):
    return (f"n = {_meta(item, 'number')}\nfactors, d = [], 2\nwhile d * d <= n:\n    while n % d == 0:\n"
            "        factors.append(d)\n        n //= d\n    d += 1\nif n > 1:\n    factors.append(n)\n"
            "print(' × '.join(map(str, factors)))")


def _number_sorting(item):
    return (f"numbers = {_meta(item, 'original_numbers')!r}\n"
            f"ordered = sorted(numbers, key=float, reverse={_meta(item, 'direction') == 'descending'})\n"
            "print(ordered)")


def _expression(item, end):
    """BBH questions that are one Python expression followed by `end`: the program evaluates it."""
    expression = item["question"].split(end)[0].strip()
    return f"print({expression})"


def _boolean_expressions(item):
    return _expression(item, " is\n")


def _multistep_arithmetic(item):
    return _expression(item, " =\n")


PROGRAMS = {"symbench/number_multiply": _number_multiply, "bbh/boolean_expressions": _boolean_expressions,
            "bbh/multistep_arithmetic_two": _multistep_arithmetic, "symbench/letters": _letters,
            "rg/base_conversion": _base_conversion, "rg/basic_arithmetic": _basic_arithmetic,
            "rg/prime_factorization": _prime_factorization, "rg/number_sorting": _number_sorting}

OPENINGS = ("Let me compute this exactly with code.", "This is easy to get wrong by hand, so I will write a script.",
            "I'll solve it programmatically and print the result.", "A short Python program settles this.")
FIRST_TRIES = (  # (explanation of the first script, how it breaks)
    ("Let me start by checking the inputs.", lambda code: "print('inputs look fine')"),
    ("First attempt:", lambda code: code.replace("print(", "print(undefined_name, ", 1)),
)
FIXES = ("That was only part of it; now the full computation.", "The first script had a bug. Fixed version:")
CLOSINGS = ("The script prints {answer}, so the answer is <<<{answer}>>>.",
            "The computation gives {answer}.\n<<<{answer}>>>", "So the final answer is <<<{answer}>>>.")


@dataclass
class Plan:
    item: dict
    prompt_variant: int
    steps: list[tuple[str, str]]  # (text before the script, script)
    closing: str


def plan(item: dict, rng: random.Random, two_step_share: float) -> Plan:
    program = PROGRAMS[item["task"]](item)
    steps = []
    if rng.random() < two_step_share:
        intro, breaks = rng.choice(FIRST_TRIES)
        steps.append((intro, breaks(program)))
        steps.append((rng.choice(FIXES), program))
    else:
        steps.append((rng.choice(OPENINGS), program))
    return Plan(item, rng.randrange(len(protocol.SYSTEM_PROMPTS["ci"])), steps, rng.choice(CLOSINGS))


async def scripted_trajectory(p: Plan, sandbox: Sandbox, limits: Limits) -> Trajectory:
    """Write the plan out as a ci trajectory, running each script for real."""
    item = p.item
    system = protocol.system_prompt("ci", p.prompt_variant)
    traj = Trajectory(id=item["id"], task=item["task"], mode="ci", question=item["question"],
                      reference=str(item["answer"]), system=system,
                      segments=[Segment("prompt", system + "\n\n" + item["question"])])
    output = ""
    for text, code in p.steps:
        traj.segments.append(Segment("model", f"{text}\n```python\n{code}\n```\n"))
        result = await sandbox.arun(code, limits)
        traj.segments.append(Segment("tool", protocol.tool_text(result), code=code, status=result.status))
        output = result.stdout.strip()
    answer = output.splitlines()[-1] if output else ""
    traj.segments.append(Segment("model", p.closing.format(answer=answer)))
    traj.answer = protocol.final_answer(traj.model_text())
    traj.score = (await get_task(item["task"]).agrade(traj.answer, item)).score if traj.answer is not None else 0.0
    traj.stop = "answer"
    code_calls = len(p.steps)
    traj.metrics = {"code_calls": code_calls, "turns": traj.turns(), "timeouts": 0, "self_check": False,
                    "teacher": "scripted", "prompt_variant": p.prompt_variant}
    return traj


def synthesize_scripted(tasks: list[str], per_task: int, sandbox: Sandbox, seed: int = 0,
                        two_step_share: float = 0.3, limits: Limits | None = None) -> list[Trajectory]:
    """Up to `per_task` correct trajectories per task, from questions of `seed` (rejection-sampled)."""
    unknown = [t for t in tasks if t not in PROGRAMS]
    if unknown:
        raise ValueError(f"the scripted teacher has no program for {', '.join(unknown)}; it knows "
                         f"{', '.join(sorted(PROGRAMS))}")
    rng = random.Random(seed)
    plans = [plan(item, rng, two_step_share) for t in tasks for item in get_task(t).items(per_task, seed=seed)]
    limits = limits or Limits(timeout=10)

    async def run_all():
        return await asyncio.gather(*(scripted_trajectory(p, sandbox, limits) for p in plans))

    return [t for t in asyncio.run(run_all()) if t.correct]


def synthesize_with_backend(backend, tasks: list[str], per_task: int, sandbox: Sandbox, seed: int = 0,
                            candidates: int = 2, temperature: float = 0.7, max_new_tokens: int = 2048,
                            limits: Limits | None = None) -> list[Trajectory]:
    """A model teacher: `candidates` rollouts per question, each with another prompt phrasing; keep the correct
    ones, at most `per_task` per task, at most one per question."""
    from r1ci.backends import Sampling
    from r1ci.rollout import RolloutConfig, rollout_many

    items = [item for t in tasks for item in get_task(t).items(per_task, seed=seed)]
    task_map = {t: get_task(t) for t in tasks}
    kept: dict[str, Trajectory] = {}
    for k in range(candidates):
        todo = [item for item in items if item["id"] not in kept]
        config = RolloutConfig(max_new_tokens=max_new_tokens, prompt_variant=k, limits=limits or Limits(timeout=10),
                               sampling=Sampling(temperature=temperature, seed=seed * 1000 + k))
        for traj in asyncio.run(rollout_many(todo, task_map, backend, sandbox, config)):
            if traj.correct:
                traj.metrics = {**traj.metrics, "teacher": getattr(backend, "name", "model"), "prompt_variant": k}
                kept[traj.id] = traj
    return list(kept.values())


def write_trajectories(trajectories: list[Trajectory], out: Path) -> None:
    from r1ci.atomic import write_atomic

    write_atomic(out, "".join(t.to_json() + "\n" for t in trajectories))


def read_trajectories(path: Path) -> list[Trajectory]:
    out = []
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        if line.strip():
            try:
                out.append(Trajectory.from_json(line))
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"{path}, line {number}, is not a trajectory: {exc}") from exc
    return out


def summary(trajectories: list[Trajectory]) -> dict:
    by_task: dict[str, int] = {}
    for t in trajectories:
        by_task[t.task] = by_task.get(t.task, 0) + 1
    multi = sum(t.metrics.get("code_calls", 0) > 1 for t in trajectories)
    return {"trajectories": len(trajectories), "multi_turn": multi, "by_task": by_task}

