"""`r1ci sandbox serve` under attack (issue 21, findings 3 and 13): half-sent requests, floods of connections
and bodies, and input it cannot run. Each attack is contained to a stated figure (threads, memory, statuses),
and the next request is answered as usual."""

import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

R1CI = str(Path(sys.executable).with_name("r1ci"))
MB = 2**20


@contextmanager
def serve(*flags):
    """The server in a subprocess: its URL and its pid (for its threads and memory in /proc)."""
    proc = subprocess.Popen([R1CI, "sandbox", "serve", "--port", "0", "--workers", "1", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "listening on" in line, proc.stderr.read()
    try:
        yield line.rsplit(" ", 1)[1].strip(), proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def status(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status: Threads, or VmRSS in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            value = int(line.split()[1])
            return value * 1024 if line.endswith("kB") else value
    raise KeyError(key)


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)))


def answer_of(sock: socket.socket) -> tuple[int, dict]:
    """Read one answer: its status and JSON body."""
    sock.settimeout(30)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))[15:])
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1]), json.loads(body)


def healthy(url: str) -> None:
    answer = httpx.post(f"{url}/run_code", json={"code": "print(6 * 7)", "run_timeout": 5}, timeout=30).json()
    assert answer["run_result"]["status"] == "Finished" and answer["run_result"]["stdout"] == "42\n"


def test_half_sent_headers_hold_no_more_than_the_connection_cap():
    """Finding 3: 300 connections that never finish their headers became 300 threads, none ever closed. Now
    64 are admitted (one thread each), the other 236 are answered 503 with Retry-After at once, and each
    admitted one is answered 408 and closed at the header deadline. A trickle of one byte at a time does not
    extend it."""
    with serve("--max-connections", "64", "--header-timeout", "2") as (url, pid):
        healthy(url)
        time.sleep(0.5)  # the thread that served it ends
        threads, rss = status(pid, "Threads"), status(pid, "VmRSS")
        held = [connect(url) for _ in range(300)]
        for sock in held:
            sock.sendall(b"POST /run_code HTTP/1.1\r\nHost: sandbox\r\nContent-Len")
        refused = []
        for sock in held[64:]:  # accepted in order: past the cap, each is answered from the accept loop
            sock.settimeout(30)
            refused.append(sock.recv(65536))
        assert all(b" 503 " in r and b"Retry-After: 1" in r and b"max-connections" in r for r in refused)
        assert status(pid, "Threads") - threads <= 64
        assert status(pid, "VmRSS") - rss < 16 * MB

        trickle = held[0]
        sent = 0
        trickle.settimeout(0.25)
        while True:  # one byte every 0.25 s until the server gives up on the headers
            try:
                if trickle.recv(65536, socket.MSG_PEEK):
                    break
            except TimeoutError:
                pass
            trickle.sendall(b"g")
            sent += 1
        assert sent < 2 / 0.25 + 4  # the deadline covers the headers' total time, not each read
        answers = [answer_of(sock) for sock in held[:64]]
        assert all(code == 408 and "did not arrive within 2 s" in body["message"] for code, body in answers)
        for sock in held:
            sock.close()
        deadline = time.monotonic() + 10
        while status(pid, "Threads") > threads and time.monotonic() < deadline:  # the threads end their work
            time.sleep(0.1)
        assert status(pid, "Threads") <= threads
        healthy(url)


