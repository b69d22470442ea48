"""The attack suite: each hostile script is contained, says what happened, and the next script runs clean.

Every test ends with `assert_healthy`: a fresh script still runs correctly and no process is left behind.
"""

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from r1ci.sandbox import Limits
from r1ci.sandbox.bench import stray_processes
from r1ci.sandbox.core import MAXIMA
from r1ci.sandbox.zygote import TMPFS_INODES

REPO = Path(__file__).resolve().parents[2]
SHORT = Limits(timeout=2)


@pytest.fixture(autouse=True)
def assert_healthy(sandbox):
    time.sleep(0.2)
    baseline = min(stray_processes(sandbox) for _ in range(3))
    yield
    r = sandbox.submit("import os\nprint(sum(range(10)), os.getcwd(), os.listdir('.'))").result(timeout=30)
    assert r.stdout == "45 /tmp []\n", (r.stdout, r.stderr)
    deadline = time.monotonic() + 5  # one reading can catch a spare worker being forked: retry a while
    while (stray := stray_processes(sandbox)) > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stray <= baseline


def test_infinite_loop_is_killed_at_the_timeout(sandbox):
    began = time.monotonic()
    r = sandbox.run("while True:\n    pass", Limits(timeout=1))
    assert r.timed_out and r.status == "timeout" and "timed out after 1 s" in r.message(Limits(timeout=1))
    assert time.monotonic() - began < 3


def test_cpu_limit_kills_a_busy_script(sandbox):
    limits = Limits(timeout=5, cpu_time=1)
    r = sandbox.run("while True:\n    pass", limits)
    assert r.cpu_exceeded and r.status == "cpu" and r.signal == "SIGXCPU" and not r.timed_out


def test_fork_bomb(sandbox):
    r = sandbox.run("import os\nwhile True:\n    os.fork()", SHORT)
    assert r.status in ("error", "timeout")
    assert "BlockingIOError" in r.stderr or r.timed_out


def test_memory_bomb(sandbox):
    r = sandbox.run("x = bytearray(16 * 2**30)")
    assert r.memory_exceeded and r.status == "memory" and "MemoryError" in r.stderr
    r = sandbox.run("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))", Limits(memory_mb=256))
    assert r.memory_exceeded


def test_huge_output_is_clipped_and_the_flood_stopped(sandbox):
    r = sandbox.run("import sys\nwhile True:\n    sys.stdout.write('y' * 65536)", Limits(timeout=1, output_bytes=4096))
    assert r.timed_out and r.output_truncated
    assert len(r.stdout) < 4096 + 100 and "bytes of output omitted" in r.stdout


def test_writing_a_10_gb_file_fails(sandbox):
    code = ("f = open('big', 'wb')\nfor _ in range(10 * 1024):\n    f.write(b'\\0' * 2**20)\n    f.flush()")
    r = sandbox.run(code, Limits(timeout=10))
    assert r.exit_code == 1 and "File too large" in r.stderr


def test_filling_tmp_and_dev_shm_hits_each_tmpfs_size(sandbox):
    code = ("import errno\nfor place in ('/tmp', '/dev/shm'):\n    mb = 0\n    try:\n        for i in range(100):\n"
            "            with open(f'{place}/f{i}', 'wb') as f:\n                for _ in range(16):\n"
            "                    f.write(b'\\0' * 2**20)\n                    mb += 1\n"
            "    except OSError as e:\n        print(place, mb, errno.errorcode[e.errno])")
    r = sandbox.run(code, Limits(timeout=20))
    lines = [line.split() for line in r.stdout.splitlines()]
    assert [(place, code) for place, _, code in lines] == [("/tmp", "ENOSPC"), ("/dev/shm", "ENOSPC")], r.stderr
    assert all(250 <= int(mb) <= 256 for _, mb, _ in lines), lines  # LocalSandbox's tmp_mb, 256 by default


