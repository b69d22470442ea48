"""Grading off the host: every model answer is scored inside a sandbox, bounded in time and memory.

Checkers take untrusted text. Some interpret it (reasoning-gym's integration and countdown scorers hand it
to sympy, MATH answers go through math-verify), and even a pure parser can be made to run for minutes
(`9**9**9`, `1e100000000`, a long `P ∧ P ∧ …`). So no checker runs in the host process: a `Grader` sends
(task, answer, item) records, as data on stdin, to a sandbox pool of its own whose zygote has r1ci's tasks,
reasoning-gym, sympy and math-verify pre-loaded. There, r1ci's own code (`grade_records`) runs each task's
check (`Task.check`) and prints one result line per record, naming the record; the host only parses those
lines.

A `Grader` is a service passed in, like the code sandbox: a run builds one (`r1ci.runtime.Runtime` builds
both from the same settings) and hands it to whatever grades. There is no process-wide grader.

Two passes, each in a pool of its own, so that no answer's grade waits behind another's slow one. The quick
pass grades every answer, `BATCH` per script, `QUICK_WORKERS` scripts at once (more than the CPUs: a fast
grade shares the CPU with slow ones rather than waiting for a slot), and gives each record `QUICK_CPU`
seconds of CPU; every reference answer of the suite needs under 0.1 s. A record that needs more, or ends its
script any other way, is graded again alone in the full pass (`FULL_WORKERS` at once), and the records after
it go on in a fresh quick script. There a record that runs out of time or memory scores 0 with the reason
(timed out, out of memory, killed). Every script has `memory_mb`, so grading holds at most
(QUICK_WORKERS + FULL_WORKERS) x memory_mb.

Bounds: a quick script may run `2 x timeout` seconds and starts no new record after `timeout` (the host sends
the rest again); a script of one record, such as every full-pass one, may run `timeout` + 1 s.

Framing: the wire is ASCII both ways (JSON with every other character escaped), one record or result a line,
split on "\n" only, so no character of an answer can split or join lines. Each result line carries its
record's index, and a script's output room holds a full line for every record (`RESULT_BYTES`), so it is
never clipped; a record with no line of its own is graded again, never given another's.

Not here: what a checker decides (r1ci/tasks/*: tasks never import this module), and the sandbox for
model-written scripts (a separate pool: this one runs only r1ci's code, with answers as data).
"""

