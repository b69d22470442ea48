"""What a run executes on: the code sandbox for model-written scripts and the grader for answers, built from
one set of settings; and `run_apart`, for a piece of a run that must have a process of its own.

    with Runtime(workers=8, insecure=False) as runtime:
        rollout_many(items, tasks, backend, runtime.sandbox, runtime.grader, config)

`insecure` (no bubblewrap on this machine) applies to both, so no run grades with other isolation than it runs
code with. Nothing here is global: each stage that runs code or grades builds one `Runtime` (or is handed a
sandbox and a grader) and passes both down explicitly. Not here: the pools' bounds (r1ci.sandbox,
r1ci.grading); the grading pool's size, which is the grader's own (not `workers`).
"""

from r1ci.grading import Grader
from r1ci.sandbox import LocalSandbox


class Runtime:
    """A `LocalSandbox` of `workers` (default: the CPUs) and a `Grader`, both without bubblewrap when
    `insecure`. A context manager: leaving it closes both."""

    def __init__(self, workers: int | None = None, insecure: bool = False):
        self.workers, self.insecure = workers, insecure
        self.sandbox = LocalSandbox(workers, insecure=insecure)
        self.grader = Grader(insecure=insecure)

    def close(self) -> None:
        try:
            self.grader.close()
        finally:
            self.sandbox.close()

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_apart(function, *args) -> None:
    """`function(*args)` in a process of its own, spawned (it shares no state with this one: `function` and `args`
    must pickle), which ends without its exit handlers once the function returns; a failure there is a
    RuntimeError here (its traceback is printed there). For a piece that holds an engine this process must not
    keep: a colocated vLLM engine frees its memory only when its process ends (on a CPU each GRPO stage's would
    otherwise stay: 5 GiB a stage), and a process holding a vLLM engine and a transformers model can hang at exit."""
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(target=_run_and_end, args=(function, args))
    process.start()
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{function.__name__} failed in its own process (exit code {process.exitcode}; its "
                           "traceback is above)")


def _run_and_end(function, args) -> None:
    import os
    import sys
    import traceback

    code = 0
    try:
        function(*args)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
