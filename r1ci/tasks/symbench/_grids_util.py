"""Answer parsing shared by the grid tasks (pooling, matrix_transformation, pattern_recognition,
mahjong_pattern, synthesis_decomposition): their answers are short lists of values that models write
flat (`1, 2, 3, 4`) or nested (`[[1, 2], [3, 4]]`), with or without quotes."""

import re

from r1ci.tasks.symbench.base import Incorrect

MAX_CHARS = 10_000  # far above any real answer of these tasks; keeps checking fast on junk
PAIRS = {")": "(", "]": "[", "}": "{"}


def list_items(text: str) -> list[str]:
    """The items of a (possibly nested) list, in reading order; brackets and quotes are dropped.

    Items are separated by commas, semicolons or whitespace. Unbalanced brackets are rejected, because
    they usually mean the answer was cut off.
    """
    if len(text) > MAX_CHARS:
        raise Incorrect(f"answer too long ({len(text)} characters)")
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in PAIRS:
            if not stack or stack.pop() != PAIRS[ch]:
                raise Incorrect("unbalanced brackets")
    if stack:
        raise Incorrect("unbalanced brackets")
    cleaned = re.sub(r"[()\[\]{}'\"]", " ", text)
    return [item for item in re.split(r"[,;\s]+", cleaned) if item]


def expect_count(items: list[str], count: int) -> None:
    if len(items) != count:
        raise Incorrect(f"expected {count} values, got {len(items)}")