def test_partial_bodies_hold_no_more_than_the_body_memory():
    """Finding 3: 20 bodies sent up to 15 of their 16 MiB took the server from 42 to 350 MB. With
    --max-body-memory-mb 64, four bodies are read at once; the other 16 are refused with 503 before a byte of
    their body is read; the four get 408 at the body deadline; the server's memory grew by at most 64 MiB and
    a bit."""
    with serve("--max-body-memory-mb", "64", "--body-timeout", "4") as (url, pid):
        healthy(url)
        rss = status(pid, "VmRSS")
        senders = [connect(url) for _ in range(20)]
        for sock in senders:
            sock.sendall(b"POST /run_code HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % (16 * MB))
        time.sleep(1)  # let the server take the headers of all 20
        admitted, refused = [], []
        for sock in senders:
            sock.setblocking(False)
            try:
                refused.append(sock.recv(65536))
            except BlockingIOError:
                admitted.append(sock)
        assert len(admitted) == 4 and all(b" 503 " in r and b"max-body-memory-mb" in r for r in refused)
        for sock in admitted:
            sock.setblocking(True)
            sock.sendall(b" " * (15 * MB))
        time.sleep(0.5)  # let the server read them
        grown = status(pid, "VmRSS") - rss
        assert 60 * MB - 4 * MB < grown < 64 * MB + 16 * MB
        answers = [answer_of(sock) for sock in admitted]
        assert all(code == 408 and "body did not arrive within 4 s" in body["message"] for code, body in answers)
        for sock in senders:
            sock.close()
        healthy(url)


@pytest.fixture(scope="module")
def server():
    with serve("--workers", "2") as (url, _):
        yield url


@pytest.mark.parametrize("body, message", [
    (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    (b'{"code": "print(1)", "memory_limit_MB": 1e400}', "memory_limit_MB must be a finite number"),
    (b'{"code": "print(1)", "run_timeout": 3e6}', "at most 86,400"),
    (b'{"code": "print(1)", "files": {"../up": "eA=="}}', "plain names"),
    (b'{"code": "print(1)", "files": {"a\\u0000b": "eA=="}}', "plain names"),
    (b'{"code": "print(1)", "files": {"%s": "eA=="}}' % (b"n" * 300), "at most 255 bytes"),
    (b'{"code": "print(1)\\ud800"}', "`code` is not valid Unicode"),
    (b'{"code": "print(1)", "stdin": "\\udfff"}', "`stdin` is not valid Unicode"),
])
def test_input_it_cannot_run_gets_400_and_the_next_request_is_served(server, body, message):
    """Finding 13: these dropped the connection (RecursionError, OverflowError), got HTTP 500 (a path
    traversal) or ran with exit code 70 (NUL, 300 characters). Each is now a 400 that says why."""
    response = httpx.post(f"{server}/run_code", content=body, timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["status"] == "SandboxError" and message in response.json()["message"]
    healthy(server)


def test_a_timeout_past_the_maximum_harms_no_other_client(server):
    """Finding 4 over the server: run_timeout=3e6 gave other clients HTTP 500 (the pool died)."""
    running = []
    worker = threading.Thread(target=lambda: running.append(httpx.post(
        f"{server}/run_code", json={"code": "import time; time.sleep(1); print('done')", "run_timeout": 5},
        timeout=30).json()))
    worker.start()
    refused = httpx.post(f"{server}/run_code", json={"code": "print(1)", "run_timeout": 3e6}, timeout=30)
    worker.join()
    assert refused.status_code == 400 and "timeout" in refused.json()["message"]
    assert running[0]["run_result"]["stdout"] == "done\n"
    healthy(server)


@pytest.mark.parametrize("request_bytes, status, message", [
    (b"POST /run_code HTTP/1.1\r\nHost: s\r\nContent-Length: %d\r\n\r\n" % (16 * MB + 1), 413, "at most"),
    (b"POST /run_code HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "Content-Length"),
    (b"POST /run_code HTTP/1.1\r\nHost: s\r\n\r\n", 411, "Content-Length"),
    (b"POST /run_code HTTP/1.1\r\nHost: s\r\nContent-Length: x\r\n\r\n", 400, "must be a number"),
    (b"POST /run_code HTTP/1.1\r\nX-Pad: " + b"p" * (64 * 1024 - 32), 431, "exceed 65536 bytes"),
    (b"POST /elsewhere HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\n\r\n", 404, "no route"),
])
def test_bodies_it_will_not_read_are_refused_before_reading(server, request_bytes, status, message):
    with connect(server) as sock:
        sock.sendall(request_bytes)
        code, body = answer_of(sock)
    assert code == status and message in body["message"]