def test_open_files_are_bounded(sandbox):
    code = ("import errno, os\nfds = []\ntry:\n    while True:\n        fds.append(os.open('/dev/null', os.O_RDONLY))\n"
            "except OSError as e:\n    print(len(fds) + 3 <= 256, errno.errorcode[e.errno])")
    assert sandbox.run(code).stdout == "True EMFILE\n"


def test_host_files_are_invisible(sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    targets = ["/etc/shadow", str(secret), str(REPO / "pyproject.toml"), str(REPO / "r1ci" / "cli.py")]
    home = Path.home()
    targets += [str(p) for p in sorted(home.iterdir())[:5] if p.is_file()] if home.is_dir() else []
    code = (f"for path in {targets!r}:\n    try:\n        open(path).read()\n        print('READ', path)\n"
            "    except OSError as e:\n        print(type(e).__name__)")
    r = sandbox.run(code)
    assert "READ" not in r.stdout and r.stdout.count("Error") == len(targets), r.stdout
    listing = sandbox.run(f"import os\nprint(os.path.exists({str(REPO / 'README.md')!r}), os.listdir('/proc'))")
    assert listing.stdout == "False []\n"


def test_nothing_outside_tmp_is_writable(sandbox):
    code = ("import os\nfor path in ['/x', '/usr/x', '/etc/x', os.path.dirname(os.__file__) + '/x']:\n"
            "    try:\n        open(path, 'w')\n        print('WROTE', path)\n    except OSError as e:\n"
            "        print(type(e).__name__)")
    assert "WROTE" not in sandbox.run(code).stdout


def test_parent_environment_is_invisible(sandbox, monkeypatch):
    monkeypatch.setenv("R1CI_TEST_API_KEY", "sk-should-not-leak")
    r = sandbox.run("import os\nprint(sorted(os.environ))\nprint(os.environ.get('R1CI_TEST_API_KEY'))")
    assert "sk-should-not-leak" not in r.stdout and "R1CI_TEST_API_KEY" not in r.stdout
    for key in ("AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY", "HF_TOKEN", "SSH_AUTH_SOCK"):
        assert key not in r.stdout


def test_no_network_even_to_the_hosts_loopback(sandbox):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(3)
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(_accept(server)))
    thread.start()
    r = sandbox.run(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                    "s.sendall(b'stolen')")
    thread.join()
    server.close()
    assert r.exit_code == 1 and ("ConnectionRefusedError" in r.stderr or "unreachable" in r.stderr)
    assert accepted == [None]
    dns = sandbox.run("import socket\nsocket.getaddrinfo('example.com', 80)")
    assert dns.exit_code == 1


def _accept(server):
    try:
        return server.accept()
    except OSError:
        return None


def test_killing_parent_and_siblings_harms_nobody(sandbox):
    sibling = sandbox.submit("import time\ntime.sleep(1.5)\nprint('sibling alive')", Limits(timeout=5))
    time.sleep(0.3)
    killer = ("import os, signal\nkilled = 0\nfor pid in [os.getppid(), *range(1, 4096)]:\n    try:\n"
              "        os.kill(pid, signal.SIGKILL) if pid != os.getpid() else None\n        killed += 1\n"
              "    except (ProcessLookupError, PermissionError):\n        pass\nprint('done', flush=True)\n"
              "try:\n    os.kill(-1, signal.SIGKILL)\nexcept ProcessLookupError:\n    print('nobody else', flush=True)\n"
              "os.kill(0, signal.SIGKILL)")
    r = sandbox.run(killer, SHORT)
    # It tried everything and reached no one but itself: its supervisor (pid 1 of its namespace) ignores it,
    # and its namespace and process group hold nobody else.
    assert r.stdout == "done\nnobody else\n" and r.signal == "SIGKILL"
    assert sibling.result().stdout == "sibling alive\n"


def test_ctypes_segfault(sandbox):
    r = sandbox.run("import ctypes\nctypes.string_at(0)")
    assert r.signal == "SIGSEGV" and r.status == "killed" and r.exit_code is None


