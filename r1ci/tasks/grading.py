"""Grading off the host: every model answer is scored inside a sandbox, bounded in time and memory.

Checkers take untrusted text. Some interpret it (reasoning-gym's integration and countdown scorers hand it
to sympy, MATH answers go through math-verify), and even a pure parser can be made to run for minutes
(`9**9**9`, `1e100000000`, a long `P ∧ P ∧ …`). So `Task.grade` runs no checker in the host process: a
`Grader` sends (task, answer, item) records, as data on stdin, to a sandbox pool of its own whose zygote has
r1ci's tasks, reasoning-gym, sympy and math-verify pre-loaded. There, r1ci's own code (`grade_records`)
runs each task's checker (`Task.grade_in_process`) and prints one result line per record; the host only
parses those lines.

Bounds: a grading script may run `2 x timeout` seconds (one record: `timeout` + 1 s) and starts no new
record after `timeout`, so the record that is running when a script dies had at least `timeout` seconds; it scores 0 with the
reason (timed out, out of memory, killed), and the records after it go to a fresh script. Nothing else is
affected. Grading is asynchronous (`agrade`) for the rollout engine, so a slow answer holds up only its own
trajectory.

Not here: what a checker decides (r1ci/tasks/*), and the sandbox for model-written scripts (a separate pool:
this one runs only r1ci's code, with answers as data).
"""

import asyncio
import json
import logging
import os
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

import r1ci
from r1ci.sandbox import Limits, LocalSandbox, Result, SandboxError, SandboxUnavailable
from r1ci.sandbox.local import HEAVY_WARMUP
from r1ci.tasks.base import Grade, Item, Task

log = logging.getLogger(__name__)

GRADE_TIMEOUT = 5.0      # seconds one answer may take to grade; past it the answer scores 0
GRADE_MEMORY_MB = 1024   # memory a grading script may add to the pre-loaded interpreter
STARTUP = 1.0            # seconds a grading script may take to start, read its records and report
BATCH = 128              # records per grading script (a fork per batch, not per answer)
MAX_REASON = 300         # characters of a grade's reason sent back
PRELOAD = ("numpy", "sympy", "reasoning_gym", "math_verify", "r1ci")
# The code sandbox's heavy warm-up first: numpy and sympy load some submodules lazily, which a worker could
# not do where the environment lives under /tmp (each worker's private /tmp hides it).
WARMUP = HEAVY_WARMUP + "from r1ci.tasks.grading import warm_up\nwarm_up()\n"
SCRIPT = "from r1ci.tasks.grading import grade_records\ngrade_records()\n"
MARK = "r1ci-grade "     # prefix of a result line; anything else on stdout is ignored


# --- inside the grading sandbox ---------------------------------------------------------------------------

def warm_up() -> None:
    """Run once in the grading zygote: build each task's scorer, so every forked grader starts ready."""
    from r1ci.tasks import list_tasks, get_task
    from r1ci.tasks.symbench.mathdata import math_equal

    for task_id in list_tasks() + list_tasks(source="ood"):  # the OOD benchmarks too: built, no data loaded
        task = get_task(task_id)
        if hasattr(task, "scorer"):  # reasoning-gym: some read data files, which a worker may not reach
            task.scorer
    math_equal("\\frac{1}{2}", "0.5")  # math-verify builds its parsers on first use


def task_for(task_id: str, config: dict) -> Task:
    from r1ci.tasks import get_task

    task = get_task(task_id)
    if config and config != getattr(task, "config", {}):
        task = type(task)(task.name, task.split, **config)
    return task


def grade_records() -> None:
    """Grade the JSON records on stdin (a header line, then one record a line), one result line each.

    Starts no new record once the header's `budget` seconds have passed; the host sends the rest again.
    """
    out = os.fdopen(os.dup(1), "w")
    sys.stdout = sys.stderr  # a checker's own prints must not mix with the results
    start = time.monotonic()
    lines = sys.stdin.read().splitlines()
    budget = json.loads(lines[0])["budget"]
    for n, line in enumerate(lines[1:]):
        if n and time.monotonic() - start > budget:
            break
        record = json.loads(line)
        try:
            grade = task_for(record["task"], record.get("config") or {}).grade_in_process(record["answer"],
                                                                                           record["item"])
        except BaseException as exc:  # e.g. an unknown task id: that record fails, not the batch
            grade = Grade(0.0, f"cannot grade: {type(exc).__name__}: {exc}")
        out.write(MARK + json.dumps([grade.score, grade.reason[:MAX_REASON]]) + "\n")
        out.flush()


# --- the host side ----------------------------------------------------------------------------------------

def package_paths() -> tuple[str, ...]:
    """Where the sandbox finds r1ci: nothing extra when it is installed, its checkout (bound read-only, in the
    grading pool only: model-written scripts never see it) when it is editable."""
    root = Path(r1ci.__file__).resolve().parent.parent
    return () if root.name in ("site-packages", "dist-packages") else (str(root),)


