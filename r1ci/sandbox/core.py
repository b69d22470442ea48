"""What every sandbox backend shares: the limits a script runs under, the result it gives, and the sync and
asyncio front ends (`run`, `run_many`, `arun`, `arun_many`, sessions) over one primitive, `submit`."""

import asyncio
import itertools
import math
from concurrent.futures import Future
from dataclasses import asdict, dataclass, fields
from signal import Signals

from r1ci.settings import setting


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the script): its process died, or a remote service broke."""


class SandboxUnavailable(SandboxError):
    """The sandbox cannot start here; the message says what is missing and how to get it."""


# The largest value each limit accepts. The timeouts stay far below what an event loop's wait can take
# (epoll counts milliseconds in a signed 32-bit int: 24.8 days), the rest below what setrlimit and the
# kernel accept; each is far beyond any script a model should run.
MAXIMA = {"timeout": 86_400, "cpu_time": 86_400, "memory_mb": 1 << 24, "processes": 1 << 16,
          "file_size_mb": 1 << 24, "open_files": 1 << 20, "output_bytes": 1 << 30}
INTEGER_LIMITS = ("memory_mb", "processes", "file_size_mb", "open_files", "output_bytes")


@dataclass(frozen=True)
class Limits:
    """Per-script limits. Each is enforced by the kernel (rlimits, namespaces), not by the script's goodwill.
    Every value is checked here (a positive number up to `MAXIMA`), so no limit can break a pool."""

    timeout: float = setting(10.0, "Wall-clock seconds per script (at most one day); past it the script's "
                                   "whole process tree is killed.")
    cpu_time: float | None = setting(None, "CPU seconds per script (default: the timeout).")
    memory_mb: int = setting(1024, "Address space, in MB, the script may add on top of the pre-loaded "
                                   "interpreter.")
    processes: int = setting(64, "Processes and threads the script may have at once.")
    file_size_mb: int = setting(64, "Largest file the script may write, in MB.")
    open_files: int = setting(256, "Files the script may have open at once.")
    output_bytes: int = setting(64 * 1024, "Output kept per stream, in bytes; past it the head and tail are kept "
                                           "and the cut is marked.")
    memory_includes_interpreter: bool = setting(False, "Count the pre-loaded interpreter in memory_mb, as "
                                                       "SandboxFusion's memory_limit_MB does.")

    def __post_init__(self):
        if not isinstance(self.memory_includes_interpreter, bool):
            raise ValueError(f"limit memory_includes_interpreter must be True or False, "
                             f"got {self.memory_includes_interpreter!r}")
        for name, maximum in MAXIMA.items():
            value = getattr(self, name)
            if value is None and name == "cpu_time":
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) \
                    or not 0 < value <= maximum:
                raise ValueError(f"limit {name} must be a positive number, at most {maximum:,}; got {value!r}")
            if name in INTEGER_LIMITS:
                if value != int(value):
                    raise ValueError(f"limit {name} must be a whole number, got {value!r}")
                object.__setattr__(self, name, int(value))
        if self.output_bytes < 64:
            raise ValueError(f"limit output_bytes must be at least 64, got {self.output_bytes}")

    def to_wire(self) -> dict:
        return {**asdict(self), "cpu_time": self.cpu_time or self.timeout}


@dataclass
class Result:
    """What one script did. `stdout`/`stderr` are clipped to `Limits.output_bytes` with the cut marked."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None     # None when a signal killed it
    signal: str | None = None        # e.g. "SIGSEGV", "SIGKILL"
    timed_out: bool = False
    memory_exceeded: bool = False
    cpu_exceeded: bool = False
    output_truncated: bool = False
    session_lost: bool = False       # a session's worker died; its next call starts from a fresh state
    duration: float = 0.0            # seconds from hand-over to the worker until the script ended

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @property
    def status(self) -> str:
        """One word: ok, error, timeout, memory, cpu or killed."""
        if self.timed_out:
            return "timeout"
        if self.memory_exceeded:
            return "memory"
        if self.cpu_exceeded:
            return "cpu"
        if self.signal:
            return "killed"
        return "ok" if self.exit_code == 0 else "error"

    def message(self, limits: Limits | None = None) -> str:
        """What happened, in words a user (or a model) can act on."""
        limits = limits or Limits()
        text = {
            "ok": "finished",
            "error": f"exited with status {self.exit_code}",
            "timeout": f"timed out after {limits.timeout:g} s; its process tree was killed",
            "memory": f"ran out of memory (limit {limits.memory_mb} MB)",
            "cpu": f"used up its CPU time (limit {limits.cpu_time or limits.timeout:g} s) and was killed",
            "killed": f"was killed by {self.signal}",
        }[self.status]
        if self.output_truncated:
            text += f"; output clipped to {limits.output_bytes} bytes per stream"
        if self.session_lost:
            text += "; the session's state was lost"
        return text

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Result":
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def check_file_names(files: dict) -> None:
    """Refuse a file name that is not a plain name in the script's directory, before any worker sees it."""
    for name in files:
        if not isinstance(name, str) or "/" in name or "\0" in name or name in ("", ".", "..") \
                or len(name.encode(errors="surrogatepass")) > 255:
            raise ValueError(f"file names must be plain names inside the script's directory (no '/' or NUL, "
                             f"at most 255 bytes), got {str(name)[:300]!r}")


