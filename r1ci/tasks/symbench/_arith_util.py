"""Helpers shared by the arithmetic SymBench tasks (number_multiply, new_operator, statistical_counting):
reading a single number from an answer, exactly."""

import re
from fractions import Fraction

from r1ci.tasks.symbench.base import Incorrect

MAX_NUMBER_CHARS = 200  # a 20x20-digit product has 40 digits; anything far longer is not an answer
# An integer or decimal; thousands separators only in proper groups, so "1, 2" never reads as 12.
DECIMAL = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[+-]?\.\d+", re.ASCII)
RATIO = re.compile(r"([+-]?\d+)\s*/\s*(\d+)", re.ASCII)


def parse_number(answer: str) -> Fraction:
    """The exact value of a one-number answer: `-30,099,728`, `29.6`, `148/5`, also `[29.6]` or `"29.6"`."""
    text = answer.strip().replace("\u2212", "-")  # a typographic minus sign
    if len(text) > MAX_NUMBER_CHARS:
        raise Incorrect(f"answer too long for a number ({len(text)} characters)")
    if text.startswith("[") and text.endswith("]"):  # a one-element list, as "list of values" prompts invite
        text = text[1:-1].strip()
    text = text.strip("'\"").strip()
    if DECIMAL.fullmatch(text):
        return Fraction(text.replace(",", ""))
    ratio = RATIO.fullmatch(text)
    if ratio:
        if int(ratio[2]) == 0:
            raise Incorrect("division by zero")
        return Fraction(int(ratio[1]), int(ratio[2]))
    raise Incorrect(f"expected a single number, got {text[:40]!r}")


def parse_integer(answer: str) -> int:
    """A one-number answer that must be a whole number (`12`, `12.0` and `1,200` are fine)."""
    value = parse_number(answer)
    if value.denominator != 1:
        raise Incorrect(f"expected a whole number, got {answer.strip()[:40]!r}")
    return int(value)
