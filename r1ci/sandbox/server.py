"""`r1ci sandbox serve`: a LocalSandbox behind SandboxFusion's HTTP API, so one CPU node can serve a cluster.

Implements `POST /run_code` (Python only) and `GET /v1/ping`. Answers are SandboxFusion's, plus the key
`r1ci` holding r1ci's full Result (memory, signal and truncation details) for RemoteSandbox to read.

SandboxFusion starts every request at once; this server runs `workers` scripts at once and queues the rest,
up to `max_queue`, beyond which it answers 503 at once. A request's run_timeout counts from its arrival, so
the time it waits for a worker is part of it: every admitted request is answered within its run_timeout
(a script that never got a worker is answered TimeLimitExceeded), before any client that allows at least
run_timeout gives up (veRL's allows compile_timeout + run_timeout + 10 s).
"""

import base64
import binascii
import json
import threading
import time
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from signal import Signals

from r1ci.sandbox.core import Limits, Result, Sandbox, SandboxError

MAX_BODY = 16 * 2**20
# Output kept per stream. SandboxFusion cuts nothing (it reads at most 1 MiB of each stream), so neither do
# we below this hard maximum, which bounds what a flood of output can cost: about 2 MiB per running script.
MAX_OUTPUT_BYTES = 2**20


class BadRequest(ValueError):
    pass


class Busy(SandboxError):
    """The queue is full: the request is refused at once rather than left to time out."""


class Gate:
    """At most `workers` scripts at once, and at most `max_queue` requests waiting for one."""

    def __init__(self, workers: int, max_queue: int):
        self.slots = threading.Semaphore(workers)
        self.workers, self.max_queue, self.waiting = workers, max_queue, 0
        self.lock = threading.Lock()

    def enter(self, seconds: float) -> bool:
        """Take a worker, waiting at most `seconds`: False if none came free in time, Busy if the queue is full."""
        if self.slots.acquire(blocking=False):
            return True
        with self.lock:
            if self.waiting >= self.max_queue:
                raise Busy(f"the sandbox is busy: {self.waiting} requests already wait for its {self.workers} "
                           f"workers; retry later, or start the server with more --workers or --max-queue")
            self.waiting += 1
        try:
            return self.slots.acquire(timeout=min(max(seconds, 0.0), threading.TIMEOUT_MAX))
        finally:
            with self.lock:
                self.waiting -= 1

    def leave(self) -> None:
        self.slots.release()


def parse_request(body: bytes, default: Limits) -> tuple[str, Limits, str, dict[str, str]]:
    """The script and its limits. memory_limit_MB is the script's whole address space, interpreter included,
    as in SandboxFusion; it is capped at the server's; 0 or -1 (SandboxFusion's "no limit", and its default)
    get the server's."""
    try:
        req = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from exc
    if not isinstance(req, dict):
        raise BadRequest("the body must be a JSON object")
    code = req.get("code")
    if not isinstance(code, str):
        raise BadRequest("`code` must be a string")
    if req.get("language", "python") not in ("python", "python3"):
        raise BadRequest(f"language {req.get('language')!r} is not supported: this server runs python only")
    if req.get("fetch_files"):
        raise BadRequest("fetch_files is not supported: a script's files vanish with its private /tmp")
    timeout, memory = req.get("run_timeout", default.timeout), req.get("memory_limit_MB", -1)
    try:
        memory = int(memory)
        limits = replace(default, timeout=float(timeout),
                         cpu_time=default.cpu_time and min(default.cpu_time, float(timeout)),
                         memory_mb=min(memory, default.memory_mb) if memory > 0 else default.memory_mb,
                         memory_includes_interpreter=True)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"bad limits: {exc}") from exc
    stdin = req.get("stdin") or ""
    if not isinstance(stdin, str):
        raise BadRequest("`stdin` must be a string")
    files = req.get("files") or {}
    if not isinstance(files, dict):
        raise BadRequest("`files` must map file names to base64 contents")
    try:  # SandboxFusion skips files whose content is null
        decoded = {name: base64.b64decode(content, validate=True).decode()
                   for name, content in files.items() if content is not None}
    except (binascii.Error, UnicodeDecodeError, TypeError) as exc:
        raise BadRequest(f"`files` must hold base64 of UTF-8 text: {exc}") from exc
    return code, limits, stdin, decoded


