"""The default sandbox: a local pool of pre-warmed, isolated Python workers. No service to start.

Two zygotes run inside bubblewrap (see zygote.py): a light one with the standard library pre-loaded and a
heavy one that also holds numpy and sympy. A script goes to the heavy one only if it imports a heavy module,
because forking a 140 MB interpreter costs ~4x a 15 MB one on the critical path of a trivial script.

Isolation (bubblewrap + one set of namespaces per script): no network (an empty network namespace), a
read-only view of only /usr, the interpreter and its site-packages, a read-only /dev, a private tmpfs /tmp
and /dev/shm, a scrubbed environment, no capabilities, seccomp, and rlimits. When the host user is root,
bubblewrap runs as `nobody`.

The pools die with the host without PR_SET_PDEATHSIG (which would fire when the short-lived thread that
started them exits): the host's death closes their socket, the dispatcher exits on that (it never blocks on
a worker, so it always sees it), then the fork server, pid 1 of the pool's namespace, and everything in it.

What this sandbox does not defend against (the README says the same, word for word). Kernel bugs (namespaces and
seccomp shrink the attack surface; they do not remove it, and user namespaces expose kernel code to unprivileged
users). Side channels between scripts (timing, caches). Total memory across a script's processes: the memory
limit is per process, so a script may reach `processes x memory_mb` (lower `processes` if that matters), plus
its files in `/tmp` and `/dev/shm`. Kernel memory that no rlimit counts (pipe and socket buffers, page tables)
is bounded only by the descriptors a script may hold (`processes x open_files`) and the kernel's own per-user
limits. A session's stopped processes keep their memory until the session ends. Scripts that run at the same
time share one empty network namespace and one `/dev/pts`, so they could reach each other on the sandbox's own
loopback or a pseudo-terminal. A script may write a well-formed end-of-call frame on its status pipe: that only
ends its own call early (in a session, stopped like any call's end). Scripts can read the installed packages
(read-only). Insecure mode defends against none of this (nor stops a session between calls), and a remote
service is as safe as that service. Tools that need `/proc` (psutil) do not work inside.
"""

import ast
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import warnings
import weakref
from collections import deque
from concurrent.futures import Future, InvalidStateError
from pathlib import Path

from r1ci.sandbox import zygote
from r1ci.sandbox.core import (Limits, Result, Sandbox, SandboxError, SandboxUnavailable, Session, check_file_names,
                              clip, signal_name)

log = logging.getLogger(__name__)

LIGHT_PRELOAD = ("math", "cmath", "itertools", "collections", "functools", "heapq", "bisect", "re", "json",
                 "fractions", "decimal", "string", "datetime", "statistics", "operator", "copy", "typing",
                 "dataclasses", "enum", "array", "textwrap", "hashlib", "time")
HEAVY_PRELOAD = ("numpy", "sympy")
# Touch the lazily-loaded corners of the heavy modules once, in the zygote, instead of in every script.
HEAVY_WARMUP = ("import numpy, sympy\nx = sympy.Symbol('x')\nsympy.simplify(sympy.sin(x)**2 + sympy.cos(x)**2)\n"
                "sympy.solve(x**2 - 2, x); sympy.factorint(360); sympy.Rational(1, 3) + 1\n"
                "numpy.linalg.solve(numpy.eye(2), numpy.ones(2)); numpy.random.default_rng(0).random(3)\n")
NOBODY = 65534
# A session ends after this long without a call, or this long in all (at the end of the call then running);
# its next call starts from a fresh state and says so (`Result.session_lost`).
SESSION_IDLE = 600.0
SESSION_LIFETIME = 3600.0
MISSING_BWRAP = ("bubblewrap (bwrap) is not installed, and the sandbox needs it to isolate scripts. Install it "
                 "(Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), or pass "
                 "insecure=True (CLI: --insecure) to run scripts with rlimits only, without isolation.")
USERNS_HINT = ("This usually means unprivileged user namespaces are disabled. Enable them (sysctl "
               "kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ also kernel.apparmor_restrict_unprivileged_"
               "userns=0), or pass insecure=True (CLI: --insecure) to run scripts without isolation.")


def imports_heavy(code: str, heavy: tuple[str, ...]) -> bool:
    """Whether `code` imports one of the `heavy` modules (top-level name), so it should run pre-loaded."""
    if not any(name in code for name in heavy):
        return False
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False  # the light worker reports the error just as well
    except (RecursionError, MemoryError):
        return True  # too deeply nested to parse here; it names a heavy module, so run it where that is loaded
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] in heavy for name in names):
            return True
    return False