class Grader:
    """Grades answers in a sandbox pool of its own (started on first use).

    timeout: seconds one answer may take; memory_mb: memory a grading script may use on top of the
    pre-loaded interpreter; workers: grading scripts at once (default 2); insecure: no bubblewrap (rlimits
    and timeouts only; still another process, never the host's).
    """

    def __init__(self, timeout: float = GRADE_TIMEOUT, memory_mb: int = GRADE_MEMORY_MB, workers: int = 2,
                 insecure: bool = False):
        self.timeout = timeout
        self.limits = Limits(timeout=2 * timeout, memory_mb=memory_mb, output_bytes=4 * BATCH * (MAX_REASON + 64))
        self.workers, self.insecure = workers, insecure
        self.pid = os.getpid()
        self._sandbox: LocalSandbox | None = None
        self._lock = threading.Lock()

    @property
    def sandbox(self) -> LocalSandbox:
        with self._lock:
            if self._sandbox is None:
                self._sandbox = LocalSandbox(workers=self.workers, limits=self.limits, heavy_modules=PRELOAD,
                                             heavy_warmup=WARMUP, extra_paths=package_paths(),
                                             insecure=self.insecure, spares=1, eager=False)
            return self._sandbox

    def grade(self, task: Task, answer: Any, item: Item) -> Grade:
        return self.grade_many([(task, answer, item)])[0]

    def grade_many(self, requests: list[tuple[Task, Any, Item]]) -> list[Grade]:
        """Grades in the order of `requests`, `BATCH` records per script, scripts in parallel."""
        grades: list[Grade | None] = [task.precheck(answer, item) for task, answer, item in requests]
        todo = [i for i, g in enumerate(grades) if g is None]
        while todo:
            batches = [todo[k:k + BATCH] for k in range(0, len(todo), BATCH)]
            futures = [self._submit([requests[i] for i in batch]) for batch in batches]
            todo = []
            for batch, future in zip(batches, futures):
                for i, grade in zip(batch, self._collect(future, len(batch))):
                    if grade is None:
                        todo.append(i)
                    else:
                        grades[i] = grade
        return grades

    async def agrade(self, task: Task, answer: Any, item: Item) -> Grade:
        """`grade` for asyncio: the event loop keeps running while the sandbox grades, and while it starts (or
        restarts) the grading pool, which takes seconds and so is done in a thread."""
        grade = task.precheck(answer, item)
        while grade is None:
            future = await asyncio.to_thread(self._submit, [(task, answer, item)])
            await asyncio.wait([asyncio.wrap_future(future)])
            grade = self._collect(future, 1)[0]
        return grade

    def _submit(self, records: list[tuple[Task, Any, Item]]) -> "Future[Result]":
        lines = [json.dumps({"budget": self.timeout})]
        # default=str: a few reasoning-gym items keep a Fraction in their metadata (gsm_symbolic); no checker
        # reads those values, and a grade must not fail on how its item is stored
        lines += [json.dumps({"task": task.id, "config": getattr(task, "config", {}), "answer": answer,
                              "item": item}, ensure_ascii=False, default=str) for task, answer, item in records]
        # One record starts at once, so its script needs little more than `timeout`; see the module's bounds.
        wall = 2 * self.timeout if len(records) > 1 else self.timeout + STARTUP
        return self.sandbox.submit(SCRIPT, replace(self.limits, timeout=wall), stdin="\n".join(lines) + "\n")

    def _collect(self, future: "Future[Result]", n: int) -> list[Grade | None]:
        """The grades a script wrote; the record it died on scores 0; None for records to send again."""
        try:
            result = future.result()
        except SandboxUnavailable:  # this machine cannot isolate: no answer can be graded safely here
            raise
        except SandboxError as exc:  # the pool itself failed (it restarts): these answers were not graded
            log.warning("grading failed in the sandbox: %s", exc)
            reason = f"grading failed: the grading sandbox broke ({str(exc).splitlines()[0][:200]})"
            return [Grade(0.0, reason)] * n
        grades: list[Grade | None] = []
        for line in result.stdout.splitlines():
            if line.startswith(MARK) and len(grades) < n:
                try:
                    score, reason = json.loads(line[len(MARK):])
                    grades.append(Grade(float(score), str(reason)))
                except (ValueError, TypeError):  # a line cut by the output limit: it and the rest go again
                    break
        if len(grades) < n and (not result.ok or not grades):
            grades.append(Grade(0.0, self._failure(result)))
        return grades + [None] * (n - len(grades))

    def _failure(self, result: Result) -> str:
        if result.timed_out:
            return f"grading timed out (more than {self.timeout:g} s)"
        if result.memory_exceeded:
            return f"grading ran out of memory (limit {self.limits.memory_mb} MB)"
        tail = result.stderr.strip().splitlines()[-1:] or [""]
        return f"grading failed: the grader {result.message(self.limits)} {tail[0][:200]}".strip()

    def close(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None


_default: Grader | None = None
_default_lock = threading.Lock()


def default_grader() -> Grader:
    """The process's grader (a forked child gets its own: a pool's threads and sockets do not survive fork)."""
    global _default
    with _default_lock:
        if _default is None or _default.pid != os.getpid():
            _default = Grader()
        return _default


def set_default_grader(grader: Grader) -> None:
    """Use `grader` for every `Task.grade` of this process (e.g. `Grader(insecure=True)` without bubblewrap)."""
    global _default
    with _default_lock:
        _default = grader


def use_insecure_grading(insecure: bool) -> None:
    """A run whose code sandbox is insecure (no bubblewrap here) grades without bubblewrap too; else a no-op.

    Grading still happens in separate processes with wall and memory bounds, never in this one.
    """
    if insecure and not default_grader().insecure:
        set_default_grader(Grader(insecure=True))