def test_deep_recursion(sandbox):
    r = sandbox.run("def f(n):\n    return f(n + 1)\nf(0)")
    assert r.exit_code == 1 and "RecursionError" in r.stderr
    r = sandbox.run("import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)", SHORT)
    assert r.status in ("killed", "error", "memory", "timeout")


def test_thousands_of_threads(sandbox):
    code = ("import threading, time\nthreads = []\nfor _ in range(5000):\n"
            "    t = threading.Thread(target=time.sleep, args=(3,), daemon=True)\n    t.start()\n    threads.append(t)")
    r = sandbox.run(code, Limits(timeout=5))
    assert r.exit_code == 1 and ("can't start new thread" in r.stderr or "MemoryError" in r.stderr)


def test_background_process_dies_with_the_script(sandbox):
    code = ("import os, subprocess, time\nsubprocess.Popen(['sleep', '300'], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n    time.sleep(300)\n    os._exit(0)\nprint('parent done')")
    r = sandbox.run(code, SHORT)
    assert r.stdout == "parent done\n" and not r.timed_out
    # the autouse fixture checks that no process is left behind


def test_closing_stdout_and_stderr(sandbox):
    r = sandbox.run("import os, sys\nprint('before')\nsys.stdout.flush()\nsys.stdout.close()\nos.close(1)\n"
                    "os.close(2)\nx = 1")
    assert r.stdout == "before\n" and not r.timed_out


def test_syscalls_that_widen_the_sandbox_are_refused(sandbox):
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "print(libc.unshare(0x10000000), ctypes.get_errno())\n"
            "print(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())\n"
            "print(os.getuid())")
    r = sandbox.run(code)
    assert r.stdout == "-1 1\n-1 1\n1000\n", r.stderr



def test_scripts_the_host_cannot_parse_still_run(sandbox):
    # Routing parses a script that names numpy or sympy; nesting this deep makes ast.parse raise.
    for code in ("import numpy\n" + "-" * 3000 + "1", "import sympy\nx = " + "-" * 100_000 + "1"):
        r = sandbox.submit(code).result(timeout=30)
        assert r.status in ("error", "memory") and ("RecursionError" in r.stderr or "MemoryError" in r.stderr)


def test_cancelled_calls_leave_the_pool_answering(sandbox):
    async def cancel_many():
        tasks = [asyncio.create_task(sandbox.arun("import time\ntime.sleep(0.3)")) for _ in range(8)]
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.5)  # the running ones answer now, for futures nobody wants any more

    asyncio.run(cancel_many())
    assert sandbox.submit("print('still here')").result(timeout=10).stdout == "still here\n"
    assert sandbox._running == 0 and not sandbox._waiting  # every worker slot came back


# Finds pipes among its descriptors (without /proc) and writes to each: one is its worker's status pipe.
WRITE_TO_EVERY_PIPE = ("import os, stat, struct, time\n"
                       "def frame(body):\n    return struct.pack('>I', len(body)) + body\n"
                       "payload = {payload}\n"
                       "for fd in range(3, 51):\n"
                       "    try:\n"
                       "        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
                       "            os.write(fd, payload)\n"
                       "            for _ in range(2000):  # 128 MB more, in case someone buffers it\n"
                       "                os.write(fd, b'x' * 65536)\n"
                       "    except OSError:\n"
                       "        pass\n"
                       "print('still running')\ntime.sleep(10)")


