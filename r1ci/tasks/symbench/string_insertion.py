"""String insertion: apply one operation T to a string over A-E. T scans the original string left to right and,
after every occurrence of ABCD, BCDE, CDEA, DEAB or EABC, inserts the rule's character (A, B, C, D or E).

The result is a deterministic function of the input, so the checker recomputes it and compares strings
(after trimming whitespace and optional quotes)."""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, read_sample
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

ALPHABET = "ABCDE"
RULES = [("ABCD", "A"), ("BCDE", "B"), ("CDEA", "C"), ("DEAB", "D"), ("EABC", "E")]


@dataclass
class StringInsertionConfig(SymbenchConfig):
    insertions: int = 3  # how many trigger substrings the string contains
    max_padding: int = 2  # random characters before and after the triggers, each side

    def validate(self) -> None:
        super().validate()
        self.require_range("insertions", 1, 20)
        self.require_range("max_padding", 0, 10)


class StringInsertionCurriculum(SymbenchCurriculum):
    config_cls = StringInsertionConfig
    definitions = (knob("insertions", [1, 2, 3, 5, 8], "trigger substrings in the string"),)


def render(original: str) -> str:
    rules = "".join(
        f"{i}. If there is a substring {sub} in the string, insert the character {ch} after that substring.\n"
        for i, (sub, ch) in enumerate(RULES, 1)
    )
    return (
        "Given the string consisting of characters A, B, C, D, and E, define the T operation as follows:\n\n"
        f"{rules}\n"
        f"Question: Given the string {original}, what will the string be after one operation T? "
        "String insertion from left to right.\n"
        "Return the answer with the format <<<a string>>>."
    )


def trigger_positions(s: str) -> list[tuple[int, str]]:
    """(index just after the match, character to insert) for every match in `s`, left to right."""
    found = []
    for i in range(len(s) - 3):
        for sub, ch in RULES:
            if s[i:i + 4] == sub:
                found.append((i + 4, ch))
    return found


def apply_t(s: str) -> str:
    """All insertions are decided on the original string, then made together."""
    pieces, start = [], 0
    for end, ch in trigger_positions(s):
        pieces += [s[start:end], ch]
        start = end
    return "".join(pieces) + s[start:]


class StringInsertionDataset(SymbenchDataset):
    name = "string_insertion"
    config_cls = StringInsertionConfig
    curriculum_cls = StringInsertionCurriculum
    codesteer = ("string_insertion/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        """Triggers joined by one random separator, padded at both ends; redrawn until it has exactly the
        requested number of matches (a separator or padding can create an extra one)."""
        c = self.config

        def draw() -> str | None:
            triggers = [rng.choice(RULES)[0] for _ in range(c.insertions)]
            body = triggers[0] + "".join(rng.choice(ALPHABET) + t for t in triggers[1:])
            prefix = "".join(rng.choices(ALPHABET, k=rng.randint(0, c.max_padding)))
            suffix = "".join(rng.choices(ALPHABET, k=rng.randint(0, c.max_padding)))
            original = prefix + body + suffix
            return original if len(trigger_positions(original)) == c.insertions else None

        original = self.redraw(draw, f"string with exactly {c.insertions} triggers")
        return render(original), {"original_string": original}

    def check(self, answer: str, metadata: dict) -> None:
        given = answer.strip().strip("\"'`").strip()
        expected = apply_t(metadata["original_string"])
        if given == expected:
            return
        if len(given) != len(expected):
            raise Incorrect(f"result has {len(given)} characters, the correct one has {len(expected)}")
        first = next(i for i, (a, b) in enumerate(zip(given, expected)) if a != b)
        raise Incorrect(f"wrong string: differs from the correct result at character {first + 1}")

    def solve(self, metadata: dict) -> str:
        return apply_t(metadata["original_string"])

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`string_insertion/sample_<i>/`: question.txt and solution.json (original and modified string)."""
        question, solution = read_sample(sample)
        return question, {"original_string": solution["original_string"], "reference": solution["modified_string"]}


INSERT_BY_LOOKAHEAD = r"""
pattern = re.compile("(?=(" + "|".join(rules) + "))")  # a lookahead finds overlapping matches too
ends = [(match.start() + 4, rules[match.group(1)]) for match in pattern.finditer(s)]
chars = list(s)
for end, ch in reversed(ends):  # from the right, so earlier positions stay where they were
    chars.insert(end, ch)
print("".join(chars))
"""

INSERT_WHILE_COPYING = """
result = []
for i, ch in enumerate(s):
    result.append(ch)
    window = s[i - 3:i + 1] if i >= 3 else ""  # the last four characters of the original string
    if window in rules:
        result.append(rules[window])
print("".join(result))
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `apply_t` to the string, a lookahead regex whose matches are inserted
    from the right, and a copy of the string that inserts as it goes. The worked solution lists the matches
    and joins the pieces between them."""
    s = meta(item, "original_string")
    rules = {sub: ch for sub, ch in RULES}
    triggers = trigger_positions(s)
    matches = [f"{s[end - 4:end]} at positions {end - 3}-{end}, insert {ch}" for end, ch in triggers]
    pieces, start = [], 0
    for end, ch in triggers:
        pieces += [s[start:end], ch]
        start = end
    pieces.append(s[start:])
    lines = [f"Scan {s} ({len(s)} characters) from left to right for ABCD, BCDE, CDEA, DEAB and EABC.",
             f"Matches (positions counted from 1): {'; '.join(matches) or 'none'}.",
             "All insertions are decided on the original string; cut it after each match and insert the character: "
             + " + ".join(piece for piece in pieces if piece) + ".",
             f"So the answer is {apply_t(s)}"]
    return Solution(code=script_with_functions(dict(s=s), trigger_positions, apply_t, last="print(apply_t(s))"),
                    worked="\n".join(lines),
                    alternatives=(script(dict(s=s, rules=rules), INSERT_BY_LOOKAHEAD, "import re"),
                                  script(dict(s=s, rules=rules), INSERT_WHILE_COPYING)))
