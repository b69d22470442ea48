"""Grading never runs a model's answer in the host, and no answer can stall, crash or outlast its bound.

Each attack from the security reviews (issue 12, findings 1 and 2; issue 21, findings 8 to 10) is here: the
answer, then the proof that it was contained (no file written, no exit, a 0 with the reason, within the bound,
no grade given to another record, none waiting behind a slow one) and that grading still works. Issue 21's
finding 6 and the audit of every scorer that evaluates a formula: tests/test_reward_integrity.py.
"""

import asyncio
import json
import threading
import time

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.base import Grade, Task
from r1ci.grading import Grader
from r1ci.tasks.rg import plain_formula

BOUND = 1.0  # seconds per answer in these tests' grader
SLACK = 15.0  # generous: the bound is what the grader enforces, the slack only absorbs a loaded machine


@pytest.fixture(scope="module")
def grader():
    g = Grader(timeout=BOUND)
    yield g
    g.close()


def marker_attacks(marker) -> list[str]:
    """Ways to reach `open`, `exec` or `os` without the bare `name(` form that a text filter looks for."""
    hexed = "".join(f"\\x{ord(c):02x}" for c in f"open('{marker}', 'w').write('x')")
    return [f"(open)('{marker}', 'w')", f"exec('{hexed}')", f"(__import__)('os').system('touch {marker}')",
            f"getattr(__builtins__, 'open')('{marker}', 'w')", "[].__class__.__base__.__subclasses__()",
            f"(lambda: open('{marker}', 'w'))()", "(exit)()", "(quit)()", "breakpoint()",
            f"eval(chr(111)+chr(112)+chr(101)+chr(110))('{marker}', 'w')",
            "print('r1ci-grade [1.0, \"correct\"]')"]  # a forged result line


@pytest.mark.parametrize("name", ["simple_integration", "intermediate_integration", "polynomial_multiplication",
                                  "countdown", "binary_matrix", "spiral_matrix", "number_sorting",
                                  "bitwise_arithmetic", "propositional_logic"])
def test_answers_that_are_code_never_run_and_score_zero(name, grader, tmp_path):
    """These reasoning-gym scorers pass answers to sympy's parse_expr or to eval (or did, before r1ci)."""
    task, marker = get_task(f"rg/{name}"), tmp_path / "pwned"
    item = task.item(0)
    attacks = marker_attacks(marker)
    grades = grader.grade_many([(task, attack, item) for attack in attacks] + [(task, item["answer"], item)])
    for attack, grade in zip(attacks, grades):
        assert grade.score == 0.0 and grade.reason, (attack, grade)
    assert grades[-1] == Grade(1.0, "correct")
    assert not marker.exists()


def test_plain_formula_is_an_allowlist():
    for ok in ["x**2/2 + C", "-3*X**4/4 + sin(X) + C", "(25 - 5) * 4 + 3", "exp(2*x)*log(x) - sqrt(3)*pi", "2.5e3*x",
               "-3*x*sin(2*x)/2 - 3*cos(2*x)/4 + C", "log(Abs(x)) + E"]:
        assert plain_formula(ok, "x") is None, ok
    for bad, why in [("(open)('f')", "calls"), ("x.real", "Attribute"), ("x[0]", "Subscript"), ("'a'", "constant"),
                     ("f(x)", "calls"), ("sin(x, evaluate=False)", "calls"), ("lambda: 1", "Lambda"),
                     ("[x for x in y]", "ListComp"), ("open", "name"), ("__x", "name"), ("S(1)", "calls"),
                     ("preview", "name"), ("x if y else z", "IfExp"), ("-" * 3000 + "1", "cannot parse"),
                     ("(" * 300 + ")" * 300, "cannot parse"), ("x; y", "cannot parse"), ("x = 1", "cannot parse"),
                     # what computes the answer for it, or turns nothing into a number (issue 21, finding 6)
                     ("Integral(x**2, x)", "calls"), ("floor(E)", "calls"), ("sign(x)", "calls"),
                     ("Max(x, 1)", "calls"), ("oo", "name"), ("I*x", "name")]:
        reason = plain_formula(bad, "x")
        assert reason is not None and why in reason, (bad, reason)


HANGS = [  # (task, answer): each took from seconds to forever in the host before grading moved out
    ("rg/polynomial_multiplication", "9**9**9"),
    ("rg/simple_integration", "factorial(10**8)"),
    ("rg/countdown", "9**9**9**9"),
    ("rg/propositional_logic", " ∧ ".join(["P"] * 1500)),
    ("symbench/pooling", "1e100000000," + ",".join(["1"] * 8)),
    ("symbench/math_counting_probability", "9^{9^{9}}"),
]


