"""`r1ci tasks check`: prove that a task generates enough distinct items, that its reference answers score
1.0, that a deliberately wrong answer scores below 1.0, and that malformed answers score 0 without raising.

In two halves: `prepare` makes a task's items and answers (task code only, no grading: it runs anywhere, e.g.
in worker processes), and `judge` grades them with the grader it is given (anything with `grade_many`, such as
`r1ci.grading.Grader`; this module never builds one). `check_task` does both.
"""

import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from r1ci.tasks import DataFolders, get_task
from r1ci.tasks.base import Item

MIN_DISTINCT = 200
MALFORMED = ["", "   ", "((((", "]]]>>>", "\x00\ufffd\u202e", "🙂" * 50, "9" * 5000, "x" * 25_000, None, 12, ["A"]]


@dataclass
class CheckResult:
    task: str
    items: int = 0  # distinct items produced
    expected: int = 0  # how many were asked for (for a fixed dataset: all its distinct questions)
    reference_ok: int = 0
    wrong_rejected: int = 0
    malformed_ok: bool = True
    originals: int | None = None  # original instances loaded (SymBench with a data folder)
    originals_ok: int | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def check_task(task_id: str, grader: Any, n: int = MIN_DISTINCT, seed: int = 0,
               originals_root: Path | None = None, data: DataFolders | None = None) -> CheckResult:
    """Check one task, grading with `grader`."""
    return judge(prepare(task_id, n, seed, originals_root, data), grader, data)


@dataclass
class Prepared:
    """What `judge` grades: a task's items with a reference and a wrong answer each, and its original instances
    (plain data: it crosses processes)."""
    result: CheckResult
    ready: bool = False  # False: making the items failed (the result says why); nothing to grade
    items: list[Item] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # each item's reference answer, then its wrong answer
    originals: list[Item] | None = None
    originals_error: str | None = None  # why the original instances could not be loaded


def prepare(task_id: str, n: int = MIN_DISTINCT, seed: int = 0, originals_root: Path | None = None,
            data: DataFolders | None = None) -> Prepared:
    """The items (`n`, or a fixed dataset's all), their answers and the original instances of `task_id`."""
    task = get_task(task_id, data)
    prepared = Prepared(CheckResult(task_id))
    result = prepared.result
    start = time.perf_counter()
    try:
        if task.size() is not None:  # a fixed dataset is checked whole
            n = len({task.item(i)["question"] for i in range(task.size())})
        items = task.items(n, seed)
        result.items, result.expected = len(items), n
        if result.items < result.expected:
            result.problems.append(f"only {result.items} distinct items (wanted {result.expected})")
        prepared.answers = [answer for item in items for answer in (task.reference_answer(item),
                                                                    task.wrong_answer(item))]
        prepared.items, prepared.ready = items, True
        if originals_root is not None and task_id.startswith("symbench/"):
            try:
                prepared.originals = task.load_originals(originals_root)
            except Exception as e:  # reported after the grades, where a failed check reports it
                prepared.originals_error = f"{type(e).__name__}: {e}"[:300]
    except Exception as e:  # a crashing task is a failed check, not a crashed command
        result.problems.append(f"{type(e).__name__}: {e}"[:300])
    result.seconds = time.perf_counter() - start
    return prepared


def judge(prepared: Prepared, grader: Any, data: DataFolders | None = None) -> CheckResult:
    """Grade what `prepare` made: references must score 1.0, wrong and malformed answers less (malformed: 0)."""
    result, items = prepared.result, prepared.items
    if not prepared.ready:
        return result
    task = get_task(result.task, data)
    start = time.perf_counter()
    try:
        grades = grader.grade_many([(task, answer, items[k // 2]) for k, answer in enumerate(prepared.answers)])
        result.reference_ok = sum(g.score >= 1.0 for g in grades[0::2])
        result.wrong_rejected = sum(g.score < 1.0 for g in grades[1::2])
        if result.reference_ok < len(items):
            result.problems.append(f"{len(items) - result.reference_ok} reference answers scored below 1.0")
        if result.wrong_rejected < len(items):
            result.problems.append(f"{len(items) - result.wrong_rejected} wrong answers scored 1.0")
        for bad, grade in zip(MALFORMED, grader.grade_many([(task, bad, items[0]) for bad in MALFORMED])):
            if grade.score != 0.0 or not grade.reason:
                result.malformed_ok = False
                result.problems.append(f"malformed answer {str(bad)[:20]!r} scored {grade.score}")
        if prepared.originals_error is not None:
            result.problems.append(prepared.originals_error)
        elif prepared.originals is not None:
            originals = prepared.originals
            result.originals = len(originals)
            result.originals_ok = sum(g.score >= 1.0 for g in grader.grade_many([(task, o["answer"], o)
                                                                                 for o in originals]))
            if result.originals_ok < result.originals:
                result.problems.append(f"{result.originals - result.originals_ok} original references scored below 1.0")
    except Exception as e:  # a crashing task is a failed check, not a crashed command
        result.problems.append(f"{type(e).__name__}: {e}"[:300])
    result.seconds += time.perf_counter() - start
    return result


def check_tasks(task_ids: list[str], grader: Any, n: int = MIN_DISTINCT, seed: int = 0,
                originals_root: Path | None = None, workers: int = 1,
                data: DataFolders | None = None) -> Iterator[CheckResult]:
    """`check_task` for each task, yielded in order: items and answers made in `workers` processes, all graded
    by `grader` in this one (`workers` threads wait on it)."""
    with ProcessPoolExecutor(max_workers=max(1, workers)) as makers, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as judges:
        made = [makers.submit(prepare, task_id, n, seed, originals_root, data) for task_id in task_ids]
        judged = [judges.submit(lambda future=future: judge(future.result(), grader, data)) for future in made]
        for future in judged:
            yield future.result()
