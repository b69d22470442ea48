"""`r1ci synth`: SFT trajectories from a teacher, kept only when their final answer is correct.

Teachers: any backend (an OpenAI-compatible endpoint such as GPT-4o, as in the paper, or a local model),
run through the rollout engine; or the scripted teacher, which writes a short program for tasks whose
solution is one (each task's writer, `Task.teacher`), runs it in the real sandbox and splices in its real output.
For variety it picks among the protocol's prompt phrasings and its own wording, some of its trajectories
take two steps (a first script that fails or answers only part, then a second that fixes it), and some
run a second script that checks the answer before giving it (the paper's self-checking). Each kept
question also gets a text-mode counterpart: the writer's worked solution in words where it has one, else
the direct answer. At most `per_task` trajectories per task.
"""

import asyncio
import random
from dataclasses import dataclass
from pathlib import Path

from r1ci import protocol
from r1ci.backends import MODEL_SPECS, Sampling, load_backend
from r1ci.grading import Grader
from r1ci.records import write_atomic
from r1ci.rollout import RolloutSettings, rollout_many, rollout_settings, self_checked
from r1ci.sandbox import Limits, Sandbox
from r1ci.settings import check_positive, group, insecure_setting, setting, workers_setting
from r1ci.tasks import DataFolders, get_task, list_tasks, tasks_with_teacher
from r1ci.tasks.teaching import Solution
from r1ci.trajectory import Segment, Trajectory


@dataclass
class SynthSettings:
    teacher: str = setting("scripted", f"scripted (short solution programs, run for real), or a model: {MODEL_SPECS} "
                                       f"(e.g. GPT-4o).")
    split: str = setting("train", "Tasks of this split: train (SFT data) or test.", wired="split")
    tasks: list[str] | None = setting(None, "Task ids (default: the split's tasks the teacher can do; the scripted "
                                            "teacher knows 79 train tasks).", wired="tasks")
    per_task: int = setting(70, "At most this many trajectories per task (the paper: 70).")
    seed: int = setting(0, "Picks the questions (and the scripted teacher's phrasings).", wired="questions seed")
    candidates: int = setting(2, "Model teachers: tries per question, one prompt phrasing each.")
    temperature: float = setting(0.7, "Model teachers: sampling temperature.")
    rollout: RolloutSettings = rollout_settings(max_new_tokens=2048)  # the scripted teacher's scripts: its timeout
    data: DataFolders = group(DataFolders, prefixed=False, wired="data")  # where fixed datasets are read from
    two_step_share: float = setting(0.3, "Scripted teacher: share of two-step trajectories (a first script that "
                                         "fails or answers part, then a fix).")
    self_check_share: float = setting(0.2, "Scripted teacher: share of trajectories that run a second script to "
                                           "check the answer before giving it.")
    workers: int | None = workers_setting()
    insecure: bool = insecure_setting()

    def __post_init__(self):
        check_positive(self, "per_task", "candidates", "workers")
        for name in ("two_step_share", "self_check_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")

    def task_ids(self) -> list[str]:
        """The tasks to synthesise: those named (all must be in the split), else every task of the split that
        the teacher can do."""
        chosen = list_tasks(self.split)
        if self.tasks:
            wrong = sorted(set(self.tasks) - set(chosen))
            if wrong:
                raise ValueError(f"not {self.split} tasks: {', '.join(wrong)} (see `r1ci tasks list`)")
            chosen = [t for t in chosen if t in self.tasks]
        elif self.teacher == "scripted":
            chosen = [t for t in chosen if get_task(t).teacher is not None]
        if not chosen:
            raise ValueError(f"no {self.split} task for this teacher (the scripted teacher knows "
                             f"{', '.join(sorted(tasks_with_teacher()))})")
        return chosen


def synthesize(settings: SynthSettings, sandbox: Sandbox,
               grader: Grader) -> tuple[list[Trajectory], list[Trajectory] | None]:
    """The teacher's kept trajectories, and (scripted teacher only) their text-mode counterparts: scripts run in
    `sandbox`, answers graded by `grader`."""
    tasks = settings.task_ids()
    if settings.teacher == "scripted":
        return synthesize_pairs(tasks, settings.per_task, sandbox, grader, settings.seed, settings.two_step_share,
                                settings.self_check_share, Limits(timeout=settings.rollout.timeout), settings.data)
    return synthesize_with_backend(load_backend(settings.teacher), tasks, settings.per_task, sandbox, grader,
                                   settings.seed, settings.candidates, settings.temperature, settings.rollout,
                                   settings.data), None