@pytest.mark.parametrize("payload", [
    "frame(b'[' * 100_000)",                       # nested too deep for any JSON parser's recursion
    "struct.pack('>I', 2**32 - 1) + b'x' * 65536",  # announces 4 GB
    "frame(b'{\"exit\": \"0\", \"memory\": []}')",  # the right keys, the wrong types
], ids=["deep", "huge", "wrong-types"])
def test_writing_to_the_status_channel_ends_only_that_script(sandbox, payload):
    rss = sandbox.stats()["light"]["rss_kb"]
    sibling = sandbox.submit("import time\ntime.sleep(1)\nprint('sibling done')", Limits(timeout=10))
    began = time.monotonic()
    r = sandbox.submit(WRITE_TO_EVERY_PIPE.format(payload=payload), Limits(timeout=8)).result(timeout=20)
    assert r.status == "killed" and r.signal == "SIGKILL" and not r.timed_out, (r, r.stderr)
    assert "status channel" in r.stderr and time.monotonic() - began < 5
    assert sibling.result(timeout=10).stdout == "sibling done\n"
    assert sandbox.stats()["light"]["rss_kb"] < rss + 32 * 1024  # the dispatcher buffered nothing


def test_a_session_writing_to_its_channel_loses_only_its_state(sandbox):
    with sandbox.session(Limits(timeout=5)) as s:
        assert s.run("x = 1").ok
        r = s.run(WRITE_TO_EVERY_PIPE.format(payload="b'garbage'"))
        assert r.status == "killed" and r.session_lost and "status channel" in r.stderr
        assert s.run("print('x' in globals())").stdout == "False\n"


# Shrinks every pipe it can reach and forges the end of its call, then never reads its next job.
PARK = ("import fcntl, json, os, stat, struct, time\nbody = json.dumps({'exit': 0, 'memory': False}).encode()\n"
        "for fd in range(3, 51):\n    try:\n        if stat.S_ISFIFO(os.fstat(fd).st_mode):\n"
        "            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)\n"
        "            os.write(fd, struct.pack('>I', len(body)) + body)\n    except OSError:\n        pass\n"
        "time.sleep(3600)")
BIG_CALL = "x = 1\n" + "#" * 300_000  # far more than a shrunk pipe holds


def test_a_session_that_parks_its_pipes_stalls_nothing(sandbox):
    with sandbox.session(Limits(timeout=2)) as s:
        assert s.run(PARK).status in ("ok", "timeout")
        began = time.monotonic()
        stuck = s.submit(BIG_CALL)
        time.sleep(0.3)
        others = sandbox.submit("import numpy\nprint('others run')")  # the same (heavy) pool
        assert others.result(timeout=10).stdout == "others run\n"
        r = stuck.result(timeout=10)
        assert r.timed_out and r.session_lost and time.monotonic() - began < 5
        assert s.run("print('fresh')").stdout == "fresh\n"


TICKING = ("import os, threading, time\n"
           "def tick(path):\n    while True:\n        with open(path, 'a') as f:\n"
           "            f.write(f'{time.monotonic()}\\n')\n        time.sleep(0.01)\n")


def test_nothing_of_a_session_runs_between_its_calls(sandbox):
    # A thread, a child and a grandchild in a session of its own each write the time every 10 ms.
    start = (TICKING + "threading.Thread(target=tick, args=('/tmp/thread',), daemon=True).start()\n"
             "if os.fork() == 0:\n    if os.fork() == 0:\n        os.setsid()\n        tick('/tmp/grandchild')\n"
             "    tick('/tmp/child')\ntime.sleep(0.3)")
    check = ("import time\ntime.sleep(0.3)\nfor name in ('thread', 'child', 'grandchild'):\n"
             "    stamps = [float(x) for x in open('/tmp/' + name).read().split()]\n"
             "    print(name, sum(s < {ended} for s in stamps) > 3, [s for s in stamps if {ended} < s < {resumed}],"
             " sum(s > {resumed} for s in stamps) > 3)")
    with sandbox.session(Limits(timeout=5)) as s:
        assert s.run(start).ok
        ended = time.monotonic()  # the same clock as inside (no time namespace)
        time.sleep(1)
        resumed = time.monotonic()
        r = s.run(check.format(ended=ended, resumed=resumed))
        # They ran during both calls, and not at all between them.
        assert r.stdout == "thread True [] True\nchild True [] True\ngrandchild True [] True\n", r.stderr


