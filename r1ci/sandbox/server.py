"""`r1ci sandbox serve`: a LocalSandbox behind SandboxFusion's HTTP API, so one CPU node can serve a cluster.

Implements `POST /run_code` (Python only) and `GET /v1/ping`. Answers are SandboxFusion's, plus the key
`r1ci` holding r1ci's full Result (memory, signal and truncation details) for RemoteSandbox to read.
"""

import base64
import binascii
import json
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from r1ci.sandbox.core import Limits, Result, Sandbox, SandboxError

MAX_BODY = 16 * 2**20


class BadRequest(ValueError):
    pass


def parse_request(body: bytes, default: Limits) -> tuple[str, Limits, str, dict[str, str]]:
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
        limits = replace(default, timeout=float(timeout),
                         cpu_time=default.cpu_time and min(default.cpu_time, float(timeout)),
                         memory_mb=int(memory) if memory and int(memory) > 0 else default.memory_mb)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"bad limits: {exc}") from exc
    stdin = req.get("stdin") or ""
    if not isinstance(stdin, str):
        raise BadRequest("`stdin` must be a string")
    files = req.get("files") or {}
    if not isinstance(files, dict):
        raise BadRequest("`files` must map file names to base64 contents")
    try:
        decoded = {name: base64.b64decode(content, validate=True).decode() for name, content in files.items()}
    except (binascii.Error, UnicodeDecodeError, TypeError) as exc:
        raise BadRequest(f"`files` must hold base64 of UTF-8 text: {exc}") from exc
    return code, limits, stdin, decoded


def fusion_answer(result: Result) -> dict:
    if result.timed_out:
        run_status = "TimeLimitExceeded"
    elif result.exit_code is None:
        run_status = "Error"
    else:
        run_status = "Finished"
    return {"status": "Success" if result.ok else "Failed", "message": "", "compile_result": None,
            "run_result": {"status": run_status, "execution_time": result.duration, "return_code": result.exit_code,
                           "stdout": result.stdout, "stderr": result.stderr},
            "executor_pod_name": None, "files": {}, "r1ci": result.to_dict()}


def make_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8080) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/ping":
                self.reply(HTTPStatus.OK, {"status": "ok", "message": "pong"})
            else:
                self.reply(HTTPStatus.NOT_FOUND, {"status": "SandboxError", "message": f"no route {self.path}"})

        def do_POST(self):
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
                result = sandbox.run(code, limits, stdin=stdin, files=files)
            except (SandboxError, ValueError) as exc:
                self.reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"status": "SandboxError", "message": str(exc)})
                return
            self.reply(HTTPStatus.OK, fusion_answer(result))

        def log_message(self, *args):  # one line per request is noise at thousands per second
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