# Every worker mounts a private tmpfs over these, hiding whatever the pool bound there.
HIDDEN_BY_WORKERS = ("/tmp", "/dev/shm")


def is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def paths_inside(executable: str, sites: list[str]) -> tuple[str, list[str], list[tuple[str, str]]]:
    """The interpreter and package directories as the sandbox sees them, and the (host, inside) binds that
    put them there. Each is bound by its real path, so no symlink on the way (a venv reached through a link)
    decides what is visible; one whose real path is under /tmp or /dev/shm, which each worker covers with its
    own tmpfs, is bound under /run/r1ci instead. The interpreter's prefix keeps its layout (it may hold
    absolute RUNPATHs, and the interpreter finds its standard library from where it runs)."""
    binds: dict[str, str] = {"/usr": "/usr"}  # bound by `_bwrap` itself

    def place(path: str) -> str:
        real = os.path.realpath(path)
        for host, inside in binds.items():
            if is_within(real, host):
                return inside + real[len(host):]
        hidden = any(is_within(real, root) for root in HIDDEN_BY_WORKERS)
        binds[real] = f"/run/r1ci/{len(binds)}" if hidden else real
        return binds[real]

    prefix = os.path.dirname(os.path.dirname(executable))
    executable = place(prefix) + executable[len(prefix):]
    sites = list(dict.fromkeys(place(path) for path in sites))
    return executable, sites, [(host, inside) for host, inside in binds.items() if host != "/usr"]


def python_paths() -> tuple[str, list[str]]:
    """The interpreter to run inside, and the site-packages directories it needs (bound read-only)."""
    executable = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    sites = [p for p in sys.path if os.path.isdir(p) and os.path.basename(p) in ("site-packages", "dist-packages")]
    return executable, list(dict.fromkeys(sites))


def _resolve(future: Future, result=None, error: BaseException | None = None) -> None:
    """Settle `future`, unless its caller cancelled it (asyncio does when the awaiting task is cancelled)."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
    except InvalidStateError:
        pass


def _pipe_with(text: str) -> int:
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    return read


class PoolDown(SandboxError):
    """A pool's process is gone; the job never reached it, so it can go to a restarted pool."""


