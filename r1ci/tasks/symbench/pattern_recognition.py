"""Pattern recognition: a random letter matrix hides one square block of a single letter (side >= 3);
give the 0-based [row, column] of its bottom-right corner. The checker finds the largest one-letter
squares in the matrix itself: the answer must be the corner of one that no larger square contains (a
3*3 corner inside a planted 4*4 block is wrong)."""

import itertools
import json
import random
import re
import string
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import expect_count, list_items
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, found, meta, script, script_with_functions


@dataclass
class PatternRecognitionConfig(SymbenchConfig):
    min_dim: int = 6  # rows and columns are drawn independently from [min_dim, max_dim]
    max_dim: int = 15
    min_side: int = 3  # the smallest square that counts; the planted one has side in [min_side, dim // 2]

    def validate(self) -> None:
        super().validate()
        self.require_range("min_side", 2, None)
        self.require_span("dim", 2 * self.min_side, 40, "twice min_side at least, so that the square fits")


class PatternRecognitionCurriculum(SymbenchCurriculum):
    config_cls = PatternRecognitionConfig
    definitions = (span("dim", [6, 10, 15, 20, 30], "rows and columns of the matrix"),)


def render(matrix: list[list[str]], min_side: int) -> str:
    rows = "\n".join(" ".join(row) for row in matrix)
    return (
        f"Given a character matrix, your task is to identify the positions of all squares with a length of at "
        f"least {min_side} and output the row and column numbers of the bottom-right corner of these squares. "
        f"The squares are composed of the same character, and each side has a length of at least {min_side}.\n\n"
        f"If the matrix is\n\n{rows}\n\n"
        f"Please provide the row and column of the bottom-right vertex of the square in the character matrix "
        f"with a side length of at least {min_side} (the answer is unique). Notice: All coordinates start "
        f"from 0.  \n\nYour answer should be in the format <<<[row, column]>>>."
    )


def maximal_squares(matrix: list[list[str]], min_side: int) -> list[tuple[int, int, int]]:
    """(bottom row, right column, side) of every one-letter square of side >= min_side that lies inside
    no larger one-letter square."""
    rows, cols = len(matrix), len(matrix[0])
    side = [[1] * cols for _ in range(rows)]  # side of the largest square with its corner at (r, c)
    for r in range(1, rows):
        for c in range(1, cols):
            if matrix[r][c] == matrix[r - 1][c] == matrix[r][c - 1] == matrix[r - 1][c - 1]:
                side[r][c] = 1 + min(side[r - 1][c], side[r][c - 1], side[r - 1][c - 1])
    squares = [(r, c, side[r][c]) for r in range(rows) for c in range(cols) if side[r][c] >= min_side]

    def inside(a, b):  # square a lies within square b, and they differ
        return a != b and b[0] >= a[0] and b[1] >= a[1] and b[0] - b[2] <= a[0] - a[2] and b[1] - b[2] <= a[1] - a[2]

    return [a for a in squares if not any(inside(a, b) for b in squares)]