OPENINGS = ("Let me compute this exactly with code.", "This is easy to get wrong by hand, so I will write a script.",
            "I'll solve it programmatically and print the result.", "A short Python program settles this.")
FIRST_TRIES = (  # (explanation of the first script, how it breaks)
    ("Let me start by checking the inputs.", lambda code: "print('inputs look fine')"),
    ("First attempt:", lambda code: code.replace("print(", "print(undefined_name, ", 1)),
)
FIXES = ("That was only part of it; now the full computation.", "The first script had a bug. Fixed version:")
CHECKS = ("The script prints {answer}, so the answer is {answer}\nBefore I answer, let me verify it another way.",
          "That gives {answer}. I think the answer is {answer}\nLet me check it with a second script first.")
CLOSINGS = ("The script prints {answer}, so the answer is <<<{answer}>>>.",
            "The computation gives {answer}.\n<<<{answer}>>>", "So the final answer is <<<{answer}>>>.")
CHECKED_CLOSINGS = ("The check passed, so the answer is <<<{answer}>>>.", "Verified.\n<<<{answer}>>>")


@dataclass
class Plan:
    item: dict
    solution: Solution
    prompt_variant: int
    steps: list[tuple[str, str]]  # (text before the script, script)
    check: str | None  # the text before the check script, when this trajectory checks its answer
    closing: str


def plan(item: dict, rng: random.Random, two_step_share: float, self_check_share: float = 0.0) -> Plan:
    solution = get_task(item["task"]).teacher(item)
    program = rng.choice(solution.programs)
    steps, check = [], None
    if rng.random() < two_step_share:
        intro, breaks = rng.choice(FIRST_TRIES)
        steps.append((intro, breaks(program)))
        steps.append((rng.choice(FIXES), program))
    else:
        steps.append((rng.choice(OPENINGS), program))
    if solution.check is not None and rng.random() < self_check_share:
        check = rng.choice(CHECKS)
    closing = rng.choice(CHECKED_CLOSINGS if check else CLOSINGS)
    return Plan(item, solution, rng.randrange(len(protocol.SYSTEM_PROMPTS["ci"])), steps, check, closing)


async def scripted_trajectory(p: Plan, sandbox: Sandbox, grader: Grader, limits: Limits) -> Trajectory:
    """Write the plan out as a ci trajectory, running each script for real. A check that does not pass makes
    the trajectory unusable (score 0): the teacher never answers against its own failed check."""
    item = p.item
    system = protocol.system_prompt("ci", p.prompt_variant)
    traj = Trajectory(id=item["id"], task=item["task"], mode="ci", question=item["question"],
                      reference=str(item["answer"]), system=system,
                      segments=[Segment("prompt", system + "\n\n" + item["question"])])

    async def run(text: str, code: str) -> str:
        traj.segments.append(Segment("model", f"{text}\n```python\n{code}\n```\n"))
        result = await sandbox.arun(code, limits)
        traj.segments.append(Segment("tool", protocol.tool_text(result), code=code, status=result.status))
        return result.stdout.strip()

    for text, code in p.steps:
        output = await run(text, code)
    answer = output.splitlines()[-1] if output else ""
    checked = True
    if p.check is not None:
        verdict = await run(p.check.format(answer=answer), f"answer = {answer!r}\n" + p.solution.check)
        checked = "check passed" in verdict
    traj.segments.append(Segment("model", p.closing.format(answer=answer)))
    traj.answer = protocol.final_answer(*traj.model_turns())
    graded = traj.answer is not None and checked
    traj.score = (await grader.agrade(get_task(item["task"]), traj.answer, item)).score if graded else 0.0
    traj.stop = "answer"
    traj.metrics = {"code_calls": len(p.steps) + (p.check is not None), "turns": traj.turns(), "timeouts": 0,
                    "self_check": self_checked(traj), "teacher": "scripted", "prompt_variant": p.prompt_variant}
    return traj


