"""`r1ci sandbox serve`: a LocalSandbox behind SandboxFusion's HTTP API, so one CPU node can serve a cluster.

Implements `POST /run_code` (Python only) and `GET /v1/ping`. Answers are SandboxFusion's, plus the key
`r1ci` holding r1ci's full Result (memory, signal and truncation details) for RemoteSandbox to read.

Every resource is bounded before it is committed (`ServeSettings`): open connections (one thread each; past
the cap a connection is answered 503 and closed, with no thread), a deadline for a request's line and headers
and one for its body (each on the total, not per read, so a trickle of bytes cannot hold a connection), 64 KiB
of line and headers, a 16 MiB body, the memory all bodies may hold at once (taken before a body is read, held
until it is answered), and the queue. Every request is answered: 400 for input it cannot run (with the
reason), 404, 408 when the client is too slow to send, 411 and 413 for bodies without a length or too long,
431 for headers too long, 503 when a bound is full, 504 when no worker came free in time, 500 only for the
sandbox's own failure. A connection idle between requests longer than the header deadline is closed without
an answer, as any HTTP server does.

Waiting for a worker. SandboxFusion starts every request at once; this server runs `workers` scripts at once
and queues the rest, first come first served, each at most `max_wait` seconds. run_timeout is the script's
own run time, as SandboxFusion counts it: the wait never counts against it, so how busy the server was never
turns a correct script into TimeLimitExceeded. A request that got no worker within `max_wait` is answered
HTTP 504, and its script did not run. That status is the one veRL retries: its client
(verl/utils/reward_score/sandbox_fusion/utils.py, `call_sandbox_api`, used by its reward function and its
code tool) makes 3 tries, retrying only a 504 (1 s, then 2 s later); any other HTTP error, a request timeout
(its timeout is compile_timeout + run_timeout + 10 s; it sends compile_timeout = run_timeout) or bad JSON
ends the tries as an API error, which its reward scores 0 like a failed test. So an overloaded server answers
504 before veRL's client gives up: a request is answered within max_wait + run_timeout + the run's overhead,
inside veRL's deadline whenever max_wait is below compile_timeout + 10 s (the default, 10 s, is). A client
that hung up while its request waited is not run. A full queue (503) is an API error to veRL: size
`max_queue` and `max_connections` above the trainer's concurrency (veRL's reward.sandbox_fusion.max_concurrent,
64 by default), and `workers` so that the queue drains within max_wait. Past veRL's third 504 the case still
scores 0: a sandbox far too small for its load still costs rewards, as it does under SandboxFusion.

Output. SandboxFusion (its `run_command_bare` at commit 469de08, on the Python 3.11 it ships with) reads
each stream once, after the run, at most 1 MiB, from asyncio pipes that stop reading past 128 KiB unread, so
the run never ends once a stream passes 128 KiB: up to 131,072 bytes a stream comes back whole; past that the
answer is TimeLimitExceeded at run_timeout with the first 128 to 192 KiB. r1ci's server lets such a script
finish and keeps up to `MAX_OUTPUT_BYTES` per stream: the whole stream up to 1 MiB, else its first and last
512 KiB around a marker that counts the bytes left out (`r1ci.output_truncated` says so).

Not bounded here: an answer being written. It holds its script's output, JSON-escaped (up to 6 bytes per
byte for control characters) and sent twice (in `run_result` and in `r1ci`), each write under
`body_timeout`, on one of at most `max_connections` connections.
"""

import base64
import binascii
import io
import json
import math
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from signal import Signals

from r1ci.sandbox.core import MAXIMA, Limits, Result, Sandbox, SandboxError, check_file_names
from r1ci.settings import setting

MAX_BODY = 16 * 2**20
MAX_HEADER_BYTES = 64 * 2**10
# Output kept per stream: a hard maximum against floods (about 2 MiB per running script).
MAX_OUTPUT_BYTES = 2**20


