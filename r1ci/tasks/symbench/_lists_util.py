"""Parsing list-shaped answers: values, grids and position lists, which models write flat (`1, 2, 3, 4`),
nested (`[[1, 2], [3, 4]]`) or one row per line, with or without quotes. One bracket rule serves them all;
nothing is ever evaluated."""

import re

from r1ci.tasks.symbench.base import Incorrect

MAX_CHARS = 10_000  # far above any real list answer of these tasks; keeps checking fast on junk
OPENERS = {")": "(", "]": "[", "}": "{"}
INNER_LIST = re.compile(r"[\[(]([^\[\]()]*)[\])]")  # a bracketed group with no brackets inside
PAIR = re.compile(r"\s*(-?\d{1,3})\s*[,\s]\s*(-?\d{1,3})\s*")
SEPARATORS = " \t\r\n,;[]()"


def check_brackets(text: str) -> None:
    """Incorrect unless every bracket is closed in order: a cut-off list must not pass for a whole one."""
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in OPENERS and (not stack or stack.pop() != OPENERS[ch]):
            raise Incorrect("unbalanced brackets")
    if stack:
        raise Incorrect("unbalanced brackets")


def list_items(text: str) -> list[str]:
    """The items of a (possibly nested) list, in reading order, e.g. `A, B, C`, `['A', 'B', 'C']` or
    `[[1, 2], [3, 4]]`: brackets and quotes are dropped; commas, semicolons and whitespace separate."""
    if len(text) > MAX_CHARS:
        raise Incorrect(f"answer too long ({len(text)} characters)")
    check_brackets(text)
    return [item for item in re.split(r"[,;\s]+", re.sub(r"[()\[\]{}'\"]", " ", text)) if item]


def expect_count(items: list[str], count: int) -> None:
    if len(items) != count:
        raise Incorrect(f"expected {count} values, got {len(items)}")


def _bracketed(text: str) -> list[str]:
    """The innermost bracketed groups of `text`; Incorrect if other text lies between them."""
    check_brackets(text)
    groups = INNER_LIST.findall(text)
    if groups and INNER_LIST.sub("", text).strip(SEPARATORS):
        raise Incorrect("unexpected text between the bracketed groups")
    return groups


def _cells(row: str) -> list[str]:
    return [cell for cell in re.split(r"[\s,;|\[\]()'\"]+", row) if cell]


def parse_grid(text: str, size: int) -> list[list[str]]:
    """A size x size grid written one row per line (`1,2,3` or `1 2 3`) or as nested lists (`[[1,2],[3,4]]`)."""
    rows = _bracketed(text)
    if len(rows) < 2:  # not nested lists: one row per line
        rows = [line for line in text.splitlines() if line.strip(SEPARATORS)]
    if len(rows) != size:
        raise Incorrect(f"expected {size} rows, got {len(rows)}")
    grid = [_cells(row) for row in rows]
    for i, row in enumerate(grid):
        if len(row) != size:
            raise Incorrect(f"row {i + 1} has {len(row)} entries, expected {size}")
    return grid


def parse_positions(text: str, size: int) -> list[tuple[int, int]]:
    """`row col` pairs on a size x size board: `0 3, 1 0`, `(0,3), (1,0)` or `[[0,3],[1,0]]` (0-based)."""
    groups = _bracketed(text)
    if not groups or not all(PAIR.fullmatch(g) for g in groups):  # plain `0 3, 1 0`, maybe in one bracket
        groups = [g for g in re.sub(r"[\[\]()]", " ", text).split(",") if g.strip()]
    if len(groups) > size * size:
        raise Incorrect(f"too many positions ({len(groups)})")
    positions = []
    for group in groups:
        pair = PAIR.fullmatch(group)
        if not pair:
            raise Incorrect(f"a position must be two integers 'row column', got {group.strip()!r}")
        row, col = int(pair[1]), int(pair[2])
        if not (0 <= row < size and 0 <= col < size):
            raise Incorrect(f"position ({row}, {col}) is outside the {size}x{size} grid")
        positions.append((row, col))
    return positions
