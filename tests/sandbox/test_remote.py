"""The remote backend against a real HTTP server on loopback: `r1ci sandbox serve`, SandboxFusion's API."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from r1ci.cli import app
from r1ci.sandbox import Limits, SandboxError, SandboxUnavailable
from r1ci.sandbox.remote import RemoteSandbox, fusion_result

R1CI = str(Path(sys.executable).with_name("r1ci"))


@contextmanager
def serve(*flags):
    proc = subprocess.Popen([R1CI, "sandbox", "serve", "--port", "0", *flags], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "listening on" in line, proc.stderr.read()
    try:
        yield line.rsplit(" ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server():
    with serve("--workers", "2") as url:
        yield url


@pytest.fixture(scope="module")
def small_server():
    """One worker, one place in the queue, a 300 MB memory ceiling and 1000 bytes of output per stream."""
    with serve("--workers", "1", "--max-queue", "1", "--max-memory-mb", "300", "--max-output-bytes", "1000") as url:
        yield url


def run_code(url: str, code: str, **fields) -> dict:
    return httpx.post(f"{url}/run_code", json={"code": code, "language": "python", **fields}, timeout=60).json()


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
    killed = {"status": "Failed", "message": "", "run_result": {"status": "Finished", "execution_time": 0.1,
                                                                  "return_code": -9, "stdout": "", "stderr": ""}}
    r = fusion_result(killed, Limits())
    assert (r.exit_code, r.signal, r.status) == (None, "SIGKILL", "killed")
    with pytest.raises(SandboxError, match="could not run the script: no python"):
        fusion_result({"status": "Failed", "run_result": {"status": "Error", "stderr": "no python"}}, Limits())
    with pytest.raises(SandboxError, match="not a SandboxFusion run result"):
        fusion_result({"status": "Failed", "run_result": {"status": "Crashed"}}, Limits())
    with pytest.raises(SandboxError, match="failed: boom"):
        fusion_result({"status": "SandboxError", "message": "boom"}, Limits())
    with pytest.raises(SandboxError, match="not a SandboxFusion answer"):
        fusion_result({"weird": 1}, Limits())


# Issue 12, finding 8: where SandboxFusion's own clients (veRL's) notice a difference.

def test_a_signal_ends_the_run_finished_with_minus_its_number(server, remote):
    """SandboxFusion passes on Popen.returncode: Finished, return code -N. veRL's tool drops the output of any
    run that is not Finished, and scores it as a runtime error only if it is Finished with a non-zero code."""
    answer = run_code(server, "import ctypes\nprint('before', flush=True)\nctypes.string_at(0)", run_timeout=5)
    assert answer["status"] == "Failed" and answer["run_result"]["status"] == "Finished"
    assert answer["run_result"]["return_code"] == -11 and answer["run_result"]["stdout"] == "before\n"
    r = remote.run("import ctypes\nctypes.string_at(0)")
    assert (r.exit_code, r.signal, r.status) == (None, "SIGSEGV", "killed")
    memory = run_code(server, "x = bytearray(8 * 2**30)", memory_limit_MB=100)["run_result"]
    assert (memory["status"], memory["return_code"]) == ("Finished", 1) and "MemoryError" in memory["stderr"]
    timeout = run_code(server, "while True: pass", run_timeout=0.5)["run_result"]
    assert (timeout["status"], timeout["return_code"]) == ("TimeLimitExceeded", None)


@pytest.mark.parametrize("name, number", [("SIGKILL", 9), ("SIGTERM", 15)])
def test_a_script_can_kill_itself(server, name, number):
    answer = run_code(server, f"import os, signal\nos.kill(os.getpid(), signal.{name})\nprint('survived')",
                      run_timeout=5)
    assert answer["run_result"]["status"] == "Finished" and answer["run_result"]["stdout"] == ""
    assert answer["run_result"]["return_code"] == -number and answer["r1ci"]["signal"] == name


def test_output_is_kept_whole_up_to_1_mib_then_head_and_tail(server, small_server):
    """Finding 16: SandboxFusion returns a stream whole up to 128 KiB and stalls a script that writes more
    until run_timeout (TimeLimitExceeded). r1ci's server lets it finish and keeps 1 MiB per stream: whole up to
    it, else the first and last 512 KiB around the count of bytes left out."""
    answer = run_code(server, "print('x' * 200_000)")
    assert answer["run_result"]["stdout"] == "x" * 200_000 + "\n" and not answer["r1ci"]["output_truncated"]
    flood = run_code(server, "import sys\nsys.stdout.write('a' * 2_000_000 + 'b' * 1_000_000)", run_timeout=5)
    stdout = flood["run_result"]["stdout"]
    assert flood["run_result"]["status"] == "Finished" and flood["r1ci"]["output_truncated"]
    assert stdout.startswith("a" * 2**19 + "\n[... 1951424 bytes of output omitted ...]\n")
    assert stdout.endswith("\n" + "b" * 2**19) and len(stdout) < 2**20 + 100
    configured = run_code(small_server, "print('x' * 5000)")
    assert configured["r1ci"]["output_truncated"] and len(configured["run_result"]["stdout"]) < 1100


MAP = "import mmap\ntry:\n    mmap.mmap(-1, {} * 2**20, flags=mmap.MAP_PRIVATE)\n    print('ok')\n" \
      "except OSError:\n    print('refused')"


@pytest.mark.parametrize("request_mb, map_mb, outcome", [
    (-1, 200, "ok"), (0, 200, "ok"), (-1, 400, "refused"),  # "no limit": the server's ceiling, 300 MB
    (100, 200, "refused"), (10**6, 400, "refused"),          # a request's own limit, capped at the ceiling
])
def test_memory_limit_is_the_requests_up_to_the_servers_ceiling(small_server, request_mb, map_mb, outcome):
    answer = run_code(small_server, MAP.format(map_mb), memory_limit_MB=request_mb)
    assert answer["run_result"]["stdout"] == outcome + "\n"


def test_no_limit_is_not_a_gigabyte(server):
    assert run_code(server, MAP.format(2048), memory_limit_MB=-1)["run_result"]["stdout"] == "ok\n"


def test_memory_limit_counts_the_interpreter(server):
    assert run_code(server, MAP.format(195), memory_limit_MB=200)["run_result"]["stdout"] == "refused\n"


SLEEP_THEN_OK = "import time\ntime.sleep(1)\nprint('ok')"


def verl_call(url: str, code: str, timeout: int, memory_limit_mb: int = 1024) -> tuple[object, int]:
    """One test case the way veRL's reward client (reward_score/sandbox_fusion/utils.py) sends and scores it,
    and how many HTTP 504s it retried: its payload on a fresh connection, a timeout of compile + run timeout +
    10 s, retries on HTTP 504 only (3 tries, 1 s then 2 s apart), any other failure an API error; then -1
    sandbox error, -3 timeout, -2 runtime error, True success."""
    payload = json.dumps({"compile_timeout": timeout, "run_timeout": timeout, "code": code, "stdin": None,
                          "memory_limit_MB": memory_limit_mb, "language": "python", "files": {}, "fetch_files": []})
    request = urllib.request.Request(f"{url}/run_code", data=payload.encode(),
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=2 * timeout + 10) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 504 and attempt < 2:
                time.sleep(attempt + 1)
                continue
            return "api_error", attempt
        except (OSError, ValueError):  # refused, timed out, not JSON
            return "api_error", attempt
        if answer["status"] == "SandboxError":
            return -1, attempt
        if answer["status"] == "Failed":
            return (-3 if answer["run_result"]["status"] == "TimeLimitExceeded" else -2), attempt
        return True, attempt
    return "api_error", 3


def test_waiting_for_a_worker_never_counts_against_run_timeout():
    """Finding 14: 64 correct 1 s scripts sent at once to 2 workers with run_timeout=2 came back 18 correct and
    46 TimeLimitExceeded, as the wait counted against run_timeout. run_timeout is the script's own run time (as
    SandboxFusion counts it): all 64 finish, the last after waiting about 31 s."""
    with serve("--workers", "2", "--max-wait", "120") as url:
        with ThreadPoolExecutor(64) as pool:
            answers = list(pool.map(lambda _: httpx.post(
                f"{url}/run_code", json={"code": SLEEP_THEN_OK, "run_timeout": 2}, timeout=180).json(), range(64)))
    assert [(a["run_result"]["status"], a["run_result"]["stdout"]) for a in answers] == [("Finished", "ok\n")] * 64


def test_past_max_wait_the_answer_is_504_which_verl_retries():
    """A request that waited --max-wait for a worker is answered HTTP 504: its script did not run, and nothing
    says it failed. veRL's client retries a 504 (and nothing else), so every case still scores True."""
    with serve("--workers", "2", "--max-wait", "0.5") as url:
        with ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(lambda _: httpx.post(
                f"{url}/run_code", json={"code": SLEEP_THEN_OK, "run_timeout": 2}, timeout=60), range(16)))
        ran = [r.json() for r in responses if r.status_code == 200]
        waited = [r for r in responses if r.status_code == 504]
        assert len(ran) + len(waited) == 16 and len(ran) >= 2 and waited
        assert all(a["run_result"]["status"] == "Finished" and a["run_result"]["stdout"] == "ok\n" for a in ran)
        assert all(r.headers["Retry-After"] == "1" and "did not run" in r.json()["message"] for r in waited)
    with serve("--workers", "2", "--max-wait", "3") as url:
        with ThreadPoolExecutor(12) as pool:
            scores = list(pool.map(lambda _: verl_call(url, SLEEP_THEN_OK, timeout=2), range(12)))
    assert [score for score, _ in scores] == [True] * 12
    assert sum(retries for _, retries in scores) > 0