@dataclass(frozen=True)
class ServeSettings:
    """What the server lets clients hold: connections, time, memory and places in the queue."""

    max_connections: int = setting(512, "Connections open at once (each has a thread); past them a new "
                                        "connection is answered HTTP 503 with Retry-After and closed.")
    max_queue: int = setting(256, "Requests that may wait for a worker (veRL keeps up to 64 in flight); beyond "
                                  "them a request gets HTTP 503 at once.")
    max_wait: float = setting(10.0, "Seconds a request may wait for a worker (never counted in its "
                                    "run_timeout). Past it the request is answered HTTP 504 and its script "
                                    "does not run; veRL's client retries a 504 twice. Keep it below "
                                    "compile_timeout + 10 s, so veRL's client still waits for the answer.")
    header_timeout: float = setting(20.0, "Seconds a connection may take to send a request's line and "
                                          "headers, idle time before them included; past it, HTTP 408 (or, if "
                                          "nothing came, no answer) and the connection is closed.")
    body_timeout: float = setting(60.0, "Seconds a client may take to send a request's whole body, and to "
                                        "read each answer; past it, HTTP 408 and the connection is closed.")
    max_body_memory_mb: int = setting(512, "Memory, in MB, that request bodies may hold at once, from their "
                                           "first byte until they are answered; a body that does not fit "
                                           "is refused with HTTP 503 at once. One body is at most 16 MB.")

    def __post_init__(self):
        if self.max_connections < 1 or self.max_queue < 0:
            raise ValueError(f"max_connections must be at least 1 and max_queue at least 0; got "
                             f"{self.max_connections} and {self.max_queue}")
        longest = MAXIMA["timeout"]
        if not 0 <= self.max_wait <= longest:
            raise ValueError(f"max_wait must be 0 to {longest:,} s, got {self.max_wait}")
        for name in ("header_timeout", "body_timeout"):
            if not 0 < getattr(self, name) <= longest:
                raise ValueError(f"{name} must be more than 0 and at most {longest:,} s, got {getattr(self, name)}")
        if self.max_body_memory_mb < MAX_BODY // 2**20:
            raise ValueError(f"max_body_memory_mb must hold one whole body, {MAX_BODY // 2**20} MB; "
                             f"got {self.max_body_memory_mb}")


class Refused(Exception):
    """A request answered with an error status and why: 4xx for the client's mistake, 503 or 504 for the
    server's load, 500 for the sandbox's own failure."""

    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def bad(message: str) -> Refused:
    return Refused(HTTPStatus.BAD_REQUEST, message)


class TooSlow(Exception):
    """The client did not send a part of its request within that part's deadline."""


class Gate:
    """At most `workers` scripts at once; up to `max_queue` requests wait for one, first come first served,
    each at most `max_wait` seconds."""

    def __init__(self, workers: int, max_queue: int, max_wait: float):
        self.free, self.workers, self.max_queue, self.max_wait = workers, workers, max_queue, max_wait
        self.waiting: deque[threading.Event] = deque()
        self.lock = threading.Lock()

    def check_room(self) -> None:
        """Refuse at once (503) when the request could neither run nor wait."""
        if not self.free and len(self.waiting) >= self.max_queue:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE,
                          f"the sandbox is busy: {len(self.waiting)} requests already wait for its {self.workers} "
                          f"workers; retry later, or start the server with more --workers or --max-queue")

    def enter(self) -> None:
        """Take a worker: 503 if the queue is full, 504 if none came free within max_wait."""
        with self.lock:
            if self.free:
                self.free -= 1
                return
            self.check_room()
            turn = threading.Event()
            self.waiting.append(turn)
        if turn.wait(self.max_wait):
            return
        with self.lock:
            if turn.is_set():  # handed a worker just as the wait ran out
                return
            self.waiting.remove(turn)
        raise Refused(HTTPStatus.GATEWAY_TIMEOUT,
                      f"no worker came free within the server's --max-wait of {self.max_wait:g} s (it runs "
                      f"{self.workers} scripts at once): the script did not run; retry")

    def leave(self) -> None:
        with self.lock:
            if self.waiting:
                self.waiting.popleft().set()
            else:
                self.free += 1


class MemoryBudget:
    """Bytes that request bodies may hold at once."""

    def __init__(self, total: int):
        self.left, self.total = total, total
        self.lock = threading.Lock()

    def take(self, size: int) -> None:
        with self.lock:
            if size > self.left:
                raise Refused(HTTPStatus.SERVICE_UNAVAILABLE,
                              f"the server holds as many request bodies as its --max-body-memory-mb "
                              f"({self.total // 2**20} MB) allows; retry later")
            self.left -= size

    def give(self, size: int) -> None:
        with self.lock:
            self.left += size


