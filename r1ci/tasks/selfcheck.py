"""`r1ci tasks check`: prove that a task generates enough distinct items, that its reference answers score
1.0, that a deliberately wrong answer scores below 1.0, and that malformed answers score 0 without raising."""

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from r1ci.tasks import get_task
from r1ci.tasks.grading import default_grader

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


def check_task(task_id: str, n: int = MIN_DISTINCT, seed: int = 0, originals_root: Path | None = None) -> CheckResult:
    task, grader = get_task(task_id), default_grader()
    result = CheckResult(task_id)
    start = time.perf_counter()
    try:
        if task.size() is not None:  # a fixed dataset is checked whole
            n = len({task.item(i)["question"] for i in range(task.size())})
        items = task.items(n, seed)
        result.items, result.expected = len(items), n
        if result.items < result.expected:
            result.problems.append(f"only {result.items} distinct items (wanted {result.expected})")
        grades = grader.grade_many([(task, answer, item) for item in items
                                    for answer in (task.reference_answer(item), task.wrong_answer(item))])
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
        if originals_root is not None and task_id.startswith("symbench/"):
            originals = task.load_originals(originals_root)
            result.originals = len(originals)
            result.originals_ok = sum(g.score >= 1.0 for g in grader.grade_many([(task, o["answer"], o)
                                                                                 for o in originals]))
            if result.originals_ok < result.originals:
                result.problems.append(f"{result.originals - result.originals_ok} original references scored below 1.0")
    except Exception as e:  # a crashing task is a failed check, not a crashed command
        result.problems.append(f"{type(e).__name__}: {e}"[:300])
    result.seconds = time.perf_counter() - start
    return result
