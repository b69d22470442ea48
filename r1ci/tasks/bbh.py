"""The 27 BIG-Bench Hard tasks, loaded from BBH's json files (`R1CI_BBH_DIR` or `--bbh-dir`; the folder
holds `<task>.json` with `{"examples": [{"input", "target"}]}`), or from the Hugging Face hub when no folder
is set. Seed 0 walks the file's examples in order, another seed a shuffle of them (Task.record_number); an
item's id is its example's number in the file, whatever the seed.

Scoring is lenient in form, strict in content: "(A)", "A", "a" and "(A) the option's text" all name option A,
case and whitespace never matter, and no answer that names a different option is ever accepted. GPQA-Diamond
(r1ci/tasks/ood.py) is scored by the same rule (`grade_choice`).
"""

import json
import re
from functools import cached_property
from pathlib import Path

from r1ci.protocol import ANSWER_INSTRUCTION
from r1ci.tasks.base import Grade, Item, Task, hub_rows
from r1ci.tasks.bbh_teacher import WRITERS
from r1ci.tasks.data import DataFolders
from r1ci.tasks.teaching import Writer

HUB_NAME = "lukaemon/bbh"
OPTION_LINE = re.compile(r"^\(([A-Z])\)\s*(.*)$", re.MULTILINE)
CHOICE = re.compile(r"^\(?\s*([a-z])\s*\)?(?:[\s.:)\-]+(.*))?$", re.DOTALL)


def normalize(text: str) -> str:
    return " ".join(text.strip().strip(".").lower().split())


def options(question: str) -> dict[str, str]:
    """Option letter -> normalised option text, from the "(A) ..." lines of a question."""
    return {letter: normalize(text) for letter, text in OPTION_LINE.findall(question)}


def chosen_option(answer: str, choices: dict[str, str]) -> str | None:
    """The option letter an answer names: by letter (with or without its text) or by its exact text."""
    answer = normalize(answer)
    match = CHOICE.match(answer)
    if match and match[1].upper() in choices:
        letter, text = match[1].upper(), match[2]
        if text and normalize(text) != choices[letter]:
            return None  # "(A) <the text of option B>" names no single option
        return letter
    named = [letter for letter, text in choices.items() if text and text == answer]
    return named[0] if len(named) == 1 else None


def is_choice(target: str, choices: dict[str, str]) -> bool:
    """Whether an item is multiple choice: it has options and its target is an option letter "(X)"."""
    return bool(choices) and re.fullmatch(r"\([A-Z]\)", target) is not None


def grade_choice(answer: str, target: str, choices: dict[str, str]) -> Grade:
    """A multiple-choice answer against the target "(X)": correct only when it names option X (also GPQA's)."""
    letter = chosen_option(answer, choices)
    if letter is None:
        return Grade(0.0, f"does not name one of the options {', '.join(f'({c})' for c in choices)}")
    return Grade(1.0, "correct") if letter == target[1] else Grade(0.0, f"chose ({letter}), expected {target}")


def wrong_choice(target: str, choices: dict[str, str]) -> str:
    """Another option's letter than the target's."""
    others = [c for c in choices if c != target[1]] or ["B" if target[1] == "A" else "A"]  # one snarks item lists one option
    return f"({others[0]})"


class BBHTask(Task):
    def __init__(self, name: str, split: str, data: DataFolders | None = None):
        super().__init__("bbh", name, split)
        self.folder = (data or DataFolders()).bbh_dir

    @cached_property
    def examples(self) -> list[dict]:
        if self.folder:
            path = self.folder / f"{self.name}.json"
            if not path.is_file():
                raise FileNotFoundError(f"{self.id}: {path} not found (the BBH folder, --bbh-dir or $R1CI_BBH_DIR, "
                                        f"must hold BBH's json files)")
            try:
                return json.loads(path.read_text())["examples"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise ValueError(f"{self.id}: {path} is not a BBH file ({type(e).__name__}: {e})") from e
        return hub_rows(self.id, HUB_NAME, self.name, "test", "pass --bbh-dir or set R1CI_BBH_DIR")

    def size(self) -> int:
        return len(self.examples)

    @property
    def teacher(self) -> Writer | None:
        return WRITERS.get(self.name)

    def item(self, index: int, seed: int = 0) -> Item:
        number = self.record_number(index, seed)
        example = self.examples[number]
        question = f"{example['input']}\n\n{ANSWER_INSTRUCTION}"
        return {"id": f"{self.id}/{number}", "task": self.id, "question": question, "answer": example["target"],
                "metadata": {"options": options(example["input"])}}

    def _grade(self, answer: str, item: Item) -> Grade:
        target = item["answer"]
        choices = item["metadata"]["options"]
        if is_choice(target, choices):
            return grade_choice(answer, target, choices)
        if self.name == "dyck_languages":  # "] ]" and "]]" are the same closing sequence
            same = "".join(answer.split()) == "".join(target.split())
        elif self.name == "word_sorting":
            same = answer.lower().replace(",", " ").split() == target.lower().split()
        else:
            same = normalize(answer) == normalize(target)
        return Grade(1.0, "correct") if same else Grade(0.0, f"expected {target!r}")

    def wrong_answer(self, item: Item) -> str:
        target, choices = item["answer"], item["metadata"]["options"]
        if is_choice(target, choices):
            return wrong_choice(target, choices)
        flips = {"true": "False", "false": "True", "yes": "No", "no": "Yes", "valid": "invalid", "invalid": "valid"}
        if target.lower() in flips:
            return flips[target.lower()]
        if self.name == "word_sorting" and len(set(target.split())) > 1:
            return " ".join(reversed(target.split()))
        return super().wrong_answer(item)