def text_counterpart(traj: Trajectory, worked: str | None, prompt_variant: int = 0) -> Trajectory:
    """The same question answered in text mode: the writer's worked solution, or only the final answer."""
    system = protocol.system_prompt("text", prompt_variant)
    reply = f"{worked}\n<<<{traj.answer}>>>" if worked else f"<<<{traj.answer}>>>"
    return Trajectory(id=traj.id, task=traj.task, mode="text", question=traj.question, reference=traj.reference,
                      system=system, segments=[Segment("prompt", system + "\n\n" + traj.question),
                                               Segment("model", reply)],
                      answer=traj.answer, score=traj.score, stop="answer",
                      metrics={"code_calls": 0, "teacher": "scripted", "worked": worked is not None})


def synthesize_pairs(tasks: list[str], per_task: int, sandbox: Sandbox, grader: Grader, seed: int = 0,
                     two_step_share: float = 0.3, self_check_share: float = 0.2, limits: Limits | None = None,
                     data: DataFolders | None = None) -> tuple[list[Trajectory], list[Trajectory]]:
    """Up to `per_task` correct ci trajectories per task, from questions of `seed` (rejection-sampled), and
    their text-mode counterparts on exactly the same questions."""
    known = tasks_with_teacher()
    unknown = [t for t in tasks if t not in known]
    if unknown:
        raise ValueError(f"the scripted teacher has no program for {', '.join(unknown)}; it knows "
                         f"{', '.join(sorted(known))}")
    rng = random.Random(seed)
    plans = [plan(item, rng, two_step_share, self_check_share)
             for t in tasks for item in get_task(t, data).items(per_task, seed=seed)]
    limits = limits or Limits()

    async def run_all():
        return await asyncio.gather(*(scripted_trajectory(p, sandbox, grader, limits) for p in plans))

    kept = [(t, p) for t, p in zip(asyncio.run(run_all()), plans) if t.correct]
    text = [text_counterpart(t, p.solution.worked, rng.randrange(len(protocol.SYSTEM_PROMPTS["text"])))
            for t, p in kept]
    return [t for t, _ in kept], text


def synthesize_scripted(tasks: list[str], per_task: int, sandbox: Sandbox, grader: Grader, seed: int = 0,
                        two_step_share: float = 0.3, self_check_share: float = 0.2,
                        limits: Limits | None = None) -> list[Trajectory]:
    """The ci trajectories of `synthesize_pairs`."""
    return synthesize_pairs(tasks, per_task, sandbox, grader, seed, two_step_share, self_check_share, limits)[0]


def synthesize_with_backend(backend, tasks: list[str], per_task: int, sandbox: Sandbox, grader: Grader,
                            seed: int = 0, candidates: int = 2, temperature: float = 0.7,
                            rollout: RolloutSettings = RolloutSettings(max_new_tokens=2048),
                            data: DataFolders | None = None) -> list[Trajectory]:
    """A model teacher: `candidates` rollouts per question, each with another prompt phrasing; keep the correct
    ones, at most `per_task` per task, at most one per question."""
    task_map = {t: get_task(t, data) for t in tasks}
    items = [item for task in task_map.values() for item in task.items(per_task, seed=seed)]
    kept: dict[str, Trajectory] = {}
    for k in range(candidates):
        todo = [item for item in items if item["id"] not in kept]
        config = rollout.config("ci", Sampling(temperature=temperature, seed=seed * 1000 + k), prompt_variant=k)
        for traj in asyncio.run(rollout_many(todo, task_map, backend, sandbox, grader, config)):
            if traj.correct:
                traj.metrics = {**traj.metrics, "teacher": getattr(backend, "name", "model"), "prompt_variant": k}
                kept[traj.id] = traj
    return list(kept.values())


def write_trajectories(trajectories: list[Trajectory], out: Path) -> None:
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
    checked = sum(bool(t.metrics.get("self_check")) for t in trajectories)
    return {"trajectories": len(trajectories), "multi_turn": multi, "self_check": checked, "by_task": by_task}

