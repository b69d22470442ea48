"""What a run executes on: the code sandbox for model-written scripts and the grader for answers, built from
one set of settings.

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
