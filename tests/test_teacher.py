"""The scripted teacher's program writers, on real items of every task they cover: the scripts copy the
question's values, run in the real sandbox, and nearly always produce an answer the task's checker accepts;
checks verify, the self-check detector sees them, and text counterparts are graded correct too. Also the
toolkit's `script_with_functions`, which builds a program from a task's own solver."""

import ast
import asyncio
import contextlib
import difflib
import io
import itertools
import random
import re
import textwrap
from fractions import Fraction

import pytest

from r1ci.synth import synthesize_pairs
from r1ci.tasks import get_task, tasks_with_teacher
from r1ci.tasks.teaching import script_with_functions

ITEMS = 12        # questions per task in the sandbox test
MIN_KEPT = 0.9    # share of those whose trajectory the checker accepts
ROUTE_SIMILARITY = 0.9  # two programs of an item whose blanked computations are this alike take the same route
WITHOUT_WORKED = {  # tasks whose solution in words would be too long to write out, and why
    "symbench/logical_equation": "a backtracking search over up to 15 letters; its trace in words runs to pages",
    "symbench/path_plan": "waypoints from a lattice search; testing every segment against every box in words is long",
}
SOURCES = ("symbench", "bbh", "rg")
TAUGHT = tasks_with_teacher()


def data_block(code: str) -> list[ast.Assign]:
    """The leading top-level literal assignments, up to the first blank line (imports may come first)."""
    block = []
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not block:
            continue
        if block and node.lineno > block[-1].end_lineno + 1:
            break
        if isinstance(node, ast.Assign):
            try:
                ast.literal_eval(node.value)
            except ValueError:
                break
            block.append(node)
        else:
            break
    return block


def leaves(node: ast.AST, code: str) -> list[str]:
    """The source text of each number and the value of each string in a literal."""
    out = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, (int, float)) and not isinstance(sub.value, bool):
            out.append(ast.get_source_segment(code, sub))
    return out


def test_teacher_covers_forty_train_tasks_from_all_sources():
    train = {t for t in TAUGHT if get_task(t).split == "train"}
    assert train == set(TAUGHT), "the teacher writes programs for train tasks only"
    by_source = {s: sum(t.startswith(s + "/") for t in TAUGHT) for s in SOURCES}
    assert len(TAUGHT) >= 40 and all(by_source.values()), by_source


@pytest.mark.parametrize("task_id", TAUGHT)
def test_scripts_copy_the_questions_values(task_id):
    for item, code in ((item, code) for item in get_task(task_id).items(30, seed=11)
                       for code in get_task(task_id).teacher(item).programs):
        block = data_block(code)
        if not block:  # a script without data must paste a piece of the question verbatim (an expression)
            pasted = [line for line in code.splitlines() if len(line) >= 12 and
                      re.sub(r"^print\((.*)\)$", r"\1", line) in item["question"]]
            assert pasted, f"{task_id}: the script neither opens with the question's values nor copies it:\n{code}"
            continue
        for assign in block:
            for leaf in leaves(assign.value, code):
                assert leaf in item["question"], (f"{task_id}: {leaf!r} in the data block is not written in the "
                                                  f"question:\n{code}")


@pytest.mark.parametrize("source", SOURCES)
def test_scripts_solve_the_tasks_in_the_sandbox(source, sandbox, grader):
    tasks = sorted(t for t in TAUGHT if t.startswith(source + "/"))
    ci, text = synthesize_pairs(tasks, ITEMS, sandbox, grader, seed=5, two_step_share=0.3, self_check_share=1.0)
    kept = {t: sum(traj.task == t for traj in ci) for t in tasks}
    asked = {t: len(get_task(t).items(ITEMS, seed=5)) for t in tasks}
    low = {t: f"{kept[t]}/{asked[t]}" for t in tasks if kept[t] < MIN_KEPT * asked[t]}
    assert not low, f"the checker rejected the teacher's answer too often: {low}"
    assert all(traj.correct and traj.segments[-1].kind == "model" for traj in ci)
    for traj in ci:  # every script's output is real: no script of a kept trajectory was cut off or crashed
        assert all(s.status in ("ok", "error") for s in traj.segments if s.kind == "tool")
    checked = [traj for traj in ci if get_task(traj.task).teacher(_item(traj)).check is not None]
    assert all(traj.metrics["self_check"] for traj in checked)
    assert [t.id for t in text] == [t.id for t in ci]
    for traj in text:
        assert traj.mode == "text" and grader.grade(get_task(traj.task), traj.answer, _item(traj)).score == 1.0


def route(code: str) -> str:
    """A program's computation with its names and values blanked: two programs with the same route (the same
    statements and calls, only renamed or fed other values) give the same string."""
    tree = ast.parse(code)
    tree.body = tree.body[len(data_block(code)) + sum(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body):]
    for node in ast.walk(tree):
        for field in ("id", "arg", "name"):
            if isinstance(getattr(node, field, None), str):
                setattr(node, field, "_")
        if isinstance(node, ast.Constant):
            node.value = None
    return ast.dump(tree)