import asyncio
import json
import logging
import os
import signal
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
GRADE_MEMORY_MB = 256    # memory a grading script may add to the pre-loaded interpreter (each reference: < 64)
STARTUP = 1.0            # seconds a grading script may take to start, read its records and report
BATCH = 128              # records per quick grading script (a fork per batch, not per answer)
QUICK_CPU = 1.0          # CPU seconds a record gets in the quick pass; one that needs more is graded alone
QUICK_WORKERS = 16       # quick grading scripts at once
FULL_WORKERS = 2         # answers graded alone with the full `timeout` at once
MAX_REASON = 300         # characters of a grade's reason sent back
MARK = "r1ci-grade "     # prefix of a result line: MARK + JSON [record index, score, reason]
# The longest result line: JSON escapes a character in at most 12 ASCII bytes (a surrogate pair).
RESULT_BYTES = len(MARK) + 12 * MAX_REASON + 64
PRELOAD = ("numpy", "sympy", "reasoning_gym", "math_verify", "r1ci")
# The code sandbox's heavy warm-up first: numpy and sympy load some submodules lazily, which a worker could
# not do where the environment lives under /tmp (each worker's private /tmp hides it).
WARMUP = HEAVY_WARMUP + "from r1ci.grading import warm_up\nwarm_up()\n"
SCRIPT = "from r1ci.grading import grade_records\ngrade_records()\n"


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

    Starts no new record once the header's `budget` seconds have passed; the host sends the rest again. With
    the header's `quick_cpu`, a record that uses more CPU seconds than that ends the script (SIGPROF's default
    action, which no C-level loop can delay); the host grades it again with the full bounds.
    """
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # a checker's own output, even from C, goes to stderr: stdout holds the result lines only
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    start = time.monotonic()
    header, *lines = sys.stdin.read().rstrip("\n").split("\n")
    settings = json.loads(header)
    for index, line in enumerate(lines):
        if index and time.monotonic() - start > settings["budget"]:
            break
        record = json.loads(line)
        signal.setitimer(signal.ITIMER_PROF, settings["quick_cpu"] or 0)
        try:
            grade = task_for(record["task"], record.get("config") or {}).check(record["answer"], record["item"])
        except BaseException as exc:  # e.g. an unknown task id: that record fails, not the batch
            grade = Grade(0.0, f"cannot grade: {type(exc).__name__}: {exc}")
        signal.setitimer(signal.ITIMER_PROF, 0)
        out.write(MARK + json.dumps([index, grade.score, grade.reason[:MAX_REASON]]) + "\n")
        out.flush()


# --- the host side ----------------------------------------------------------------------------------------

def package_paths() -> tuple[str, ...]:
    """Where the sandbox finds r1ci: nothing extra when it is installed, its checkout (bound read-only, in the
    grading pool only: model-written scripts never see it) when it is editable."""
    root = Path(r1ci.__file__).resolve().parent.parent
    return () if root.name in ("site-packages", "dist-packages") else (str(root),)


class Grader:
    """Grades answers in two sandbox pools of its own, quick and full (each started on first use).

    timeout: seconds one answer may take; memory_mb: memory a grading script may use on top of the
    pre-loaded interpreter; workers: quick grading scripts at once (the full pass runs `FULL_WORKERS`);
    insecure: no bubblewrap (rlimits and timeouts only; still another process, never the host's).
    A context manager: leaving it closes the pools. One process's: a forked child builds its own (a pool's
    threads and sockets do not survive fork).
    """

    def __init__(self, timeout: float = GRADE_TIMEOUT, memory_mb: int = GRADE_MEMORY_MB,
                 workers: int = QUICK_WORKERS, insecure: bool = False):
        self.timeout = timeout
        self.limits = Limits(timeout=2 * timeout, memory_mb=memory_mb, output_bytes=BATCH * RESULT_BYTES)
        self.workers = {"quick": workers, "full": FULL_WORKERS}
        self.insecure = insecure
        self.pid = os.getpid()
        self._pools: dict[str, LocalSandbox] = {}
        self._lock = threading.Lock()

    def pool(self, name: str) -> LocalSandbox:
        """The "quick" or the "full" pass's sandbox pool."""
        with self._lock:
            if name not in self._pools:
                self._pools[name] = LocalSandbox(workers=self.workers[name], limits=self.limits,
                                                 heavy_modules=PRELOAD, heavy_warmup=WARMUP,
                                                 extra_paths=package_paths(), insecure=self.insecure, spares=1,
                                                 eager=False)
            return self._pools[name]

    def grade(self, task: Task, answer: Any, item: Item) -> Grade:
        return self.grade_many([(task, answer, item)])[0]

    def grade_many(self, requests: list[tuple[Task, Any, Item]]) -> list[Grade]:
        """Grades in the order of `requests`: `BATCH` records per quick script, scripts in parallel; a record
        that needs more than the quick pass is graded alone in the full one while the others go on."""
        grades: list[Grade | None] = [task.precheck(answer, item) for task, answer, item in requests]
        todo = [i for i, g in enumerate(grades) if g is None]
        full: dict[int, Future] = {}
        while todo:
            batches = [todo[k:k + BATCH] for k in range(0, len(todo), BATCH)]
            futures = [self._submit("quick", [requests[i] for i in batch]) for batch in batches]
            todo = []
            for batch, future in zip(batches, futures):
                written, stopped = self._collect(future, len(batch))
                for k, (i, grade) in enumerate(zip(batch, written)):
                    if k == stopped:
                        full[i] = self._submit("full", [requests[i]])
                    elif grade is None:
                        todo.append(i)
                    else:
                        grades[i] = grade
        for i, future in full.items():
            grades[i] = self._collect(future, 1)[0][0]
        return grades

    async def agrade(self, task: Task, answer: Any, item: Item) -> Grade:
        """`grade` for asyncio: the event loop keeps running while the sandbox grades, and while it starts (or
        restarts) a grading pool, which takes seconds and so is done in a thread."""
        grade = task.precheck(answer, item)
        if grade is None:
            grade, stopped = await self._agrade_in("quick", (task, answer, item))
            if stopped is not None:
                grade, _ = await self._agrade_in("full", (task, answer, item))
        return grade

    async def _agrade_in(self, pass_name: str, request: tuple[Task, Any, Item]) -> tuple[Grade, int | None]:
        future = await asyncio.to_thread(self._submit, pass_name, [request])
        await asyncio.wait([asyncio.wrap_future(future)])
        (grade,), stopped = self._collect(future, 1)
        return grade, stopped

    def _submit(self, pass_name: str, records: list[tuple[Task, Any, Item]]) -> "Future[Result]":
        header = {"budget": self.timeout, "quick_cpu": QUICK_CPU if pass_name == "quick" else None}
        # default=str: a few reasoning-gym items keep a Fraction in their metadata (gsm_symbolic); no checker
        # reads those values, and a grade must not fail on how its item is stored
        lines = [json.dumps(header)] + [json.dumps({"task": task.id, "config": getattr(task, "config", {}),
                                                    "answer": answer, "item": item}, default=str)
                                        for task, answer, item in records]
        # One record starts at once, so its script needs little more than `timeout`; see the module's bounds.
        wall = 2 * self.timeout if len(records) > 1 else self.timeout + STARTUP
        return self.pool(pass_name).submit(SCRIPT, replace(self.limits, timeout=wall),
                                           stdin="\n".join(lines) + "\n")

    def _collect(self, future: "Future[Result]", n: int) -> tuple[list[Grade | None], int | None]:
        """The grade each record's own result line gives (None: grade it again), and the record the script
        stopped on, if it ended abnormally or wrote no line: the first without a line, which scores 0 with the
        reason here (the quick pass sends it to the full one instead)."""
        try:
            result = future.result()
        except SandboxUnavailable:  # this machine cannot isolate: no answer can be graded safely here
            raise
        except SandboxError as exc:  # the pool itself failed (it restarts): these answers were not graded
            log.warning("grading failed in the sandbox: %s", exc)
            reason = f"grading failed: the grading sandbox broke ({str(exc).splitlines()[0][:200]})"
            return [Grade(0.0, reason)] * n, None
        grades: list[Grade | None] = [None] * n
        for line in result.stdout.split("\n"):
            if not line.startswith(MARK):
                continue
            try:
                index, score, reason = json.loads(line[len(MARK):])
                grade = Grade(float(score), str(reason))
            except (ValueError, TypeError):  # not a whole result line
                continue
            if type(index) is int and 0 <= index < n and grades[index] is None:
                grades[index] = grade
        missing = [k for k, grade in enumerate(grades) if grade is None]
        if missing and (not result.ok or len(missing) == n):
            grades[missing[0]] = Grade(0.0, self._failure(result))
            return grades, missing[0]
        return grades, None

    def _failure(self, result: Result) -> str:
        if result.timed_out:
            return f"grading timed out (more than {self.timeout:g} s)"
        if result.memory_exceeded:
            return f"grading ran out of memory (limit {self.limits.memory_mb} MB)"
        tail = result.stderr.strip().splitlines()[-1:] or [""]
        return f"grading failed: the grader {result.message(self.limits)} {tail[0][:200]}".strip()

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