def return_code(result: Result) -> int | None:
    """SandboxFusion's return code: the exit status, or minus the signal that killed the script (it passes on
    Python's Popen.returncode)."""
    if result.signal is None:
        return result.exit_code
    if result.signal in Signals.__members__:
        return -Signals[result.signal].value
    return -int(result.signal.removeprefix("signal "))


def fusion_answer(result: Result, message: str = "") -> dict:
    """SandboxFusion's answer: `TimeLimitExceeded` (no return code) past the timeout, else `Finished`, even
    when a signal or the memory limit ended the script; `Error` is only for the sandbox's own failures."""
    timed_out = result.timed_out
    return {"status": "Success" if result.ok else "Failed", "message": message, "compile_result": None,
            "run_result": {"status": "TimeLimitExceeded" if timed_out else "Finished",
                           "execution_time": result.duration, "return_code": None if timed_out else return_code(result),
                           "stdout": result.stdout, "stderr": result.stderr},
            "executor_pod_name": None, "files": {}, "r1ci": result.to_dict()}


def run_in_time(sandbox: Sandbox, gate: Gate, arrived: float, code: str, limits: Limits, stdin: str,
                files: dict[str, str]) -> tuple[Result, str]:
    """Run the script in what is left of its run_timeout after waiting for a worker (and a note if none came)."""
    if gate.enter(limits.timeout - (time.monotonic() - arrived)):
        try:
            left = limits.timeout - (time.monotonic() - arrived)
            if left > 0:
                return sandbox.run(code, replace(limits, timeout=left), stdin=stdin, files=files), ""
        finally:
            gate.leave()
    return Result(timed_out=True), (f"the script did not run: no worker came free within its run_timeout of "
                                    f"{limits.timeout:g} s (this server runs {gate.workers} at once)")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: a burst of connections is accepted, not dropped


def make_server(sandbox: Sandbox, host: str, port: int, max_queue: int) -> ThreadingHTTPServer:
    """Serve a LocalSandbox, as many scripts at once as it has workers. Its limits are the server's: the
    default run_timeout, the memory ceiling and the output kept per stream."""
    gate = Gate(sandbox.workers, max_queue)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status == HTTPStatus.SERVICE_UNAVAILABLE:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/ping":
                self.reply(HTTPStatus.OK, {"status": "ok", "message": "pong"})
            else:
                self.reply(HTTPStatus.NOT_FOUND, {"status": "SandboxError", "message": f"no route {self.path}"})

        def do_POST(self):
            arrived = time.monotonic()
            if self.path.rstrip("/") != "/run_code":
                self.reply(HTTPStatus.NOT_FOUND, {"status": "SandboxError", "message": f"no route {self.path}"})
                return
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_BODY:
                    raise BadRequest(f"the body must be 1 byte to {MAX_BODY} bytes long")
                code, limits, stdin, files = parse_request(self.rfile.read(length), sandbox.limits)
            except (BadRequest, ValueError) as exc:
                self.reply(HTTPStatus.BAD_REQUEST, {"status": "SandboxError", "message": str(exc)})
                return
            try:
                result, note = run_in_time(sandbox, gate, arrived, code, limits, stdin, files)
            except Busy as exc:
                self.reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "SandboxError", "message": str(exc)})
                return
            except (SandboxError, ValueError) as exc:
                self.reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"status": "SandboxError", "message": str(exc)})
                return
            self.reply(HTTPStatus.OK, fusion_answer(result, note))

        def log_message(self, *args):  # one line per request is noise at thousands per second
            pass

    return Server((host, port), Handler)