HOST = """
import time
from r1ci.sandbox import Limits, LocalSandbox
sandbox = LocalSandbox(workers=2)
busy, parked = sandbox.session(Limits(timeout=60)), sandbox.session(Limits(timeout=60))
busy.run("import os, subprocess, threading\\n"
         "def burn():\\n    while True:\\n        pass\\n"
         "threading.Thread(target=burn, daemon=True).start()\\n"
         "subprocess.Popen(['sleep', '4321'])\\n"
         "if os.fork() == 0:\\n    os.setsid()\\n    burn()")
busy.submit("while True:\\n    pass")
parked.run(PARK)
parked.submit(BIG_CALL)
time.sleep(0.5)
print("busy", flush=True)
time.sleep(60)
"""


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid: (parent, state, start time) of every process on the machine."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(entry)] = (int(fields[1]), fields[0], fields[19])
    return out


def test_nothing_outlives_a_killed_host(sandbox, tmp_path):
    # Its pools hold a busy session (threads, processes) and a session whose next job cannot be handed over.
    script = tmp_path / "host.py"
    script.write_text(f"PARK, BIG_CALL = {PARK!r}, {BIG_CALL!r}\n{HOST}")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    host = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env, cwd=REPO)
    watchdog = threading.Timer(60, host.kill)  # a host that hangs ends its readline below
    watchdog.start()
    try:
        assert host.stdout.readline() == b"busy\n"
        procs = _processes()
        tree, grew = {host.pid}, True
        while grew:
            before = len(tree)
            tree |= {pid for pid, (parent, _, _) in procs.items() if parent in tree}
            grew = len(tree) > before
        tree.discard(host.pid)
        inside = {pid: procs[pid][2] for pid in tree}
        assert len(inside) >= 10  # bwrap, zygotes, fork servers, dispatchers, workers, the session's processes
    finally:
        watchdog.cancel()
        host.kill()
        host.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        now = _processes()
        alive = [pid for pid, started in inside.items()
                 if pid in now and now[pid][2] == started and now[pid][1] != "Z"]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, alive


def _shmem_kb() -> int:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Shmem:"))


def test_dev_is_read_only_and_nothing_left_there_reaches_the_next_script(sandbox):
    shmem = _shmem_kb()
    attack = ("import os\ndef attempt(what, act):\n    try:\n        act()\n        print(what, 'done')\n"
              "    except OSError as e:\n        print(what, e.strerror)\n"
              "attempt('x', lambda: open('/dev/x', 'w').write('left behind'))\n"
              "attempt('stdout', lambda: (os.unlink('/dev/stdout'), os.symlink('/dev/null', '/dev/stdout')))\n"
              "attempt('big', lambda: open('/dev/big', 'wb').write(b'\\0' * 200 * 2**20))\n"
              "attempt('shm', lambda: open('/dev/shm/big', 'wb').write(b'\\0' * 200 * 2**20))\n")
    r = sandbox.run(attack, Limits(file_size_mb=512))
    assert r.stdout == ("x Read-only file system\nstdout Read-only file system\nbig Read-only file system\n"
                        "shm done\n"), r.stderr
    r = sandbox.run("import os\nprint(os.path.exists('/dev/x'), os.path.exists('/dev/big'), os.listdir('/dev/shm'),"
                    " os.readlink('/dev/stdout'))\nopen('/dev/null', 'w').write('x')\n"
                    "print(len(open('/dev/zero', 'rb').read(8)), len(open('/dev/urandom', 'rb').read(8)))")
    assert r.stdout == "False False [] /proc/self/fd/1\n8 8\n", r.stderr
    deadline = time.monotonic() + 3  # the 200 MB in its /dev/shm go with its worker
    while _shmem_kb() > shmem + 100 * 1024 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _shmem_kb() < shmem + 100 * 1024


