"""`r1ci sandbox run`: output, exit statuses and messages."""

import json
import subprocess
import sys
from pathlib import Path

R1CI = str(Path(sys.executable).with_name("r1ci"))


def r1ci(*args, stdin=None):
    return subprocess.run([R1CI, "sandbox", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_run_a_file_and_stdin(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import sys\nprint('from file')\nsys.exit(4)")
    done = r1ci("run", str(script))
    assert (done.stdout, done.returncode) == ("from file\n", 4)
    piped = r1ci("run", "-", stdin="print(input() * 2)")
    assert piped.returncode == 1 and "EOFError" in piped.stderr  # the script's own stdin is empty
    fed = tmp_path / "in.txt"
    fed.write_text("ab")
    assert r1ci("run", "-", "--stdin", str(fed), stdin="print(input() * 2)").stdout == "abab\n"


def test_limits_give_clear_messages_and_statuses():
    timeout = r1ci("run", "-", "--timeout", "0.5", stdin="while True: pass")
    assert timeout.returncode == 124 and "timed out after 0.5 s" in timeout.stderr
    segv = r1ci("run", "-", stdin="import ctypes; ctypes.string_at(0)")
    assert segv.returncode == 128 + 11 and "killed by SIGSEGV" in segv.stderr
    memory = r1ci("run", "-", "--memory-mb", "100", stdin="x = bytearray(500 * 2**20)")
    assert memory.returncode == 1 and "ran out of memory (limit 100 MB)" in memory.stderr


def test_json_output():
    out = r1ci("run", "-", "--json", stdin="print('hi')")
    result = json.loads(out.stdout)
    assert result["stdout"] == "hi\n" and result["status"] == "ok" and result["exit_code"] == 0


def test_bad_input_is_refused_clearly(tmp_path):
    missing = r1ci("run", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "no such script" in missing.stdout + missing.stderr
    bad = r1ci("run", "-", "--timeout", "0", stdin="print(1)")
    assert bad.returncode == 2 and "timeout must be a positive number" in bad.stdout + bad.stderr
    bench = r1ci("bench", "--concurrency", "0")
    assert bench.returncode == 2 and "--concurrency" in bench.stdout + bench.stderr