def test_hostile_answers_are_cut_at_the_bound_and_their_batch_is_unharmed(grader):
    """One batch: every hang scores 0 "timed out" within its bound; the good answers around them score 1."""
    requests = []
    for task_id, answer in HANGS:
        task = get_task(task_id)
        item = task.item(0)
        requests += [(task, task.reference_answer(item), item), (task, answer, item)]
    began = time.monotonic()
    grades = grader.grade_many(requests)
    elapsed = time.monotonic() - began
    for (task, answer, _), grade in zip(requests, grades):
        if answer in dict(HANGS).values():
            assert grade.score == 0.0 and grade.reason, (task.id, grade)
        else:
            assert grade == Grade(1.0, "correct"), (task.id, grade)
    timed_out = sum("timed out" in g.reason for g in grades)
    assert timed_out >= 3  # the rest fail fast (a parse error, an overflow) or are cut at the bound
    assert elapsed < len(HANGS) * 2 * BOUND + SLACK


def test_grading_off_the_main_thread_is_bounded_too(grader):
    """math-verify's own timeout needs SIGALRM, i.e. the main thread; ours does not."""
    task = get_task("symbench/math_counting_probability")
    item = task.item(0)
    out = {}

    def grade():
        began = time.monotonic()
        out["grade"], out["seconds"] = grader.grade(task, "9^{9^{9^{9}}}", item), time.monotonic() - began

    thread = threading.Thread(target=grade)
    thread.start()
    thread.join(60)
    assert out["grade"].score == 0.0 and out["seconds"] < 2 * BOUND + SLACK


def test_grading_does_not_block_the_event_loop():
    """Not while a hostile answer is graded, nor while the grading pool starts (a fresh grader here)."""
    grader = Grader(timeout=BOUND)
    task = get_task("rg/polynomial_multiplication")
    item = task.item(0)

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.05)
                ticks += 1

        beat = asyncio.create_task(ticker())
        hostile, good = await asyncio.gather(grader.agrade(task, "9**9**9", item),
                                             grader.agrade(task, item["answer"], item))
        beat.cancel()
        return hostile, good, ticks

    try:
        hostile, good, ticks = asyncio.run(main())
    finally:
        grader.close()
    assert "timed out" in hostile.reason and good.score == 1.0
    assert ticks >= 10  # the loop ran on for the whole second the hostile answer was being graded


def test_the_host_runs_no_checker(monkeypatch, grader):
    """A grader grades in its sandbox: a checker broken in this process is never called."""
    task = get_task("rg/gcd")

    def explode(*_):
        raise AssertionError("a checker ran in the host")

    monkeypatch.setattr(type(task), "_grade", explode)
    item = task.item(0)
    assert grader.grade(task, item["answer"], item) == Grade(1.0, "correct")


class Exiting(Task):
    def item(self, index, seed=0):
        return {"id": str(index), "task": self.id, "question": "", "answer": "a", "metadata": {}}

    def _grade(self, answer, item):
        raise SystemExit(3)


def test_check_lets_nothing_out():
    grade = Exiting("symbench", "exiting", "train").check("a", {"answer": "a"})
    assert grade.score == 0.0 and "SystemExit" in grade.reason


def test_bad_records_fail_alone(grader):
    gcd = get_task("rg/gcd")
    item = gcd.item(0)
    unknown = Exiting("rg", "no_such_task", "train")
    grades = grader.grade_many([(unknown, "a", item), (gcd, item["answer"], item), (gcd, None, item)])
    assert grades[0].score == 0.0 and "cannot grade" in grades[0].reason
    assert grades[1] == Grade(1.0, "correct") and grades[2] == Grade(0.0, "no answer")


def test_memory_is_bounded():
    """Grading scripts run under the grader's memory limit; a grade that runs out scores 0 with the reason."""
    from concurrent.futures import Future

    from r1ci.sandbox import Result

    small = Grader(timeout=5, memory_mb=32)
    try:
        probe = small.pool("quick").run("import sympy\nx = bytearray(64 * 2**20)", small.limits)
        assert probe.memory_exceeded
        task = get_task("rg/polynomial_multiplication")
        item = task.item(0)
        assert small.grade(task, item["answer"], item).score == 1.0
    finally:
        small.close()
    died = Future()
    died.set_result(Result(stdout='r1ci-grade [0, 1.0, "correct"]\n', stderr="MemoryError", exit_code=1,
                           memory_exceeded=True))
    (first, second, third), stopped = Grader(memory_mb=32)._collect(died, 3)
    assert first == Grade(1.0, "correct") and third is None and stopped == 1
    assert second == Grade(0.0, "grading ran out of memory (limit 32 MB)")


