"""SymBench's three fixed math datasets: GSM-Hard and MATH (geometry, counting & probability).

Items are loaded, not generated: from a CodeSteer `dataset_gather` folder (`R1CI_SYMBENCH_DIR`, holding
`gsmhardv2.jsonl` and `MATH/train/<subject>/*.json`), or from the Hugging Face hub when no folder is set and
the hub is reachable. Answers are judged by math-verify, so `1/2`, `0.5` and `\\frac{1}{2}` are all accepted.
math-verify also evaluates what it parses, so an answer that restates the question's expression would pass
("Compute $\\dbinom{8}{4}$." answered `\\dbinom{8}{4}`: 42 of the 771 counting items): an answer may use a
construct that computes (`computations`) only where the expected answer uses it too.
Seed 0 walks the published file in order, another seed a shuffle of it (Task.record_number); an item's id is
its record's number in the file.
`MathTask` (items, math-verify judging) is shared with the OOD AIME tasks (r1ci/tasks/ood.py), which load
their own records.
"""

import json
import re
import threading
from functools import cached_property
from pathlib import Path

import sympy
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from r1ci.tasks.base import Grade, Item, Task, hub_rows, perturb
from r1ci.tasks.data import DataFolders

ANSWER_FORMAT = "\nOutput final answer with the format <<<answer>>> such as <<<123.42>>>, <<<125.0>>>, <<<-9867>>>.\nYour answer: "
MAX_MATH_ANSWER_CHARS = 1000  # sympy parsing of longer strings can take seconds
# LaTeX commands that lay out a value or are plain arithmetic; any other (\binom, \sqrt, \sum, \sin, \log,
# \lfloor, \vert, ...) computes one.
LAYOUT = frozenset("frac dfrac tfrac cfrac over left right big Big bigg Bigg bigl bigr Bigl Bigr cdot times div pi "
                   "circ degree angle text textbf textit textrm mathrm mathbf mathit mbox displaystyle quad qquad "
                   "infty pm mp le leq ge geq ne neq approx in cup cap emptyset varnothing dots ldots cdots boxed "
                   "fbox".split())

# name -> (CodeSteer path, hub dataset, hub config)
SOURCES = {
    "gsm_hard": ("gsmhardv2.jsonl", "reasoning-machines/gsm-hard", None),
    "math_geometry": ("MATH/train/geometry", "EleutherAI/hendrycks_math", "geometry"),
    "math_counting_probability": ("MATH/train/counting_and_probability", "EleutherAI/hendrycks_math", "counting_and_probability"),
}


def last_boxed(solution: str) -> str:
    """Content of the last \\boxed{...} (or \\fbox{...}) in a MATH solution, braces balanced."""
    start = max(solution.rfind("\\boxed"), solution.rfind("\\fbox"))
    if start < 0:
        raise ValueError("solution has no \\boxed answer")
    open_at = solution.index("{", start)
    depth = 0
    for i in range(open_at, len(solution)):
        depth += {"{": 1, "}": -1}.get(solution[i], 0)
        if depth == 0:
            return solution[open_at + 1 : i]
    raise ValueError("unbalanced braces in \\boxed answer")


def _timeout() -> int | None:
    # math-verify's timeouts use SIGALRM, which only works in the main thread.
    return 5 if threading.current_thread() is threading.main_thread() else None


def parse_math(text: str) -> list:
    extraction = [LatexExtractionConfig(), ExprExtractionConfig()]
    text = text.replace("\\$", "")  # MATH writes dollar amounts as \$675
    wrapped = text if "$" in text else f"${text}$"
    return parse(wrapped, extraction_config=extraction, parsing_timeout=_timeout()) or parse(
        text, extraction_config=extraction, parsing_timeout=_timeout()
    )


def computations(latex: str) -> set[str]:
    """What in `latex` computes a value rather than writes one: LaTeX commands beyond `LAYOUT`, factorials,
    absolute values, powers (a degree sign is not one) and calls by name (`sqrt(16)`)."""
    found = {f"\\{name}" for name in re.findall(r"\\([A-Za-z]+)", latex) if name not in LAYOUT}
    found |= {f"{name}(" for name in re.findall(r"(?<![\\A-Za-z])([A-Za-z]{2,})\s*\(", latex)}
    for mark, pattern in (("!", r"(?<!\\)!"), ("|", r"\|"), ("^", r"\^(?!\s*\{?\s*\\circ)")):
        if re.search(pattern, latex):
            found.add(mark)
    return found