class PatternRecognitionDataset(SymbenchDataset):
    name = "pattern_recognition"
    config_cls = PatternRecognitionConfig
    curriculum_cls = PatternRecognitionCurriculum
    codesteer = ("pattern_recognition/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> list[list[str]] | None:
            rows, cols = rng.randint(c.min_dim, c.max_dim), rng.randint(c.min_dim, c.max_dim)
            size = rng.randint(c.min_side, min(rows, cols) // 2)
            matrix = [[rng.choice(string.ascii_uppercase) for _ in range(cols)] for _ in range(rows)]
            top, left = rng.randint(0, rows - size), rng.randint(0, cols - size)
            letter = rng.choice(string.ascii_uppercase)
            for r in range(top, top + size):
                matrix[r][left:left + size] = [letter] * size
            # the planted block, not merged with a neighbour
            return matrix if len(maximal_squares(matrix, c.min_side)) == 1 else None

        matrix = self.redraw(draw, "matrix with a single square")
        return render(matrix, c.min_side), {"matrix": matrix, "min_side": c.min_side}

    def check(self, answer: str, metadata: dict) -> None:
        items = list_items(answer)
        expect_count(items, 2)
        if not all(re.fullmatch(r"\d{1,3}", item) for item in items):
            raise Incorrect("row and column must be non-negative integers")
        row, col = map(int, items)
        squares = maximal_squares(metadata["matrix"], metadata["min_side"])
        if not any((r, c) == (row, col) for r, c, _ in squares):
            inner = any(r - s < row <= r and c - s < col <= c for r, c, s in squares)
            raise Incorrect(f"({row}, {col}) is {'inside the square but not its' if inner else 'not the'} "
                            "bottom-right corner of the square")

    def solve(self, metadata: dict) -> str:
        squares = maximal_squares(metadata["matrix"], metadata["min_side"])
        if not squares:
            raise ValueError("the matrix holds no square")
        row, col, _ = squares[0]
        return f"[{row}, {col}]"

    @classmethod
    def load_codesteer(cls, root: Path):
        """`pattern_recognition/`: sample_N/ folders (question.txt, solution.json with row and column) and
        `pattern_recognition_dataset.json`, a list of {question, solution} that repeats the folders' instances
        and adds more; each distinct question is yielded once, the folders' first."""
        seen = set()
        for rel, question, metadata in itertools.chain(super().load_codesteer(root), listed(root)):
            if question not in seen:
                seen.add(question)
                yield rel, question, metadata

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        question, solution = read_sample(sample)
        return question, published(question, solution)


def listed(root: Path):
    """The instances of `pattern_recognition_dataset.json`, if there is one: (relative id, question, metadata)."""
    listing = root / "pattern_recognition" / "pattern_recognition_dataset.json"
    if not listing.exists():
        return
    for i, entry in enumerate(json.loads(listing.read_text())):
        rel = f"{listing.relative_to(root)}#{i}"
        try:
            yield rel, entry["question"], published(entry["question"], entry["solution"])
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{rel}: {e}") from e


def published(question: str, solution: dict) -> dict:
    """A published instance's metadata, with its corner ({row, column}) as the reference."""
    return parse_question(question) | {"reference": f"[{int(solution['row'])}, {int(solution['column'])}]"}


def parse_question(question: str) -> dict:
    """The matrix (the block between 'If the matrix is' and the next blank line) and the minimum side."""
    _, found, rest = question.partition("If the matrix is\n\n")
    if not found:
        raise ValueError("no matrix in the question")
    matrix = [line.split() for line in rest.split("\n\n")[0].splitlines()]
    if not matrix or len({len(row) for row in matrix}) != 1:
        raise ValueError("the matrix is not rectangular")
    min_side = int(question.split("a length of at least ")[1].split()[0])
    return {"matrix": matrix, "min_side": min_side}


PATTERN_RECOGNITION_CHECK = r"""
rows = [line.split() for line in grid.splitlines()]
r, c = json.loads(answer)
letter = rows[r][c]
k = 1  # grow the square up and to the left while it stays one letter
while k <= min(r, c) and all(rows[r - i][c - k] == letter and rows[r - k][c - i] == letter for i in range(k + 1)):
    k += 1
assert k >= min_side, "no square of the minimum side ends there"
assert r + 1 == len(rows) or any(rows[r + 1][c - i] != letter for i in range(k)), "the square goes on downwards"
assert c + 1 == len(rows[0]) or any(rows[r - i][c + 1] != letter for i in range(k)), "the square goes on rightwards"
print("check passed")
"""


SQUARES_BY_SET = """
matrix = [line.split() for line in grid.splitlines()]
rows, cols = len(matrix), len(matrix[0])


def corner_of_largest_square():
    # Try every side from the largest that fits down to min_side; a square is one letter if its set has one.
    for side in range(min(rows, cols), min_side - 1, -1):
        for bottom in range(side - 1, rows):
            for right in range(side - 1, cols):
                cells = {matrix[i][j] for i in range(bottom - side + 1, bottom + 1)
                         for j in range(right - side + 1, right + 1)}
                if len(cells) == 1:
                    return [bottom, right]


print(corner_of_largest_square())
"""

SQUARES_BY_ROW_RUNS = """
matrix = [line.split() for line in grid.splitlines()]
# run[r][c]: how many equal letters end at (r, c) in row r
run = []
for row in matrix:
    lengths = []
    for c, letter in enumerate(row):
        lengths.append(lengths[-1] + 1 if c and row[c - 1] == letter else 1)
    run.append(lengths)

best = (0, None)
for r, row in enumerate(matrix):
    for c, letter in enumerate(row):
        side = 1  # stack rows upwards while each has a run of this letter as long as the square
        while r - side >= 0 and matrix[r - side][c] == letter and min(run[r - i][c] for i in range(side + 1)) > side:
            side += 1
        if side >= min_side and side > best[0]:
            best = (side, [r, c])
print(best[1])
"""


def square_reasoning(rows: list[list[str]], r: int, c: int, min_side: int) -> str:
    """In words: the rows' runs of one letter at least `min_side` long, the block they stack into ending at
    (r, c), and why no square one larger contains it."""
    letter = rows[r][c]
    k = 1
    while k <= min(r, c) and all(rows[r - i][c - j] == letter for i in range(k + 1) for j in range(k + 1)):
        k += 1
    runs = [f"row {i}: {run_letter} in columns {start}-{start + length - 1}"
            for i, row in enumerate(rows) for start, run_letter, length in runs_of(row) if length >= min_side]
    lines = [f"Runs of at least {min_side} equal letters along a row: {'; '.join(runs)}.",
             f"The runs of {letter} in rows {r - k + 1}-{r} share columns {c - k + 1}-{c}, so {letter} fills a "
             f"{k}x{k} square there, with its bottom-right corner at row {r}, column {c}."]
    breaks = []
    for top, left in ((r - k, c - k), (r - k, c - k + 1), (r - k + 1, c - k), (r - k + 1, c - k + 1)):
        cells = [(i, j) for i in range(top, top + k + 1) for j in range(left, left + k + 1)]
        outside = [(i, j) for i, j in cells if not (0 <= i < len(rows) and 0 <= j < len(rows[0]))]
        if outside:
            breaks.append(f"rows {top}-{top + k}, columns {left}-{left + k} go past the edge")
        else:
            i, j = next((i, j) for i, j in cells if rows[i][j] != letter)
            breaks.append(f"rows {top}-{top + k}, columns {left}-{left + k} hold {rows[i][j]} at ({i}, {j})")
    lines.append(f"No {k + 1}x{k + 1} square of {letter} contains it: " + "; ".join(breaks) + ".")
    lines.append(f"So the answer is {[r, c]}")
    return "\n".join(lines)


def runs_of(row: list[str]) -> list[tuple[int, str, int]]:
    """(start column, letter, length) of each run of one letter in a row."""
    out, start = [], 0
    for letter, run in itertools.groupby(row):
        length = len(list(run))
        out.append((start, letter, length))
        start += length
    return out


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: the corner of the one square `maximal_squares` finds in the matrix as
    the question lays it out, a scan of every square from the largest side down, and rows' runs of one
    letter stacked upwards; its check grows the square from the corner."""
    question = item["question"]
    grid = found(r"If the matrix is\n\n(.*?)\n\n", question)
    min_side = meta(item, "min_side")
    data = dict(grid=grid, min_side=min_side)
    rows = [line.split() for line in grid.splitlines()]
    r, c = map(int, item["answer"].strip("[]").split(","))
    return Solution(code=script_with_functions(data, maximal_squares,
                                               last="matrix = [line.split() for line in grid.splitlines()]\n"
                                                    "row, column, _ = maximal_squares(matrix, min_side)[0]\n"
                                                    "print([row, column])"),
                    check=script(data, PATTERN_RECOGNITION_CHECK, "import json"),
                    worked=square_reasoning(rows, r, c, min_side),
                    alternatives=(script(data, SQUARES_BY_SET), script(data, SQUARES_BY_ROW_RUNS)))