class TimedReader(io.RawIOBase):
    """A connection's reads. Each part of a request (its line and headers, its body) has one deadline for the
    whole part and a cap on its bytes, so a client that trickles bytes cannot hold its connection longer."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.expect("line and headers", 0.0, 0)

    def expect(self, part: str, seconds: float, most: int) -> None:
        self.part, self.seconds, self.left, self.received = part, seconds, most, 0
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        wait = self.deadline - time.monotonic()
        if wait <= 0:
            raise TooSlow(f"the request's {self.part} did not arrive within {self.seconds:g} s")
        if self.left <= 0:  # only the line and headers can get here: a body's cap is its length
            raise Refused(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                          f"the request's line and headers exceed {MAX_HEADER_BYTES} bytes")
        self.sock.settimeout(wait)
        try:
            size = self.sock.recv_into(buffer, min(len(buffer), self.left))
        except TimeoutError:
            raise TooSlow(f"the request's {self.part} did not arrive within {self.seconds:g} s") from None
        self.left -= size
        self.received += size
        return size


def utf8_text(value, what: str) -> str:
    """`value` if it is a string that can be written as UTF-8 (JSON's \\ud800 escapes make ones that cannot)."""
    if not isinstance(value, str):
        raise bad(f"{what} must be a string")
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise bad(f"{what} is not valid Unicode ({exc.reason} at character {exc.start})") from None
    return value


def parse_request(body: bytes, default: Limits) -> tuple[str, Limits, str, dict[str, str]]:
    """The script and its limits. memory_limit_MB is the script's whole address space, interpreter included,
    as in SandboxFusion; it is capped at the server's; 0 or -1 (SandboxFusion's "no limit", and its default)
    get the server's. run_timeout is checked by Limits (at most a day)."""
    try:
        req = json.loads(body)
    except ValueError as exc:
        raise bad(f"the body is not JSON: {exc}") from None
    except RecursionError:
        raise bad("the body's JSON nests too deeply") from None
    if not isinstance(req, dict):
        raise bad("the body must be a JSON object")
    code = utf8_text(req.get("code"), "`code`")
    if req.get("language", "python") not in ("python", "python3"):
        raise bad(f"language {req.get('language')!r} is not supported: this server runs python only")
    if req.get("fetch_files"):
        raise bad("fetch_files is not supported: a script's files vanish with its private /tmp")
    try:
        timeout = float(req.get("run_timeout", default.timeout))
        memory = float(req.get("memory_limit_MB", -1))
        if not math.isfinite(memory):
            raise ValueError(f"memory_limit_MB must be a finite number, got {memory}")
        limits = replace(default, timeout=timeout, cpu_time=default.cpu_time and min(default.cpu_time, timeout),
                         memory_mb=min(int(memory), default.memory_mb) if memory > 0 else default.memory_mb,
                         memory_includes_interpreter=True)
    except (TypeError, ValueError, OverflowError) as exc:
        raise bad(f"bad limits: {exc}") from None
    stdin = utf8_text(req.get("stdin") or "", "`stdin`")
    files = req.get("files") or {}
    if not isinstance(files, dict):
        raise bad("`files` must map file names to base64 contents")
    try:  # SandboxFusion skips files whose content is null
        decoded = {utf8_text(name, "a file name"): base64.b64decode(content, validate=True).decode()
                   for name, content in files.items() if content is not None}
    except (binascii.Error, UnicodeDecodeError, TypeError) as exc:
        raise bad(f"`files` must hold base64 of UTF-8 text: {exc}") from None
    try:
        check_file_names(decoded)
    except ValueError as exc:
        raise bad(str(exc)) from None
    return code, limits, stdin, decoded


def return_code(result: Result) -> int | None:
    """SandboxFusion's return code: the exit status, or minus the signal that killed the script (it passes on
    Python's Popen.returncode)."""
    if result.signal is None:
        return result.exit_code
    if result.signal in Signals.__members__:
        return -Signals[result.signal].value
    return -int(result.signal.removeprefix("signal "))


def fusion_answer(result: Result) -> dict:
    """SandboxFusion's answer: `TimeLimitExceeded` (no return code) past the timeout, else `Finished`, even
    when a signal or the memory limit ended the script; `Error` is only for the sandbox's own failures."""
    timed_out = result.timed_out
    return {"status": "Success" if result.ok else "Failed", "message": "", "compile_result": None,
            "run_result": {"status": "TimeLimitExceeded" if timed_out else "Finished",
                           "execution_time": result.duration, "return_code": None if timed_out else return_code(result),
                           "stdout": result.stdout, "stderr": result.stderr},
            "executor_pod_name": None, "files": {}, "r1ci": result.to_dict()}


def error(message: str) -> dict:
    return {"status": "SandboxError", "message": message}


def refusal(status: HTTPStatus, message: str) -> bytes:
    """A whole answer that closes the connection, for connections refused before a handler runs."""
    body = json.dumps(error(message)).encode()
    return (f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n").encode() + body


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: a burst of connections is accepted, not dropped

    def __init__(self, address, handler, settings: ServeSettings):
        self.settings, self.connections, self.lock = settings, 0, threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        """A thread for the connection, or, past max_connections, a 503 sent from here and the connection closed."""
        with self.lock:
            admitted = self.connections < self.settings.max_connections
            self.connections += admitted
        if not admitted:
            request.setblocking(False)
            try:
                request.send(refusal(HTTPStatus.SERVICE_UNAVAILABLE,
                                     f"the server has its --max-connections ({self.settings.max_connections}) "
                                     f"open; retry later"))
                for _ in range(16):  # what the client already sent, so closing does not reset the connection
                    if not request.recv(65536):
                        break
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connection_closed()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connection_closed()

    def connection_closed(self) -> None:
        with self.lock:
            self.connections -= 1

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away is no error of ours
            super().handle_error(request, client_address)


def make_server(sandbox: Sandbox, host: str, port: int, settings: ServeSettings | None = None) -> Server:
    """Serve a LocalSandbox, as many scripts at once as it has workers. Its limits are the server's: the
    default run_timeout, the memory ceiling and the output kept per stream."""
    settings = settings or ServeSettings()
    gate = Gate(sandbox.workers, settings.max_queue, settings.max_wait)
    budget = MemoryBudget(settings.max_body_memory_mb * 2**20)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.rfile.close()
            self.reader = TimedReader(self.connection)
            self.rfile = io.BufferedReader(self.reader)

        def handle_one_request(self):
            self.reader.expect("line and headers", settings.header_timeout, MAX_HEADER_BYTES)
            try:
                super().handle_one_request()
            except TooSlow as exc:
                self.close_connection = True
                if self.reader.received or self.reader.part == "body":  # else: idle, nothing to answer
                    self.reply(HTTPStatus.REQUEST_TIMEOUT, error(str(exc)))
            except Refused as exc:
                self.close_connection = True
                self.reply(exc.status, error(str(exc)))

        def send_response_only(self, code, message=None):
            self.connection.settimeout(settings.body_timeout)  # every answer's writes
            super().send_response_only(code, message)

        def reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if status in (HTTPStatus.SERVICE_UNAVAILABLE, HTTPStatus.GATEWAY_TIMEOUT):
                self.send_header("Retry-After", "1")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/ping":
                self.reply(HTTPStatus.OK, {"status": "ok", "message": "pong"})
            else:
                self.reply(HTTPStatus.NOT_FOUND, error(f"no route {self.path}"))

        def do_POST(self):
            try:
                if self.path.rstrip("/") != "/run_code":
                    raise Refused(HTTPStatus.NOT_FOUND, f"no route {self.path}")
                length = self.body_length()
                gate.check_room()
                budget.take(length)
            except Refused as exc:  # the body stays unread: the connection cannot carry another request
                self.close_connection = True
                self.reply(exc.status, error(str(exc)))
                self.drain()
                return
            try:
                answer = self.run_request(length)
            except Refused as exc:
                answer = exc.status, error(str(exc))
            finally:
                budget.give(length)
            if answer is None:
                self.close_connection = True
            else:
                self.reply(*answer)

        def body_length(self) -> int:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or "Content-Length" not in self.headers:
                raise Refused(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
            try:
                length = int(self.headers["Content-Length"])
            except ValueError:
                raise bad(f"Content-Length must be a number, got {self.headers['Content-Length']!r}") from None
            if length > MAX_BODY:
                raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body must be at most {MAX_BODY} bytes")
            if length < 1:
                raise bad(f"the body must be 1 to {MAX_BODY} bytes long")
            return length

        def run_request(self, length: int) -> tuple[HTTPStatus, dict] | None:
            """The answer to a request whose body is `length` bytes; None if the client hung up."""
            self.reader.expect("body", settings.body_timeout, length)
            body = self.rfile.read(length)
            if len(body) < length:
                return None
            code, limits, stdin, files = parse_request(body, sandbox.limits)
            del body  # what waits for a worker is the parsed request
            gate.enter()
            try:
                if self.client_left():
                    return None
                result = sandbox.run(code, limits, stdin=stdin, files=files)
            except ValueError as exc:  # what the sandbox refuses to run, e.g. a file name it cannot write
                raise bad(str(exc)) from None
            except SandboxError as exc:
                raise Refused(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc)) from None
            finally:
                gate.leave()
            return HTTPStatus.OK, fusion_answer(result)

        def drain(self) -> None:
            """Read and drop the unread body (at most MAX_BODY bytes, within the body deadline), so that closing
            the connection does not reset it before the client, still sending, has read its answer."""
            try:
                left = min(int(self.headers.get("Content-Length", "0")), MAX_BODY)
            except ValueError:
                return
            self.reader.expect("body", settings.body_timeout, left)
            try:
                while left > 0 and (chunk := self.rfile.read1(min(left, 2**16))):
                    left -= len(chunk)
            except (TooSlow, OSError):
                pass

        def client_left(self) -> bool:
            """Whether the client hung up while its request waited: nobody would read the answer."""
            self.connection.setblocking(False)
            try:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
            except BlockingIOError:
                return False
            except OSError:
                return True

        def log_message(self, *args):  # one line per request is noise at thousands per second
            pass

    return Server((host, port), Handler, settings)