@pytest.mark.parametrize("task_id", TAUGHT)
def test_a_task_has_programs_that_take_different_routes(task_id):
    """Several programs per item, each another decomposition, data structure or library call; renaming the
    variables of one does not make another."""
    for item in get_task(task_id).items(4, seed=3):
        programs = get_task(task_id).teacher(item).programs
        assert len(programs) >= 2, f"{task_id}: one program only; add an alternative that takes another route"
        routes = [route(code) for code in programs]
        for (i, a), (j, b) in itertools.combinations(enumerate(routes), 2):
            similar = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            assert similar < ROUTE_SIMILARITY, (f"{task_id}: programs {i} and {j} take the same route "
                                                f"({similar:.2f} alike):\n{programs[i]}\n---\n{programs[j]}")


@pytest.mark.parametrize("source", SOURCES)
def test_every_program_prints_the_answer_the_checker_accepts(source, sandbox, grader):
    runs = [(item, code) for t in TAUGHT if t.startswith(source + "/")
            for item in get_task(t).items(3, seed=9) for code in get_task(t).teacher(item).programs]
    results = asyncio.run(sandbox.arun_many([code for _, code in runs]))
    wrong = []
    for (item, code), result in zip(runs, results):
        printed = result.stdout.strip().splitlines()[-1:] or [""]
        if grader.grade(get_task(item["task"]), printed[0], item).score < 1.0:
            wrong.append(f"{item['id']} ({result.status}: {printed[0][:80]!r}):\n{code}\n{result.stderr[-300:]}")
    assert len(wrong) <= len(runs) * (1 - MIN_KEPT), "\n\n".join(wrong[:3])


@pytest.mark.parametrize("task_id", TAUGHT)
def test_worked_solutions_reason_and_end_in_the_answer(task_id, sandbox):
    """Text-mode targets that reason: steps in words, the last line stating the answer the program prints."""
    items = get_task(task_id).items(4, seed=13)
    solutions = [get_task(task_id).teacher(item) for item in items]
    if task_id in WITHOUT_WORKED:
        assert all(s.worked is None for s in solutions), f"{task_id} has worked solutions now; drop it from the list"
        return
    for item, solution in zip(items, solutions):
        assert solution.worked, f"{task_id}: no worked solution (or list it in WITHOUT_WORKED with the reason)"
        answer = sandbox.run(solution.code).stdout.strip().splitlines()[-1]
        last = solution.worked.strip().splitlines()[-1]
        assert answer in last, f"{task_id}: the last line of the worked solution lacks {answer!r}:\n{solution.worked}"
        assert len(solution.worked) > len(answer) + 20, f"{task_id}: a restated answer, not a worked solution"


def _item(traj):
    task = get_task(traj.task)
    return next(item for item in task.items(ITEMS, seed=5) if item["id"] == traj.id)


LIMIT = 3
PATTERN = re.compile("x+")


def counts_up(n: Fraction) -> list:
    return [Fraction(i, 2) for i in range(min(n, LIMIT))]


def matches(text):
    return PATTERN.fullmatch(text)


def counts_to_two():
    return counts_up(2)


def test_a_program_from_functions_carries_their_imports_and_constants():
    code = script_with_functions({"n": 5}, counts_up, last="print(counts_up(n))")
    assert code.startswith("from fractions import Fraction\n\nn = 5\n\nLIMIT = 3\n\ndef counts_up(n: Fraction)")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})
    assert printed.getvalue() == str(counts_up(5)) + "\n"


def test_a_program_from_functions_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="matches reads PATTERN"):
        script_with_functions({}, matches, last="print(matches('xx'))")
    with pytest.raises(TypeError, match="counts_to_two reads counts_up"):  # what it calls must come along
        script_with_functions({}, counts_to_two, last="print(counts_to_two())")
    assert "def counts_up" in script_with_functions({}, counts_up, counts_to_two, last="print(counts_to_two())")


def test_string_rewrites_written_as_code_act_as_the_tasks_rules():
    """string_deletion_and_modification's teacher writes each selected rule from its text as code (REWRITES) and,
    for its alternative program, as a regex (REGEX_REWRITES): second and third statements of the task's rules
    (RULES, functions no script can paste). All three agree everywhere."""
    from r1ci.tasks.symbench.string_deletion_and_modification import REGEX_REWRITES, REWRITE_BY_REGEX, REWRITES, RULES

    assert REWRITES.keys() == RULES.keys() == REGEX_REWRITES.keys()
    rng = random.Random(0)
    strings = ["".join(letters) for n in range(7) for letters in itertools.product("abc", repeat=n)]
    strings += ["".join(rng.choices("abc", k=rng.randint(10, 24))) for _ in range(1000)]
    for text, code in REWRITES.items():
        namespace, by_regex = {}, {"re": re, "rules": [REGEX_REWRITES[text]]}
        exec("def rewrite(s):\n" + textwrap.indent(code, "    ") + "\n    return None", namespace)
        exec(REWRITE_BY_REGEX.split("\n\n\n")[0], by_regex)  # the alternative program's step, one rule long
        wrong = [s for s in strings if not namespace["rewrite"](s) == by_regex["step"](s) == RULES[text](s)]
        assert not wrong, f"{text!r} rewrites {wrong[:3]} otherwise than the task"