def clip(head: str, tail: str, total_bytes: int) -> str:
    """Join a stream's kept head and tail, marking the cut with the number of bytes left out."""
    kept = len(head.encode()) + len(tail.encode())
    if total_bytes <= kept:
        return head + tail
    return f"{head}\n[... {total_bytes - kept} bytes of output omitted ...]\n{tail}"


def clip_text(text: str, limit: int) -> tuple[str, bool]:
    """`clip` for a whole string (remote backends): keep `limit` bytes, half from each end."""
    data = text.encode()
    if len(data) <= limit:
        return text, False
    head, tail = data[:(limit + 1) // 2], data[len(data) - limit // 2:]
    return clip(head.decode(errors="replace"), tail.decode(errors="replace"), len(data)), True


def signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return Signals(number).name
    except ValueError:
        return f"signal {number}"


class Sandbox:
    """Runs Python scripts. Backends implement `submit`; everything else is built on it."""

    limits: Limits = Limits()

    def submit(self, code: str, limits: Limits | None = None, *, stdin: str | None = None,
               files: dict[str, str] | None = None, session: str | None = None) -> "Future[Result]":
        raise NotImplementedError

    def run(self, code: str, limits: Limits | None = None, **kw) -> Result:
        """Run one script with a fresh interpreter state and wait for it."""
        return self.submit(code, limits, **kw).result()

    def run_many(self, codes: list[str], limits: Limits | None = None) -> list[Result]:
        """Run a batch, as parallel as the backend allows; results in the order of `codes`."""
        futures = [self.submit(code, limits) for code in codes]
        return [f.result() for f in futures]

    async def arun(self, code: str, limits: Limits | None = None, **kw) -> Result:
        return await asyncio.wrap_future(self.submit(code, limits, **kw))

    async def arun_many(self, codes: list[str], limits: Limits | None = None) -> list[Result]:
        return list(await asyncio.gather(*(self.arun(code, limits) for code in codes)))

    def session(self, limits: Limits | None = None) -> "Session":
        """A stateful session: variables persist across its calls (one trajectory's code calls)."""
        raise NotImplementedError(f"{type(self).__name__} has no stateful sessions")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_session_ids = itertools.count()


class Session:
    """Calls that share one interpreter. A call that times out or crashes loses the state (`session_lost`)."""

    def __init__(self, sandbox: Sandbox, limits: Limits | None):
        self.sandbox, self.limits = sandbox, limits
        self.id = f"s{next(_session_ids)}"
        self.closed = False

    def submit(self, code: str, limits: Limits | None = None) -> "Future[Result]":
        if self.closed:
            raise SandboxError("this session is closed")
        return self.sandbox.submit(code, limits or self.limits, session=self.id)

    def run(self, code: str, limits: Limits | None = None) -> Result:
        return self.submit(code, limits).result()

    async def arun(self, code: str, limits: Limits | None = None) -> Result:
        return await asyncio.wrap_future(self.submit(code, limits))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sandbox.close_session(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