def test_memory_that_no_rlimit_counts_is_refused(sandbox):
    memfd = ("import os\nchunk = b'\\0' * 2**20\nfds = []\nfor _ in range(16):\n"
             "    fds.append(os.memfd_create('hoard'))\n    for _ in range(64):\n        os.write(fds[-1], chunk)\n"
             "print('held', 64 * len(fds), 'MB')")
    r = sandbox.run(memfd, Limits(memory_mb=64))
    assert r.exit_code == 1 and "held" not in r.stdout
    assert "PermissionError: [Errno 1] Operation not permitted" in r.stderr
    sysv = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.shmat.restype = ctypes.c_void_p\n"
            "print(libc.msgget(0, 0o1600), ctypes.get_errno(), libc.semget(0, 1, 0o1600), ctypes.get_errno())\n"
            "for _ in range(16):\n    shm = libc.shmget(0, 64 * 2**20, 0o1600)\n    if shm == -1:\n"
            "        raise OSError(ctypes.get_errno(), 'shmget: ' + os.strerror(ctypes.get_errno()))\n"
            "    addr = libc.shmat(shm, None, 0)\n    ctypes.memset(addr, 1, 64 * 2**20)\n"
            "    libc.shmdt(ctypes.c_void_p(addr))\nprint('held')")
    r = sandbox.run(sysv, Limits(memory_mb=64))
    assert r.stdout == "-1 1 -1 1\n" and "PermissionError: [Errno 1] shmget: Operation not permitted" in r.stderr
    mqueue = ("import ctypes\nlibc = ctypes.CDLL('librt.so.1', use_errno=True)\n"
              "print(libc.mq_open(b'/hoard', 0o102, 0o600, None), ctypes.get_errno())")
    assert sandbox.run(mqueue).stdout == "-1 1\n"


# Findings of the second review (issue 21): kernel memory, frozen sessions, pool stalls.

def test_extended_attributes_are_refused_everywhere_a_script_can_write(sandbox):
    """2 GB of xattrs on one tmpfs file once cost the host 4.2 GB that no limit counted."""
    code = ("import os\nfor path in ('/tmp/f', '/dev/shm/f'):\n    open(path, 'w').close()\n    try:\n"
            "        os.setxattr(path, 'user.hoard', b'x' * 65536)\n        print('stored')\n"
            "    except OSError as e:\n        print(e.errno)")
    assert sandbox.run(code).stdout == "95\n95\n"  # EOPNOTSUPP, as on a filesystem without xattrs


def test_tmpfs_inodes_are_bounded(sandbox):
    """Empty files cost kernel memory (about 1 KiB each) that a tmpfs's size does not count."""
    code = ("import os\nfor place in ('/tmp', '/dev/shm'):\n    n = 0\n    try:\n        while True:\n"
            "            open(f'{place}/{n}', 'w').close()\n            n += 1\n    except OSError as e:\n"
            "        print(n, e.errno)")
    counts = [line.split() for line in sandbox.run(code, Limits(timeout=20)).stdout.splitlines()]
    assert len(counts) == 2 and all(errno == "28" and 0 < int(n) <= TMPFS_INODES for n, errno in counts), counts


