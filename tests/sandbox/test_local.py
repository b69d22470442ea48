"""The local sandbox's behaviour: results, fresh state, routing, limits, sessions, sync and async APIs."""

import asyncio
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from r1ci.sandbox import Limits, LocalSandbox, Result, SandboxError, SandboxUnavailable, local
from r1ci.sandbox.core import clip, clip_text
from r1ci.sandbox.local import imports_heavy


def test_stdout_stderr_and_exit_status(sandbox):
    r = sandbox.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)")
    assert (r.stdout, r.stderr, r.exit_code, r.status, r.ok) == ("out\n", "err\n", 3, "error", False)
    ok = sandbox.run("print(6 * 7)")
    assert ok.ok and ok.stdout == "42\n" and ok.status == "ok" and ok.signal is None and ok.duration > 0


def test_tracebacks_look_like_python_c(sandbox):
    r = sandbox.run("x = 1\ny = x / 0")
    assert r.exit_code == 1
    assert r.stderr.startswith("Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\n")
    assert "y = x / 0" in r.stderr and r.stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "zygote" not in r.stderr  # none of the runner's frames leak into the script's traceback
    syntax = sandbox.run("def f(:\n  pass")
    assert syntax.exit_code == 1 and "SyntaxError" in syntax.stderr


def test_exit_codes(sandbox):
    assert sandbox.run("raise SystemExit").exit_code == 0
    assert sandbox.run("raise SystemExit('bye')").exit_code == 1
    assert sandbox.run("import sys; sys.exit(300)").exit_code == 300 & 0xFF
    assert sandbox.run("import os; os._exit(5)").exit_code == 5


def test_stdin_and_files(sandbox):
    r = sandbox.run("import sys\nprint(sys.stdin.read().upper())", stdin="abc")
    assert r.stdout == "ABC\n"
    r = sandbox.run("import os, sys\nprint(len(sys.stdin.read()), os.listdir('.'))", stdin="x" * 2**20)
    assert r.stdout == "1048576 []\n"  # more than a pipe holds, and no file left to see
    r = sandbox.run("print(open('data.txt').read().split())", files={"data.txt": "1 2 3"})
    assert r.stdout == "['1', '2', '3']\n"
    with pytest.raises(ValueError, match="plain names"):
        sandbox.submit("pass", files={"../x": "no"})


def test_each_script_starts_from_a_fresh_state(sandbox):
    poison = ("import builtins, math, os, sys, json\nopen('mark', 'w').write('x')\nbuiltins.len = None\n"
              "builtins.print = lambda *a, **k: None\nmath.pi = 3\nos.chdir('/')\nsys.modules['json'] = None\n"
              "globals()['LEFTOVER'] = 1")
    assert sandbox.run(poison).ok
    r = sandbox.run("import math, os, json\nprint(math.pi, os.getcwd(), len('ab'), json.dumps(1), "
                    "'LEFTOVER' in globals(), os.listdir('.'))")
    assert r.stdout == "3.141592653589793 /tmp 2 1 False []\n", r.stderr


def test_random_state_differs_between_scripts(sandbox):
    code = "import random, numpy\nprint(random.random(), numpy.random.rand())"
    outputs = {sandbox.run(code).stdout for _ in range(4)}
    assert len(outputs) == 4


def test_heavy_routing():
    heavy = ("numpy", "sympy")
    assert imports_heavy("import numpy as np", heavy)
    assert imports_heavy("from sympy.abc import x", heavy)
    assert imports_heavy("def f():\n    import numpy.linalg\n", heavy)
    assert not imports_heavy("print('numpy')", heavy)
    assert not imports_heavy("import numpyish", heavy)
    assert not imports_heavy("import numpy as (", heavy)  # a syntax error runs light and reports itself
    for deep in ("-" * 3000 + "1", "-" * 100_000 + "1"):  # RecursionError, MemoryError in ast.parse
        assert imports_heavy("import numpy\n" + deep, heavy)


def test_preloaded_modules_work_in_both_pools(sandbox):
    r = sandbox.run("import numpy as np, sympy as sp\nx = sp.Symbol('x')\n"
                    "print(np.linalg.det(np.eye(3)), sp.solve(x**2 - 4, x))")
    assert r.stdout == "1.0 [-2, 2]\n", r.stderr
    assert sandbox.run("import fractions; print(fractions.Fraction(1, 3) * 3)").stdout == "1\n"


def test_run_many_keeps_order_and_runs_in_parallel(sandbox):
    results = sandbox.run_many([f"import time; time.sleep(0.3); print({i})" for i in range(4)])
    assert [r.stdout for r in results] == [f"{i}\n" for i in range(4)]


def test_async_api(sandbox):
    async def main():
        one = await sandbox.arun("print('a')")
        many = await sandbox.arun_many(["print(1)", "print(2)", "1/0"])
        return one, many

    one, many = asyncio.run(main())
    assert one.stdout == "a\n"
    assert [r.stdout for r in many[:2]] == ["1\n", "2\n"] and many[2].status == "error"