class _Zygote:
    """One zygote process and the host's end of its socket: sends jobs, a reader thread resolves futures."""

    def __init__(self, name: str, preload: tuple[str, ...], warmup: str, spares: int, tmp_mb: int,
                 insecure: bool, startup_timeout: float, on_done, on_lost, extra_paths: tuple[str, ...] = ()):
        self.name, self.preload, self.warmup, self.extra_paths = name, preload, warmup, extra_paths
        self.spares, self.tmp_mb, self.insecure = spares, tmp_mb, insecure
        self.startup_timeout, self.on_done, self.on_lost = startup_timeout, on_done, on_lost
        self.proc = None
        self.pending: dict[str, tuple[Future, Limits | None, dict]] = {}
        self.lock, self.start_lock = threading.Lock(), threading.Lock()
        self.alive = False
        self.sock = None
        self.workdir = self.staging = None

    # start-up

    def start(self) -> None:
        host_end, inside_end = socket.socketpair()
        self.sock, self.fd = host_end, host_end.fileno()
        self.ready = threading.Event()
        self.fatal = None
        self.log = tempfile.TemporaryFile()
        executable, sites = python_paths()
        sites = list(dict.fromkeys([*sites, *self.extra_paths]))
        binds = []
        if not self.insecure:
            executable, sites, binds = paths_inside(executable, sites)
        inside_fd = inside_end.detach()  # a plain descriptor now: closed below, once the child has it
        cfg = {"control_fd": inside_fd, "preload": list(self.preload), "warmup": self.warmup,
               "spares": self.spares, "tmp_mb": self.tmp_mb, "isolate": not self.insecure, "sys_path": sites,
               "session_idle": SESSION_IDLE, "session_lifetime": SESSION_LIFETIME}
        env = {"PATH": f"{os.path.dirname(executable)}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "PYTHONPATH": ":".join(sites), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        argv = [executable, "-I", "-S", "-X", "utf8", "-c", Path(zygote.__file__).read_text()]
        keep_open = [inside_fd]
        if self.insecure:
            self.workdir = tempfile.mkdtemp(prefix="r1ci-sandbox-")
            cfg["workdir"] = self.workdir
            env.update(HOME=self.workdir, TMPDIR=self.workdir)
            command = argv + [json.dumps(cfg)]
        else:
            env.update(HOME="/tmp", TMPDIR="/tmp")
            if os.geteuid() == 0:
                self.staging = tempfile.mkdtemp(prefix="r1ci-sandbox-")
                os.chmod(self.staging, 0o755)
            command, extra_fds = self._bwrap(env, argv, binds)
            keep_open += extra_fds
            command.append(json.dumps(cfg))
        try:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log, pass_fds=keep_open,
                env=env if self.insecure else {}, start_new_session=True)
        finally:
            for fd in keep_open:
                os.close(fd)
        self.alive = True
        self.pending = {}
        threading.Thread(target=self._read, args=(self.sock, self.proc, self.pending, self.ready),
                         name=f"r1ci-sandbox-{self.name}", daemon=True).start()
        if not self.ready.wait(self.startup_timeout) or self.fatal is not None or not self.alive:
            reason = self.fatal or (f"no answer within {self.startup_timeout:g} s" if self.alive else
                                    f"it exited with status {self.proc.poll()}")
            self.stop()
            hint = "" if self.insecure else " " + USERNS_HINT
            raise SandboxUnavailable(f"the sandbox ({self.name} pool) failed to start: {reason}.{hint}"
                                     f"{self._log_tail()}")

    def _bwrap(self, env: dict, argv: list[str], binds: list[tuple[str, str]]) -> tuple[list[str], list[int]]:
        command = ["bwrap", "--unshare-all", "--new-session", "--clearenv"]  # the host's death closes the socket: all exits
        for key, value in env.items():
            command += ["--setenv", key, value]
        command += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
            path = "/" + name
            if os.path.islink(path):
                command += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                command += ["--ro-bind", path, path]
        for path in ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives"):
            command += ["--ro-bind-try", path, path]
        fds = [_pipe_with("root:x:0:0::/:/bin/false\nsandbox:x:1000:1000::/tmp:/bin/false\n"
                          "nobody:x:65534:65534::/:/bin/false\n"),
               _pipe_with("root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n")]
        command += ["--ro-bind-data", str(fds[0]), "/etc/passwd", "--ro-bind-data", str(fds[1]), "/etc/group"]
        # /dev read-only: every worker of the pool shares it (a worker mounts its own /tmp and /dev/shm).
        command += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--tmpfs", "/tmp"]
        staged = []
        for host, inside in binds:
            source = host
            if self.staging:  # root: bubblewrap runs as nobody, who cannot reach e.g. /root/.pyenv
                source = os.path.join(self.staging, str(len(staged)))
                os.mkdir(source)
                staged += [host, source]
            command += ["--ro-bind", source, inside]
        command += ["--remount-ro", "/", "--chdir", "/tmp", "--", *argv]
        if self.staging:
            # In a private mount namespace, bind each such directory somewhere nobody can reach, then drop to
            # nobody: a root-owned sandbox would escape RLIMIT_NPROC, which the kernel does not apply to root.
            script = ('set -e; while [ "$1" != -- ]; do mount --bind "$1" "$2"; shift 2; done; shift; '
                      f'exec setpriv --reuid={NOBODY} --regid={NOBODY} --clear-groups -- "$@"')
            command = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh",
                       *staged, "--", *command]
        return command, fds

    def _log_tail(self) -> str:
        try:
            self.log.seek(0)
            text = self.log.read().decode(errors="replace").strip()
        except (OSError, ValueError):
            return ""
        return f"\nIts stderr ended with:\n{text[-2000:]}" if text else ""

    # traffic

    def send(self, msg: dict, future: Future, limits: Limits | None) -> None:
        with self.lock:
            if not self.alive:
                raise PoolDown(f"the sandbox ({self.name} pool) is not running")
            self.pending[msg["id"]] = (future, limits, msg)
            try:
                zygote.send_frame(self.fd, msg)
            except OSError as exc:
                del self.pending[msg["id"]]
                self.alive = False
                raise PoolDown(f"the sandbox ({self.name} pool) stopped: {exc}") from exc

    def post(self, msg: dict) -> None:
        """A message that wants no answer; lost quietly if the pool is down (so is what it refers to)."""
        with self.lock:
            if self.alive:
                try:
                    zygote.send_frame(self.fd, msg)
                except OSError:
                    self.alive = False

    def _read(self, sock: socket.socket, proc: subprocess.Popen, pending: dict, ready: threading.Event) -> None:
        """One generation of the pool: its socket, process and jobs (a restart starts a new one)."""
        try:
            while True:
                msg = zygote.recv_frame(sock.fileno())
                if msg is None:
                    break
                try:
                    self._on_message(msg, pending, ready)
                except Exception:  # one bad answer must not leave the pool deaf to all the others
                    log.exception("sandbox (%s pool): handling an answer failed", self.name)
        except (OSError, ValueError) as exc:
            log.debug("sandbox reader stopped: %s", exc)
        with self.lock:
            if self.sock is sock:
                self.alive = False
            lost = list(pending.values())
            pending.clear()
        ready.set()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.on_lost(self, lost, SandboxError(f"the sandbox ({self.name} pool) died (exit status "
                                              f"{proc.returncode}){self._log_tail()}"))

    def _on_message(self, msg: dict, pending: dict, ready: threading.Event) -> None:
        if "ready" in msg:
            ready.set()
        elif "fatal" in msg:
            self.fatal = msg["fatal"]
            ready.set()
        elif "id" in msg:
            with self.lock:
                future, limits, _ = pending.pop(msg["id"], (None, None, None))
            if future is None:
                return
            if "stats" in msg:
                _resolve(future, msg)
            else:
                self.on_done(self, future, limits, msg)

    def stop(self) -> None:
        if self.sock is None:
            return
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.sock.close()
        self.sock = None
        for path in (self.workdir, self.staging):
            if path:
                shutil.rmtree(path, ignore_errors=True)
        self.workdir = self.staging = None