def test_past_the_queue_a_request_is_refused_at_once(small_server):
    with ThreadPoolExecutor(2) as pool:
        pool.submit(run_code, small_server, "while True: pass", run_timeout=3)
        time.sleep(1.0)  # that one holds the only worker
        queued = pool.submit(run_code, small_server, "print(1)", run_timeout=1)
        time.sleep(0.3)  # this one the only place in the queue
        response = httpx.post(f"{small_server}/run_code", json={"code": "print(2)"}, timeout=10)
        assert response.status_code == 503 and response.headers["Retry-After"] == "1"
        assert response.json()["status"] == "SandboxError" and "busy" in response.json()["message"]
        waited = queued.result(timeout=10)  # about 2 s of waiting, not counted in its run_timeout of 1 s
        assert waited["run_result"]["status"] == "Finished" and waited["run_result"]["stdout"] == "1\n"


def test_serve_flags_are_documented_and_checked():
    runner = CliRunner()
    help_text = " ".join(runner.invoke(app, ["sandbox", "serve", "--help"]).output.split())
    assert all(flag in help_text for flag in ("--max-output-bytes", "--max-memory-mb", "--max-queue", "--max-wait",
                                              "--max-connections", "--header-timeout", "--body-timeout",
                                              "--max-body-memory-mb"))
    result = runner.invoke(app, ["sandbox", "serve", "--max-output-bytes", str(2**21)])
    assert result.exit_code == 2 and "must be 64 to 1048576" in result.output
    result = runner.invoke(app, ["sandbox", "serve", "--header-timeout", "0"])
    assert result.exit_code == 2 and "header_timeout must be more than 0" in result.output


def test_a_remote_sandbox_whose_server_stays_busy_says_so_not_unreachable():
    with serve("--workers", "1", "--max-wait", "0.3") as url:
        remote = RemoteSandbox(url, retries=1)
        hog = remote.submit("import time\ntime.sleep(4)\nprint('done')", Limits(timeout=5))
        time.sleep(0.5)  # it holds the only worker
        with pytest.raises(SandboxError, match="stayed busy for 2 tries: HTTP 504"):
            remote.run("print(1)", Limits(timeout=1))
        assert hog.result(timeout=30).stdout == "done\n"
        remote.close()