def test_output_is_clipped_with_head_tail_and_marker(sandbox):
    r = sandbox.run("print('START' + 'x' * 200000 + 'END')", Limits(output_bytes=1000))
    assert r.output_truncated and r.ok
    assert r.stdout.startswith("START") and r.stdout.endswith("END\n")
    assert "bytes of output omitted" in r.stdout and len(r.stdout) < 1100
    assert "clipped" in r.message(Limits(output_bytes=1000))


def test_clip_helpers():
    assert clip("ab", "yz", 4) == "ab" + "yz"
    assert clip("ab", "yz", 10) == "ab\n[... 6 bytes of output omitted ...]\nyz"
    text, cut = clip_text("0123456789", 4)
    assert cut and text.startswith("01") and text.endswith("89") and "6 bytes" in text
    assert clip_text("short", 100) == ("short", False)


def test_limits_are_validated():
    for bad in ({"timeout": 0}, {"memory_mb": -1}, {"timeout": float("nan")}, {"processes": True},
                {"output_bytes": 10}):
        with pytest.raises(ValueError):
            Limits(**bad)


def test_session_keeps_state_and_loses_it_on_timeout(sandbox):
    with sandbox.session(Limits(timeout=2)) as s:
        assert s.run("x = 41\nimport numpy as np").ok
        assert s.run("x += 1\nprint(x, np.int64(x) * 2)").stdout == "42 84\n"
        lost = s.run("while True: pass", Limits(timeout=0.5))
        assert lost.timed_out and lost.session_lost
        fresh = s.run("print('x' in globals())")
        assert fresh.stdout == "False\n"
    with pytest.raises(SandboxError, match="closed"):
        s.run("print(1)")


def test_result_round_trip():
    r = Result(stdout="a", exit_code=None, signal="SIGSEGV", duration=0.5)
    assert Result.from_dict(r.to_dict()) == r
    assert r.status == "killed" and "SIGSEGV" in r.message()