class LocalSandbox(Sandbox):
    """A pool of pre-warmed, isolated workers; each script gets a fresh interpreter forked for it alone.

    workers: scripts that may run at once (default: the number of CPUs).
    limits: the default limits of each script (each call may pass its own).
    heavy_modules: modules whose importers go to the pre-loaded heavy pool (default numpy, sympy).
    tmp_mb: size of each script's private tmpfs /tmp.
    heavy_warmup: code the heavy zygote runs once after its imports (default: touch numpy's and sympy's lazy parts).
    extra_paths: host directories bound read-only and put on the scripts' sys.path (e.g. a source checkout).
    insecure: run without bubblewrap and namespaces (rlimits only). Refused unless asked for explicitly.
    eager: start both pools now (~1-2 s) rather than each on its first script.
    """

    def __init__(self, workers: int | None = None, limits: Limits | None = None, *,
                 heavy_modules: tuple[str, ...] = HEAVY_PRELOAD, heavy_warmup: str | None = None,
                 extra_paths: tuple[str, ...] = (), tmp_mb: int = 256, insecure: bool = False,
                 spares: int | None = None, eager: bool = True, startup_timeout: float = 120.0):
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.limits = limits or Limits()
        self.heavy_modules = tuple(heavy_modules)
        if insecure:
            warnings.warn("r1ci sandbox: running scripts WITHOUT isolation (insecure=True): they can read your "
                          "files, use the network and see other processes; only rlimits apply.", stacklevel=2)
        elif shutil.which("bwrap") is None:
            raise SandboxUnavailable(MISSING_BWRAP)
        spares = self.workers if spares is None else spares
        common = dict(spares=spares, tmp_mb=tmp_mb, insecure=insecure, startup_timeout=startup_timeout,
                      on_done=self._done, on_lost=self._lost, extra_paths=tuple(extra_paths))
        if heavy_warmup is None:
            heavy_warmup = HEAVY_WARMUP if self.heavy_modules == HEAVY_PRELOAD else ""
        self.pools = {"light": _Zygote("light", LIGHT_PRELOAD, "", **common),
                      "heavy": _Zygote("heavy", LIGHT_PRELOAD + self.heavy_modules,
                                       heavy_warmup, **common)}
        self._lock = threading.Lock()
        self._running = 0
        self._waiting: deque = deque()
        self._ids = iter(range(1 << 62))
        self._closed = False
        self._finalizer = weakref.finalize(self, LocalSandbox._stop_pools, list(self.pools.values()))
        if not eager:
            return
        starters = [threading.Thread(target=self._start_quietly, args=(pool,)) for pool in self.pools.values()]
        for t in starters:
            t.start()
        for t in starters:
            t.join()
        errors = [pool.start_error for pool in self.pools.values() if pool.start_error]
        if errors:
            self.close()
            raise errors[0]

    @staticmethod
    def _start_quietly(pool: _Zygote) -> None:
        pool.start_error = None
        try:
            pool.start()
        except SandboxError as exc:
            pool.start_error = exc

    @staticmethod
    def _stop_pools(pools) -> None:
        for pool in pools:
            pool.stop()

    def submit(self, code, limits=None, *, stdin=None, files=None, session=None) -> "Future[Result]":
        if self._closed:
            raise SandboxError("this sandbox is closed")
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        limits = limits or self.limits
        check_file_names(files or {})
        pool = self.pools["heavy" if session or imports_heavy(code, self.heavy_modules) else "light"]
        msg = {"op": "run", "id": str(next(self._ids)), "code": code, "limits": limits.to_wire(),
               "stdin": stdin, "files": files or {}, "session": session, "cpu_calls": 100 if session else 1}
        future: Future = Future()
        with self._lock:
            if self._running < self.workers:
                self._running += 1
            else:
                self._waiting.append((pool, msg, future, limits))
                return future
        self._send(pool, msg, future, limits)
        return future

    def _send(self, pool: _Zygote, msg: dict, future: Future, limits: Limits) -> None:
        for attempt in (1, 2):  # a pool found dead is restarted once
            try:
                with pool.start_lock:
                    if not pool.alive:
                        if pool.proc is not None:
                            log.warning("restarting the sandbox's %s pool", pool.name)
                            pool.stop()
                        pool.start()
                pool.send(msg, future, limits)
                return
            except PoolDown as exc:
                if attempt == 2:
                    self._done(pool, future, limits, None, exc)
            except Exception as exc:  # e.g. a failed restart: the job fails, its worker slot comes back
                self._done(pool, future, limits, None, exc)
                return

    def _lost(self, pool: _Zygote, pending: list, error: SandboxError) -> None:
        """The pool died: jobs in flight run once more on a restarted pool (they may never have started)."""
        for future, limits, msg in pending:
            if self._closed:
                _resolve(future, error=SandboxError("the sandbox was closed before this script finished"))
            elif limits is None:  # a stats request
                _resolve(future, error=error)
            elif msg.get("retried"):
                self._done(pool, future, limits, None, error)
            else:
                log.warning("the sandbox's %s pool died; running job %s again", pool.name, msg["id"])
                self._send(pool, {**msg, "retried": True}, future, limits)

    def _done(self, pool, future: Future, limits: Limits, msg: dict | None, error: Exception | None = None):
        """A job ended: its worker slot goes to the next waiting job its caller still wants."""
        while True:
            with self._lock:
                nxt = self._waiting.popleft() if self._waiting else None
                if nxt is None:
                    self._running -= 1
            if nxt is None or not nxt[2].cancelled():
                break
        if nxt is not None:
            self._send(*nxt)
        if error is None and msg.get("error"):
            error = SandboxError(msg["error"])
        if error is not None:
            _resolve(future, error=error)
        else:
            _resolve(future, self._result(msg, limits))

    @staticmethod
    def _result(msg: dict, limits: Limits) -> Result:
        out, err = msg["stdout"], msg["stderr"]
        sig = signal_name(msg["signal"])
        truncated = out["total"] > limits.output_bytes or err["total"] > limits.output_bytes
        return Result(stdout=clip(out["head"], out["tail"], out["total"]),
                      stderr=clip(err["head"], err["tail"], err["total"]),
                      exit_code=msg["exit_code"], signal=sig, timed_out=msg["timed_out"],
                      memory_exceeded=msg["memory"], cpu_exceeded=sig == "SIGXCPU",
                      output_truncated=truncated, session_lost=bool(msg.get("session_lost")),
                      duration=msg["duration"])

    def session(self, limits: Limits | None = None) -> Session:
        return Session(self, limits or self.limits)

    def close_session(self, session_id: str) -> None:
        self.pools["heavy"].post({"op": "close", "session": session_id})

    def stats(self) -> dict:
        """Each zygote's resident memory and worker counts (for soak tests and benchmarks)."""
        out = {}
        for name, pool in self.pools.items():
            future: Future = Future()
            msg_id = f"stats-{next(self._ids)}"
            pool.send({"op": "stats", "id": msg_id}, future, None)
            out[name] = {**future.result(timeout=30)["stats"], "bwrap_pid": pool.proc.pid}
        return out

    def close(self) -> None:
        self._closed = True
        self._finalizer()
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
        for _, _, future, _ in waiting:
            _resolve(future, error=SandboxError("the sandbox was closed before this script ran"))
