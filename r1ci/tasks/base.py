"""The task contract shared by all 144 tasks: deterministic items and a scorer that never raises.

An item is a plain dict `{id, task, question, answer, metadata}`. The same (task, seed, index) always
gives the same item. `Task.check` turns any answer, however malformed, into a `Grade` in [0, 1] with a
reason; an item is correct only at 1.0. It runs the checker where it is called, unbounded: model answers are
graded by `r1ci.grading.Grader`, which runs `check` in a sandbox. Tasks import neither the grader nor the
sandbox, nor any stage above them. A task the scripted teacher covers names its program writer (`teacher`; the
writers' conventions are in r1ci.tasks.teaching).
"""

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from r1ci.tasks.teaching import Writer

Item = dict[str, Any]

MAX_ANSWER_CHARS = 20_000  # longer answers are rejected before any parsing (no checker sees them)


@dataclass(frozen=True)
class Grade:
    score: float
    reason: str

    @property
    def correct(self) -> bool:
        return self.score >= 1.0


class Task(ABC):
    """One task of the suite. Subclasses implement `item` and `_grade`; `check` makes scoring total."""

    source: str  # "symbench" | "bbh" | "rg"
    name: str

    def __init__(self, source: str, name: str, split: str):
        self.source, self.name, self.split = source, name, split

    @property
    def id(self) -> str:
        return f"{self.source}/{self.name}"

    def __repr__(self) -> str:
        return f"<Task {self.id} ({self.split})>"

    @abstractmethod
    def item(self, index: int, seed: int = 0) -> Item:
        """The item at `index` of the stream for `seed`; IndexError past the end of a fixed dataset."""

    @abstractmethod
    def _grade(self, answer: str, item: Item) -> Grade:
        """Grade a non-empty answer string; may raise on malformed input (check() turns that into 0)."""

    def size(self) -> int | None:
        """Number of items for fixed datasets; None when the generator is unbounded."""
        return None

    def record_number(self, index: int, seed: int) -> int:
        """A fixed dataset's `item`: which of its `size()` records sits at `index` of the stream for `seed`.
        Seed 0 keeps the dataset's own order; any other seed walks a shuffle drawn by the seed, so seeds train and
        evaluate on different questions. Items keep their record's number as their id, whatever the seed.
        IndexError past the end."""
        if not 0 <= index < self.size():
            raise IndexError(f"{self.id} has {self.size()} items; index {index} is out of range")
        return shuffled_order(self.size(), seed)[index] if seed else index

    def items(self, n: int, seed: int = 0, max_tries: int | None = None,
              exclude: set[str] = frozenset()) -> list[Item]:
        """The first `n` items of the stream for `seed` with distinct questions, none of them in `exclude`.

        Generators can repeat a question; training and evaluation want distinct ones, so duplicates are
        skipped, and so are excluded questions (those a model trained on), so that held-out evaluation still
        gets `n` items where the task has them: a fixed dataset's next ones. Stops early at the end of a fixed
        dataset or after `max_tries` indices (default 4n, plus one per excluded question).
        """
        max_tries = max_tries if max_tries is not None else 4 * n + 16 + len(exclude)
        out, seen = [], set(exclude)
        limit = min(max_tries, self.size()) if self.size() is not None else max_tries
        for index in range(limit):
            if len(out) >= n:
                break
            it = self.item(index, seed)
            if it["question"] not in seen:
                seen.add(it["question"])
                out.append(it)
        return out

    def precheck(self, answer: Any, item: Item) -> Grade | None:
        """The grade of an answer no checker needs to see (none, not text, empty, too long); else None."""
        if answer is None:
            return Grade(0.0, "no answer")
        if not isinstance(answer, str):
            return Grade(0.0, f"answer must be a string, got {type(answer).__name__}")
        if not answer.strip() and str(item.get("answer", "")).strip():  # a few answers are empty (rg/ab)
            return Grade(0.0, "empty answer")
        if len(answer) > MAX_ANSWER_CHARS:
            return Grade(0.0, f"answer too long ({len(answer)} > {MAX_ANSWER_CHARS} characters)")
        return None

    def check(self, answer: Any, item: Item) -> Grade:
        """The answer's grade, computed here with no bound on time or memory: the grading sandbox
        (r1ci.grading) calls this; anything that grades a model's answer goes through a `Grader`.

        Total over answers: whatever the checker raises (SystemExit included) becomes a 0 with the reason.
        """
        early = self.precheck(answer, item)
        if early is not None:
            return early
        try:
            grade = self._grade(answer, item)
        except RecursionError:
            return Grade(0.0, "malformed answer: nested too deeply")
        except BaseException as e:  # a checker must never end the grader; the reason says why it failed
            return Grade(0.0, f"malformed answer: {type(e).__name__}: {e}"[:300])
        return Grade(min(1.0, max(0.0, float(grade.score))), grade.reason)

    @property
    def teacher(self) -> Writer | None:
        """The scripted teacher's program writer for this task's items (item -> `Solution`), or None where the
        teacher has none."""
        return None

    def reference_answer(self, item: Item) -> str:
        """An answer that scores 1.0: the stored answer, or a solver's for tasks that accept many."""
        return item["answer"]

    def wrong_answer(self, item: Item) -> str:
        """A plausible answer that must score below 1.0 (self-tests use it to prove the checker rejects)."""
        return perturb(self.reference_answer(item))

    def load_originals(self, root: Path) -> list[Item]:
        """Items from the task's originally published instances (SymBench's CodeSteer layout)."""
        raise NotImplementedError(f"{self.id} has no original instances to load")


def hub_rows(task_id: str, name: str, config: str | None, split: str, hint: str) -> list[dict]:
    """The rows of a Hugging Face hub dataset, for a task whose data folder is not set; when the hub cannot give
    them (offline, a gated dataset without a login), a FileNotFoundError naming the task, the dataset and `hint`
    (where else the task reads its data)."""
    try:
        import datasets

        return list(datasets.load_dataset(name, config, split=split))
    except Exception as e:
        detail = " ".join(str(e).split())[:200]
        raise FileNotFoundError(f"{task_id}: no local data folder, and the hub's {name} could not be loaded "
                                f"({type(e).__name__}{': ' + detail if detail else ''}); {hint}") from e


@lru_cache(maxsize=256)
def shuffled_order(size: int, seed: int) -> tuple[int, ...]:
    """0..size-1 shuffled by `seed` (the same on every machine and Python version)."""
    order = list(range(size))
    random.Random(seed).shuffle(order)
    return tuple(order)


def perturb(answer: str, from_end: bool = True) -> str:
    """Change one digit, the last (or first) one, or else append a letter: a near-miss a checker must reject."""
    for i in range(len(answer) - 1, -1, -1) if from_end else range(len(answer)):
        if answer[i].isdigit():
            return answer[:i] + str((int(answer[i]) + 1) % 10) + answer[i + 1 :]
    return answer + "x"
