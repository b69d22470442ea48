"""The remote backend against a real HTTP server on loopback: `r1ci sandbox serve`, SandboxFusion's API."""

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from r1ci.sandbox import Limits, SandboxError, SandboxUnavailable
from r1ci.sandbox.remote import RemoteSandbox, fusion_result

R1CI = str(Path(sys.executable).with_name("r1ci"))


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([R1CI, "sandbox", "serve", "--port", "0", "--workers", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "listening on" in line, proc.stderr.read()
    yield line.rsplit(" ", 1)[1].strip()
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def remote(server):
    with RemoteSandbox(server, Limits(timeout=5)) as sb:
        yield sb


def test_runs_scripts_like_the_local_sandbox(remote):
    r = remote.run("import sys\nprint(sum(range(5)))\nprint('warn', file=sys.stderr)\nsys.exit(2)")
    assert (r.stdout, r.stderr, r.exit_code, r.status) == ("10\n", "warn\n", 2, "error")
    assert remote.run("print(input()[::-1])", stdin="abc").stdout == "cba\n"
    assert remote.run("print(open('n.txt').read())", files={"n.txt": "17"}).stdout == "17\n"


def test_limits_travel_and_details_come_back(remote):
    r = remote.run("while True: pass", Limits(timeout=1))
    assert r.timed_out and r.status == "timeout"
    r = remote.run("x = bytearray(8 * 2**30)")
    assert r.memory_exceeded
    r = remote.run("print('a' * 100000)", Limits(output_bytes=1000))
    assert r.output_truncated and "omitted" in r.stdout


def test_run_many_and_async(remote):
    import asyncio

    assert [r.stdout for r in remote.run_many(["print(1)", "print(2)"])] == ["1\n", "2\n"]
    assert asyncio.run(remote.arun("print(3)")).stdout == "3\n"


def test_speaks_sandboxfusion_json(server):
    answer = httpx.post(f"{server}/run_code", json={"code": "print(1)", "language": "python", "run_timeout": 5}).json()
    assert answer["status"] == "Success"
    assert answer["run_result"]["status"] == "Finished" and answer["run_result"]["stdout"] == "1\n"
    assert answer["run_result"]["return_code"] == 0 and answer["compile_result"] is None
    timeout = httpx.post(f"{server}/run_code", json={"code": "while 1: pass", "run_timeout": 0.5}).json()
    assert timeout["status"] == "Failed" and timeout["run_result"]["status"] == "TimeLimitExceeded"
    assert httpx.get(f"{server}/v1/ping").status_code == 200


@pytest.mark.parametrize("body, message", [
    (b"not json", "not JSON"), (b"[1]", "JSON object"), (b'{"code": 3}', "`code` must be a string"),
    (b'{"code": "1", "language": "cpp"}', "not supported"), (b'{"code": "1", "run_timeout": -1}', "bad limits"),
    (b'{"code": "1", "files": {"a": "%%%"}}', "base64"), (b'{"code": "1", "fetch_files": ["a"]}', "fetch_files"),
])
def test_bad_requests_get_clear_errors(server, body, message):
    response = httpx.post(f"{server}/run_code", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["status"] == "SandboxError" and message in response.json()["message"]


def test_unreachable_service_says_so():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens here once the socket closes
    with RemoteSandbox(f"http://127.0.0.1:{port}", retries=1) as sb:
        with pytest.raises(SandboxUnavailable, match="cannot reach the sandbox service"):
            sb.run("print(1)")
    with pytest.raises(ValueError, match="http://"):
        RemoteSandbox("localhost:8080")


def test_sessions_need_the_local_sandbox(remote):
    with pytest.raises(SandboxError, match="stateless"):
        remote.session()
    with pytest.raises(SandboxError, match="stateless"):
        remote.submit("x = 1", session="s1")


def test_plain_sandboxfusion_answers_are_understood():
    plain = {"status": "Failed", "message": "", "run_result": {"status": "TimeLimitExceeded", "execution_time": 1.0,
                                                                 "return_code": None, "stdout": "x" * 50, "stderr": ""}}
    r = fusion_result(plain, Limits(output_bytes=64))
    assert r.timed_out and r.status == "timeout" and r.stdout == "x" * 50
    with pytest.raises(SandboxError, match="failed: boom"):
        fusion_result({"status": "SandboxError", "message": "boom"}, Limits())
    with pytest.raises(SandboxError, match="not a SandboxFusion answer"):
        fusion_result({"weird": 1}, Limits())