def math_equal(gold: str, answer: str) -> bool:
    target = parse_math(gold)
    return bool(target) and verify(target, parse_math(answer), timeout_seconds=_timeout())


class MathTask(Task):
    """A fixed dataset of math problems judged by math-verify: a subclass gives `records`, the published
    (question, answer, origin, level) records in order (also the OOD AIME tasks, r1ci/tasks/ood.py)."""

    records: list[dict]

    def size(self) -> int:
        return len(self.records)

    def item(self, index: int, seed: int = 0) -> Item:
        number = self.record_number(index, seed)
        record = self.records[number]
        metadata = {"origin": record["origin"], "level": record.get("level")}
        return {"id": f"{self.id}/{number}", "task": self.id, "question": record["question"],
                "answer": record["answer"], "metadata": metadata}

    def _grade(self, answer: str, item: Item) -> Grade:
        if len(answer) > MAX_MATH_ANSWER_CHARS:
            return Grade(0.0, f"answer too long for a math expression ({len(answer)} characters)")
        unearned = computations(answer) - computations(item["answer"])
        if unearned:
            return Grade(0.0, f"computes with {' '.join(sorted(unearned))}, as the expected answer does not: "
                              "give the value")
        if math_equal(item["answer"], answer):
            return Grade(1.0, "correct")
        return Grade(0.0, f"not equal to the expected {item['answer']}")

    def wrong_answer(self, item: Item) -> str:
        parsed = parse_math(item["answer"])
        value = parsed[0] if parsed else None
        if isinstance(value, sympy.Eq):  # math-verify judges "0.56 = 56\\%" by its right-hand side
            value = value.rhs
        if getattr(value, "is_number", False):
            return str(value + 1)
        return perturb(item["answer"])


class MathDataTask(MathTask):
    def __init__(self, name: str, split: str, data: DataFolders | None = None):
        super().__init__("symbench", name, split)
        self.path, self.hub_name, self.hub_config = SOURCES[name]
        self.folder = (data or DataFolders()).symbench_dir

    @cached_property
    def records(self) -> list[dict]:
        """(question, answer) records in published order."""
        if self.folder:
            return self._from_folder(self.folder / self.path)
        return self._from_hub()

    def _from_folder(self, path: Path) -> list[dict]:
        if not path.exists():
            raise FileNotFoundError(f"{self.id}: {path} not found (the SymBench folder, --symbench-dir or "
                                    f"$R1CI_SYMBENCH_DIR, must be a CodeSteer dataset_gather folder)")
        if path.suffix == ".jsonl":
            rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            return [self._gsm_record(row, f"{path.name}#{i}") for i, row in enumerate(rows)]
        files = sorted(path.glob("*.json"), key=lambda p: (len(p.stem), p.stem))
        return [self._math_record(json.loads(f.read_text()), f"{path.name}/{f.name}") for f in files]

    def _from_hub(self) -> list[dict]:
        rows = hub_rows(self.id, self.hub_name, self.hub_config, "train",
                        "pass --symbench-dir (or set R1CI_SYMBENCH_DIR) with a CodeSteer dataset_gather folder")
        make = self._gsm_record if self.name == "gsm_hard" else self._math_record
        return [make(row, f"hub#{i}") for i, row in enumerate(rows)]

    @staticmethod
    def _gsm_record(row: dict, origin: str) -> dict:
        target = row["target"]
        answer = str(int(target)) if float(target).is_integer() else str(target)
        return {"question": row["input"] + "\n" + ANSWER_FORMAT, "answer": answer, "origin": origin}

    @staticmethod
    def _math_record(row: dict, origin: str) -> dict:
        return {
            "question": row["problem"] + "\n" + ANSWER_FORMAT,
            "answer": last_boxed(row["solution"]),
            "origin": origin,
            "level": row.get("level"),
        }

    def load_originals(self, root: Path) -> list[Item]:
        """The published records are these tasks' items already; loading from `root` returns them all."""
        path = Path(root) / self.path
        records = self._from_folder(path)
        return [{"id": f"{self.id}/codesteer/{r['origin']}", "task": self.id, "question": r["question"],
                 "answer": r["answer"], "metadata": {"origin": r["origin"], "level": r.get("level")}} for r in records]