def test_refuses_to_start_without_isolation(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap.*insecure"):
        LocalSandbox(workers=1)


def test_insecure_mode_runs_with_limits_only(tmp_path):
    with pytest.warns(UserWarning, match="WITHOUT isolation"):
        sb = LocalSandbox(workers=1, insecure=True, eager=False)
    with sb:
        r = sb.run("import os\nprint(os.getcwd() != '/', len(os.listdir('.')))")
        assert r.stdout == "True 0\n", r.stderr
        assert sb.run("while True: pass", Limits(timeout=0.5)).timed_out
        assert sb.run("x = bytearray(8 * 2**30)").memory_exceeded


def test_closed_sandbox_refuses_work():
    sb = LocalSandbox(workers=1, eager=False)
    sb.close()
    with pytest.raises(SandboxError, match="closed"):
        sb.run("print(1)")


def _dispatcher_pid(pool) -> int:
    """The dispatcher: the fork server's child at the fork server's own pid-namespace depth (workers are deeper)."""
    def info(pid):
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return int(fields["PPid"]), len(fields["NSpid"].split())

    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                procs[int(entry)] = info(entry)
            except (OSError, KeyError):
                continue
    for pid, (ppid, depth) in procs.items():
        if ppid in procs and procs[ppid][1] == depth and procs[ppid][0] in procs \
                and procs[procs[ppid][0]][1] < depth and _under(pid, pool.proc.pid, procs):
            return pid
    raise AssertionError("no dispatcher found")


def _under(pid, root, procs):
    while pid in procs and pid != root:
        pid = procs[pid][0]
    return pid == root


def test_a_dead_pool_is_restarted_on_the_next_script():
    with LocalSandbox(workers=1) as sb:
        pool = sb.pools["light"]
        old = pool.proc
        os.kill(_dispatcher_pid(pool), signal.SIGKILL)
        old.wait(timeout=10)  # everything inside goes down with it
        r = sb.run("print('back')")
        assert r.stdout == "back\n" and pool.proc is not old


def test_odd_scripts_and_output_are_reported_not_crashed(sandbox):
    assert sandbox.run("print(1)\0").exit_code == 1
    assert sandbox.run("print('\udc80')").exit_code == 1  # a lone surrogate cannot be printed as UTF-8
    big = sandbox.run("x = 0\n" + "x += 1\n" * 200_000 + "print(x)")
    assert big.stdout == "200000\n"
    raw = sandbox.run("import sys\nsys.stdout.buffer.write(b'\\xff\\xfeok\\n')")
    assert raw.stdout.endswith("ok\n") and "\ufffd" in raw.stdout
    with pytest.raises(TypeError, match="code must be a str"):
        sandbox.run(b"print(1)")


def test_ctypes_callbacks_and_multiprocessing_work(sandbox):
    code = ("import ctypes, multiprocessing, multiprocessing.shared_memory\n"
            "libc = ctypes.CDLL(None)\nCMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), "
            "ctypes.POINTER(ctypes.c_int))\narr = (ctypes.c_int * 4)(3, 1, 4, 2)\n"
            "libc.qsort(arr, 4, ctypes.sizeof(ctypes.c_int), CMP(lambda a, b: a[0] - b[0]))\n"
            "def square(x):\n    return x * x\n"
            "with multiprocessing.Pool(2) as pool:\n    squares = pool.map(square, range(4))\n"
            "shared = multiprocessing.shared_memory.SharedMemory(create=True, size=4096)\nshared.buf[0] = 7\n"
            "value = multiprocessing.Value('i', 5)\n"
            "print(list(arr), squares, shared.buf[0], value.value)\nshared.close()\nshared.unlink()")
    r = sandbox.run(code)
    assert r.stdout == "[1, 2, 3, 4] [0, 1, 4, 9] 7 5\n", r.stderr


def test_child_exits_do_not_write_into_the_scripts_files(sandbox):
    # The fork server's SIGCHLD wake-up descriptor once stayed live in workers, at a number a script reuses.
    r = sandbox.run("import subprocess\nfiles = [open(f'f{i}', 'wb') for i in range(8)]\n"
                    "subprocess.run(['true'])\nfor f in files:\n    f.close()\n"
                    "print(sum(len(open(f'f{i}', 'rb').read()) for i in range(8)))")
    assert r.stdout == "0\n", r.stderr


def test_sessions_end_when_idle_or_old(monkeypatch):
    monkeypatch.setattr(local, "SESSION_IDLE", 1.0)
    monkeypatch.setattr(local, "SESSION_LIFETIME", 3.0)
    count = "n = globals().get('n', 0) + 1\nprint(n)"
    with LocalSandbox(workers=1, eager=False) as sb, sb.session() as s:
        assert [s.run(count).stdout for _ in range(2)] == ["1\n", "2\n"]
        time.sleep(1.5)
        idle = s.run(count)
        assert idle.stdout == "1\n" and idle.session_lost and "state was lost" in idle.message()
        began, seen = time.monotonic(), []
        while time.monotonic() - began < 4.5:  # a call every 0.3 s: never idle, but older than 3 s
            r = s.run(count)
            seen.append((int(r.stdout), r.session_lost, time.monotonic() - began))
            time.sleep(0.3)
    lost = [lost for _, lost, _ in seen]
    assert lost.count(True) == 1, seen
    i = lost.index(True)  # the first call past the session's 3 s starts afresh, once
    assert [n for n, _, _ in seen] == [*range(2, i + 2), *range(1, len(seen) - i + 1)] and 2.5 < seen[i][2] < 4


def test_the_module_and_the_readme_give_the_same_list_of_what_is_not_defended():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = readme.split("**What the sandbox does not defend against.**")[1].split("\n\n")[0]
    documented = local.__doc__.split("(the README says the same, word for word).")[1]
    assert " ".join(listed.split()) == " ".join(documented.split())


def test_packages_under_tmp_reached_through_a_link_stay_visible_to_every_script(tmp_path):
    """Each worker mounts its own /tmp: a package directory whose real path is there (a venv linked into /tmp)
    is bound elsewhere, so a module imported lazily from it is found."""
    real = tmp_path / "real" / "site-packages"
    (real / "probe").mkdir(parents=True)
    (real / "probe" / "__init__.py").write_text("")
    (real / "probe" / "lazy.py").write_text("VALUE = 42\n")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "real")
    with LocalSandbox(workers=1, extra_paths=(str(link / "site-packages"),)) as sandbox:
        r = sandbox.run("import probe.lazy\nprint(probe.lazy.VALUE, probe.lazy.__file__.startswith('/tmp'))")
    assert r.stdout == "42 False\n", r.stderr


def test_bad_file_names_are_refused_before_they_reach_a_worker(sandbox):
    for name in ("../x", "a/b", "", "..", "nul\0byte", "x" * 300):
        with pytest.raises(ValueError, match="file names must be plain names"):
            sandbox.submit("print(1)", files={name: "data"})
    assert sandbox.run("print(open('x' * 255).read())", files={"x" * 255: "kept"}).stdout == "kept\n"


def test_closing_with_work_in_flight_fails_that_work_and_restarts_nothing():
    sandbox = LocalSandbox(workers=1)
    running = sandbox.submit("import time\ntime.sleep(5)")
    queued = sandbox.submit("print(1)")
    time.sleep(0.5)
    sandbox.close()
    for future in (running, queued):
        with pytest.raises(SandboxError, match="closed"):
            future.result(timeout=10)
    assert all(pool.sock is None for pool in sandbox.pools.values())


def test_the_docs_table_of_what_a_script_can_hold_names_real_tests():
    from r1ci.sandbox.zygote import TMPFS_INODES

    page = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text()
    table = page.split("**What a script can hold, at most**")[1].split("\n\n")[1]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    attacks = (Path(__file__).parent / "test_attacks.py").read_text()
    named = [row.rsplit("|", 2)[1].strip().strip("`") for row in rows]
    assert len(named) >= 12 and all(f"\ndef {name}(" in attacks for name in named), named
    assert f"{TMPFS_INODES:,} per tmpfs" in table