def test_the_verl_adapters_grader_is_one_per_process():
    """veRL's compute_score (r1ci/tasks/export.py) is the one place that keeps a grader of its own: built on first
    use, kept for the process, built again in a forked child."""
    import os

    from r1ci.tasks.export import _adapter_grader

    first = _adapter_grader()
    assert _adapter_grader() is first
    pid = os.fork()
    if pid == 0:
        os._exit(0 if _adapter_grader() is not first else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_items_whose_metadata_is_not_json_are_graded(grader):
    task = get_task("rg/gsm_symbolic")
    items = [task.item(i) for i in (72, 123, 166)]  # these keep a Fraction in their metadata
    with pytest.raises(TypeError):
        json.dumps(items[0])
    grades = grader.grade_many([(task, item["answer"], item) for item in items])
    assert all(g == Grade(1.0, "correct") for g in grades), grades


def test_a_cut_result_line_sends_the_rest_again():
    from concurrent.futures import Future

    from r1ci.sandbox import Result

    future = Future()
    future.set_result(Result(stdout='r1ci-grade [0, 1.0, "correct"]\nr1ci-grade [1, 0.0, "inc\n[... 9 bytes omitted ...]\n',
                             exit_code=0))
    assert Grader()._collect(future, 3) == ([Grade(1.0, "correct"), None, None], None)


# --- issue 21: framing (finding 8), a slow answer delays no other (finding 9), any character is safe (10) ---

def recorded_scripts(grader, monkeypatch) -> list[tuple[str, int, str | None]]:
    """(pass, records, signal) of each grading script, in the order they finished."""
    finished = []
    submit = grader._submit

    def recording(pass_name, records):
        future = submit(pass_name, records)
        future.add_done_callback(lambda f: finished.append((pass_name, len(records), f.result().signal)))
        return future

    monkeypatch.setattr(grader, "_submit", recording)
    return finished


def test_clipped_output_never_shifts_a_grade_to_another_record():
    """The attack's output: a head and a tail kept, the cut on a line boundary. Before, the tail's lines were
    read as the grades of the records right after the head (10 wrong answers scored 1.0)."""
    from concurrent.futures import Future

    from r1ci.sandbox import Result

    head = "".join(f'r1ci-grade [{k}, 0.0, "incorrect \\u00e9"]\n' for k in range(10))
    tail = "".join(f'r1ci-grade [{k}, 1.0, "correct"]\n' for k in range(20, 30))
    future = Future()
    future.set_result(Result(stdout=head + "[... 4096 bytes of output omitted ...]\n" + tail, exit_code=0,
                             output_truncated=True))
    grades, stopped = Grader()._collect(future, 30)
    assert grades[:10] == [Grade(0.0, "incorrect é")] * 10  # their own grades, not the tail's
    assert grades[10:20] == [None] * 10 and stopped is None  # no line of their own: graded again
    assert grades[20:] == [Grade(1.0, "correct")] * 10


def test_a_batch_of_the_longest_results_fits_its_script_output(grader, monkeypatch):
    """BATCH wrong answers whose reasons are 300 characters that JSON escapes to 12 bytes each (the issue's
    escaped non-ASCII reasons), then honest ones: one script, every record its own grade, nothing clipped."""
    from r1ci.grading import BATCH, MARK, MAX_REASON, RESULT_BYTES

    longest = MARK + json.dumps([BATCH - 1, 0.12345678901234568, "\U0001F600" * MAX_REASON]) + "\n"
    assert len(longest) <= RESULT_BYTES and grader.limits.output_bytes == BATCH * RESULT_BYTES
    task = get_task("symbench/game24")
    item = task.item(0)
    wrong = repr("\U0001F600" * 400)  # game24 names what it found: the reason holds the whole string
    requests = [(task, wrong, item)] * (BATCH - 10) + [(task, task.reference_answer(item), item)] * 10
    scripts = recorded_scripts(grader, monkeypatch)
    grades = grader.grade_many(requests)
    assert all(g.score == 0.0 and g.reason.count("\U0001F600") > 200 for g in grades[:-10])
    assert grades[-10:] == [Grade(1.0, "correct")] * 10
    assert scripts == [("quick", BATCH, None)]  # one script: no record sent again for a lost line


def test_a_slow_answer_never_delays_another_answers_grade(grader):
    """Four `9**9**9` answers, then an honest one: before, it waited behind them for the two grading slots
    (12.2 s; 0.01 s alone). Now it is graded while all four are still being graded."""
    task = get_task("rg/polynomial_multiplication")
    item = task.item(0)

    async def main():
        slow = [asyncio.create_task(grader.agrade(task, "9**9**9", item)) for _ in range(4)]
        await asyncio.sleep(0)  # the slow ones are submitted first
        honest = await grader.agrade(task, item["answer"], item)
        still_grading = sum(not s.done() for s in slow)
        return honest, still_grading, await asyncio.gather(*slow)

    honest, still_grading, slow = asyncio.run(main())
    assert honest == Grade(1.0, "correct") and still_grading == 4
    assert all("timed out" in g.reason and g.score == 0.0 for g in slow)
    assert grader.grade(task, item["answer"], item) == Grade(1.0, "correct")  # the next grade is healthy


def test_a_slow_record_in_a_batch_is_graded_alone_while_the_rest_go_on(grader, monkeypatch):
    """The slow record ends its quick script at QUICK_CPU seconds of CPU (SIGPROF); the records after it are
    graded in a fresh quick script, which finishes before the slow one's full grade does."""
    task = get_task("rg/polynomial_multiplication")
    item = task.item(0)
    scripts = recorded_scripts(grader, monkeypatch)
    grades = grader.grade_many([(task, "9**9**9", item)] + [(task, item["answer"], item)] * 20)
    assert "timed out" in grades[0].reason and grades[1:] == [Grade(1.0, "correct")] * 20
    assert [(name, records) for name, records, _ in scripts] == [("quick", 21), ("quick", 20), ("full", 1)]
    assert scripts[0][2] == "SIGPROF"


SEPARATORS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
UNSPLITTABLE = ["\x00", "\ud800", "\udfff", "\udc80\ud800"]  # NUL and lone surrogates


def test_any_character_in_an_answer_is_safe(grader):
    """Line separators survived `json.dumps(ensure_ascii=False)` and split the grading script's input, so a
    correct answer scored 0. Each one around a correct answer (BBH ignores whitespace) now scores 1.0; NUL
    and lone surrogates are graded as the wrong answers they are; the honest answer after them is unharmed."""
    task = get_task("bbh/boolean_expressions")
    item = task.item(0)
    target = item["answer"]
    requests = [(task, f"{c}{target}{c}", item) for c in SEPARATORS + UNSPLITTABLE] + [(task, target, item)]
    grades = grader.grade_many(requests)
    assert grades[:len(SEPARATORS)] == [Grade(1.0, "correct")] * len(SEPARATORS)
    assert grades[len(SEPARATORS):-1] == [Grade(0.0, f"expected {target!r}")] * len(UNSPLITTABLE)
    assert grades[-1] == Grade(1.0, "correct")
    assert asyncio.run(grader.agrade(task, f"\u2028{target}\x85", item)) == Grade(1.0, "correct")


def test_a_runtime_builds_the_sandbox_and_the_grader_from_one_setting():
    """`--insecure` reaches both (the grader was once switched process-wide instead); leaving closes both."""
    from r1ci.runtime import Runtime
    from r1ci.sandbox import SandboxError

    task = get_task("rg/gcd")
    item = task.item(0)
    with pytest.warns(UserWarning, match="WITHOUT isolation"):
        with Runtime(workers=1, insecure=True) as runtime:
            assert all(pool.insecure for pool in runtime.sandbox.pools.values()) and runtime.grader.insecure
            assert runtime.sandbox.run("print(6 * 7)").stdout == "42\n"
            assert runtime.grader.grade(task, item["answer"], item) == Grade(1.0, "correct")
            assert all(pool.insecure for pool in runtime.grader.pool("quick").pools.values())
    with pytest.raises(SandboxError, match="closed"):
        runtime.sandbox.run("print(1)")
    assert not runtime.grader._pools
    with Runtime(workers=1) as runtime:
        assert not runtime.grader.insecure and not any(pool.insecure for pool in runtime.sandbox.pools.values())
