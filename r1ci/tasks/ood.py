"""The paper's out-of-distribution benchmarks, outside the 144-task suite: AIME 2024 and 2025 (`ood/aime_2024`,
`ood/aime_2025`) and GPQA-Diamond (`ood/gpqa_diamond`).

They belong to neither split (r1ci/tasks/__init__.py), so no run that takes a split's tasks (SFT data, RL,
evaluation by split) draws on them; an evaluation names them (`r1ci eval --tasks ood/aime_2024,...`, in any
mode) and its report puts them beside the paper's numbers. Each item is a record of the published file, its id the
record's number; seed 0 walks them in order, another seed a shuffle (an evaluation takes them all anyway).

- AIME: from a folder (`R1CI_AIME_DIR` or `--aime-dir`) holding `aime24.jsonl` and `aime25.jsonl`, one
  `{"prompt", "answer"}` a line (QwQ's eval data), or from the hub. A prompt's closing line is that source's own
  answer instruction ("... within \\boxed{}."), not part of the problem: it is replaced by the protocol's.
  Answers, integers 0-999, are judged by math-verify like SymBench's math datasets (`MathTask`).
- GPQA-Diamond: from the official `gpqa_diamond.csv` in a folder (`R1CI_GPQA_DIR` or `--gpqa-dir`), or from the
  hub's `Idavidrein/gpqa` (gated: log in to the hub first). The four options are put in an order drawn from the
  question's sha256, so an item is the same on every machine and the right one is not always (A); they are
  written "(A) ..." to "(D) ..." as BBH's multiple-choice questions are, and scored by BBH's option rule.
  GPQA asks that its questions never appear in plain text on the web: the repository holds none (its tests make
  questions up), and run folders, which hold questions, are the user's.

Not here: how an evaluation selects these tasks (r1ci/tasks/selection.py) and the results table (r1ci/evaluate.py).
"""

import csv
import hashlib
import itertools
import json
from functools import cached_property
from pathlib import Path

from r1ci.protocol import ANSWER_INSTRUCTION
from r1ci.tasks import OOD
from r1ci.tasks.base import Grade, Item, Task, hub_rows
from r1ci.tasks.bbh import grade_choice, normalize, wrong_choice
from r1ci.tasks.data import DataFolders
from r1ci.tasks.symbench.mathdata import MathTask

# task name -> (file in the AIME folder, hub dataset: 30 problems with `problem` and `answer`, split train)
AIME = {"aime_2024": ("aime24.jsonl", "HuggingFaceH4/aime_2024"), "aime_2025": ("aime25.jsonl", "MathArena/aime_2025")}
SOURCE_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
GPQA_FILE, GPQA_HUB, GPQA_CONFIG = "gpqa_diamond.csv", "Idavidrein/gpqa", "gpqa_diamond"
GPQA_COLUMNS = ("Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3")
LETTERS = "ABCD"
ORDERS = list(itertools.permutations(range(4)))  # option orders; index 0 of an order is where the right one goes


def task(name: str, data: DataFolders | None = None) -> Task:
    """The OOD task `ood/<name>`, reading its file from `data`'s folder."""
    return GPQATask(name, data=data) if name == "gpqa_diamond" else AIMETask(name, data=data)


class AIMETask(MathTask):
    def __init__(self, name: str, split: str = OOD, data: DataFolders | None = None):
        super().__init__(OOD, name, split)
        self.file, self.hub_name = AIME[name]
        self.folder = (data or DataFolders()).aime_dir

    @cached_property
    def records(self) -> list[dict]:
        if not self.folder:
            rows = hub_rows(self.id, self.hub_name, None, "train", "pass --aime-dir or set R1CI_AIME_DIR")
            return [self._record(row, f"hub#{i}") for i, row in enumerate(rows)]
        path = self.folder / self.file
        if not path.is_file():
            raise FileNotFoundError(f"{self.id}: {path} not found (the AIME folder, --aime-dir or $R1CI_AIME_DIR, must hold "
                                    f"{' and '.join(f for f, _ in AIME.values())})")
        try:
            rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        except json.JSONDecodeError as e:
            raise ValueError(f"{self.id}: {path} is not JSON lines ({e})") from e
        return [self._record(row, f"{path.name}#{i}") for i, row in enumerate(rows)]

    def _record(self, row: dict, origin: str) -> dict:
        try:
            problem = str(row["prompt"] if "prompt" in row else row["problem"])
            answer = int(str(row["answer"]).strip())
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{self.id}: {origin} is not an AIME record with a problem and an integer answer "
                             f"({type(e).__name__}: {e})") from e
        if not 0 <= answer <= 999:
            raise ValueError(f"{self.id}: {origin} has answer {answer}; AIME answers are integers 0 to 999")
        problem = problem.rstrip().removesuffix(SOURCE_INSTRUCTION).rstrip()
        return {"question": f"{problem}\n\n{ANSWER_INSTRUCTION}", "answer": str(answer), "origin": origin}


def option_order(question: str) -> tuple[int, ...]:
    """Where each of the four options goes (the right one first in the input), drawn from the question's sha256."""
    return ORDERS[int.from_bytes(hashlib.sha256(question.encode()).digest()[:8], "big") % len(ORDERS)]


class GPQATask(Task):
    def __init__(self, name: str = "gpqa_diamond", split: str = OOD, data: DataFolders | None = None):
        super().__init__(OOD, name, split)
        self.folder = (data or DataFolders()).gpqa_dir

    @cached_property
    def records(self) -> list[dict]:
        """Rows with the official columns, in published order."""
        if self.folder:
            origin = self.folder / GPQA_FILE
            if not origin.is_file():
                raise FileNotFoundError(f"{self.id}: {origin} not found (the GPQA folder, --gpqa-dir or $R1CI_GPQA_DIR, "
                                        f"must hold GPQA's {GPQA_FILE})")
            with origin.open(newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        else:
            origin = GPQA_HUB
            rows = hub_rows(self.id, GPQA_HUB, GPQA_CONFIG, "train", "pass --gpqa-dir or set R1CI_GPQA_DIR")
        missing = [c for c in GPQA_COLUMNS if c not in (rows[0] if rows else {})]
        if missing:
            raise ValueError(f"{self.id}: {origin} is not GPQA's table (" +
                             (f"no column {', '.join(missing)})" if rows else "no rows)"))
        return rows

    def size(self) -> int:
        return len(self.records)

    def item(self, index: int, seed: int = 0) -> Item:
        number = self.record_number(index, seed)
        row = self.records[number]
        question = str(row["Question"]).strip()
        texts = [" ".join(str(row[column]).split()) for column in GPQA_COLUMNS[1:]]  # one line per option
        order, placed = option_order(question), [""] * 4
        for text, position in zip(texts, order):
            placed[position] = text
        rendered = "\n".join(f"({letter}) {text}" for letter, text in zip(LETTERS, placed))
        return {"id": f"{self.id}/{number}", "task": self.id,
                "question": f"{question}\nOptions:\n{rendered}\n\n{ANSWER_INSTRUCTION}",
                "answer": f"({LETTERS[order[0]]})",
                "metadata": {"options": {letter: normalize(text) for letter, text in zip(LETTERS, placed)}}}

    def _grade(self, answer: str, item: Item) -> Grade:
        return grade_choice(answer, item["answer"], item["metadata"]["options"])

    def wrong_answer(self, item: Item) -> str:
        return wrong_choice(item["answer"], item["metadata"]["options"])