# Armed in a session's first call: a process that counts while it runs and tries every known way to be woken
# when stopped; its parent dies between calls, on its own timer.
WAKE_ATTEMPTS = r"""
import ctypes, fcntl, os, signal, time
libc = ctypes.CDLL(None, use_errno=True)
class SigEvent(ctypes.Structure):
    _fields_ = [("value", ctypes.c_void_p), ("signo", ctypes.c_int), ("notify", ctypes.c_int),
                ("pad", ctypes.c_int * 12)]
class TimerSpec(ctypes.Structure):
    _fields_ = [("interval", ctypes.c_long * 2), ("value", ctypes.c_long * 2)]
def wake_me_up():
    refused = []
    signal.signal(signal.SIGCONT, lambda *_: None)  # handled, so that the kernel keeps delivering it
    timer = ctypes.c_void_p()  # a POSIX timer that sends this process SIGCONT every 10 ms
    if libc.timer_create(1, ctypes.byref(SigEvent(None, signal.SIGCONT, 0)), ctypes.byref(timer)):
        refused.append("timer_create")
    else:
        libc.timer_settime(timer, 0, ctypes.byref(TimerSpec((0, 10**7), (0, 10**7))), None)
    if libc.prctl(1, signal.SIGCONT, 0, 0, 0):  # PR_SET_PDEATHSIG: SIGCONT when the parent dies
        refused.append("pdeathsig")
    try:  # SIGCONT when the parent's end of this pipe closes
        fcntl.fcntl(parent_end, 10, signal.SIGCONT)  # F_SETSIG
        fcntl.fcntl(parent_end, fcntl.F_SETOWN, os.getpid())
        fcntl.fcntl(parent_end, fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)
    except PermissionError:
        refused.append("F_SETSIG")
    os.setsid()  # a session of its own, whose groups the kernel would continue when it orphans them
    if os.getsid(0) != os.getpid():
        refused.append("setsid")
    with open("/tmp/refused", "w") as f:
        f.write(" ".join(refused))
if os.fork() == 0:
    if os.fork() == 0:  # a double fork: the session's pid 1 adopts the parent when its own parent exits
        parent_end, child_end = os.pipe()
        if os.fork() == 0:
            os.close(child_end)
            wake_me_up()
            n = 0
            while True:
                n += 1
                with open("/tmp/count", "w") as f:
                    f.write(str(n))
                time.sleep(0.01)
        signal.setitimer(signal.ITIMER_REAL, 0.5)  # dies between calls, on its own timer
        signal.pause()
    os._exit(0)
time.sleep(0.3)
print(open("/tmp/refused").read())
"""


def test_a_sessions_processes_stay_stopped_between_calls(sandbox):
    """A timer that sends SIGCONT once let a session's processes run 20 s of CPU in 30 s with no call in flight."""
    read = "import time\ntime.sleep(0.05)\nprint(open('/tmp/count').read())"
    with sandbox.session(Limits(timeout=10)) as session:
        armed = session.run(WAKE_ATTEMPTS)
        assert armed.stdout == "timer_create pdeathsig F_SETSIG setsid\n", (armed.stdout, armed.stderr)
        before = int(session.run(read).stdout)
        time.sleep(2)  # 200 counts if anything ran
        after = int(session.run(read).stdout)
    assert after - before < 30, (before, after)  # what the second read's own 0.05 s lets it count


def test_a_limit_past_its_maximum_is_refused_and_the_largest_one_works(sandbox):
    """A timeout above 2**31 ms once raised OverflowError in the dispatcher's event loop and killed the pool."""
    for field, value in MAXIMA.items():
        with pytest.raises(ValueError, match=f"limit {field} must be a positive number, at most"):
            Limits(**{field: value + 1})
    r = sandbox.run("print('ok')", Limits(timeout=MAXIMA["timeout"], cpu_time=MAXIMA["cpu_time"]))
    assert r.stdout == "ok\n"


def test_large_stdin_and_large_output_do_not_stall_the_pool():
    """Jobs with 512 KB of stdin whose scripts print 400 KB: the host's reader and the dispatcher once each
    blocked writing to the other, and 0 of 8 jobs finished."""
    from r1ci.sandbox import LocalSandbox

    code = ("import sys\ndata = sys.stdin.read()\nsys.stdout.write('o' * 200_000)\n"
            "sys.stderr.write('e' * 200_000)\nprint(len(data))")
    with LocalSandbox(workers=2) as sandbox:
        futures = [sandbox.submit(code, Limits(timeout=30, output_bytes=2**18), stdin="x" * 2**19) for _ in range(8)]
        results = [f.result(timeout=120) for f in futures]
    assert [r.stdout.endswith(f"{2**19}\n") and len(r.stderr) == 200_000 for r in results] == [True] * 8
