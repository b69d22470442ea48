"""Letter logic diagram: complete a 7x7 grid of the letters a-g so that every row and column holds each
letter once and the minor diagonal (top-right to bottom-left) holds a single letter throughout.

Puzzles are made by blanking cells of a random valid square, so they may have several completions; the
checker accepts any grid that keeps the given letters and obeys the three rules.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import parse_grid
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, found, script, script_with_functions

LETTERS = "abcdefg"
N = len(LETTERS)


@dataclass
class LetterLogicDiagramConfig(SymbenchConfig):
    min_complexity: int = 1  # complexity c blanks min(10 + 5c, 30) of the 49 cells, as in CodeSteer
    max_complexity: int = 5

    def validate(self) -> None:
        super().validate()
        self.require_span("complexity", 1, 5)


class LetterLogicDiagramCurriculum(SymbenchCurriculum):
    config_cls = LetterLogicDiagramConfig
    definitions = (span("complexity", [1, 2, 3, 4, 5], "CodeSteer's complexity: how many cells are blank"),)


def render(grid: list[list[str]]) -> str:
    rows = "\n".join(",".join(row) for row in grid)
    return (
        "Given a 7x7 grid of letters {a..g}, some cells are pre-filled. Fill the rest so that:\n"
        "1) Each row has exactly one of each letter {a..g}.\n"
        "2) Each column has exactly one of each letter {a..g}.\n"
        "3) All cells on the minor diagonal (top-right to bottom-left) contain the same letter.\n\n"
        "Here is the puzzle (each row on its own line, cells separated by commas, empty cells blank):\n\n"
        f"{rows}\n\nReturn the answer with the format:\n<<<\nrow1\nrow2\n...  (7 rows total)\n>>>\n\n"
        "where each row has 7 letters separated by commas.\n"
    )


def complete(grid: list[list[str]], rng: random.Random | None = None) -> list[list[str]] | None:
    """A completed copy of `grid` ("" = empty), or None: try each possible diagonal letter, then fill the
    most constrained cell first (bit masks of the letters used per row and column); `rng` shuffles the
    letters tried, to draw random squares from an empty grid."""
    diagonal = {grid[r][N - 1 - r] for r in range(N)} - {""}
    if len(diagonal) > 1:
        return None
    letters = list(diagonal or LETTERS)
    if rng is not None:
        rng.shuffle(letters)
    for letter in letters:
        trial = [row[:] for row in grid]
        for r in range(N):
            trial[r][N - 1 - r] = letter
        if fill(trial, rng):
            return trial
    return None


def fill(grid: list[list[str]], rng: random.Random | None) -> bool:
    rows, cols = [0] * N, [0] * N
    empty = []
    for r in range(N):
        for c in range(N):
            if grid[r][c]:
                bit = 1 << LETTERS.index(grid[r][c])
                if (rows[r] | cols[c]) & bit:
                    return False
                rows[r] |= bit
                cols[c] |= bit
            else:
                empty.append((r, c))

    def step() -> bool:
        if not empty:
            return True
        i, mask = min(enumerate((~(rows[r] | cols[c])) & ((1 << N) - 1) for r, c in empty),
                      key=lambda x: x[1].bit_count())
        r, c = empty[i]
        empty[i] = empty[-1]
        empty.pop()
        options = [k for k in range(N) if mask >> k & 1]
        if rng is not None:
            rng.shuffle(options)
        for k in options:
            rows[r] |= 1 << k
            cols[c] |= 1 << k
            grid[r][c] = LETTERS[k]
            if step():
                return True
            rows[r] &= ~(1 << k)
            cols[c] &= ~(1 << k)
        grid[r][c] = ""
        empty.append((r, c))
        return False

    return step()


def format_grid(grid: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in grid)


class LetterLogicDiagramDataset(SymbenchDataset):
    name = "letter_logic_diagram"
    config_cls = LetterLogicDiagramConfig
    curriculum_cls = LetterLogicDiagramCurriculum
    codesteer = ("letter_logic_diagram/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        solution = complete([[""] * N for _ in range(N)], rng)
        blanks = min(10 + 5 * rng.randint(self.config.min_complexity, self.config.max_complexity), 30)
        grid = [row[:] for row in solution]
        for cell in rng.sample(range(N * N), blanks):
            grid[cell // N][cell % N] = ""
        return render(grid), {"grid": grid}

    def check(self, answer: str, metadata: dict) -> None:
        grid = [[cell.lower() for cell in row] for row in parse_grid(answer, N)]
        for r, row in enumerate(grid):
            for c, cell in enumerate(row):
                if len(cell) != 1 or cell not in LETTERS:
                    raise Incorrect(f"cell at row {r + 1}, column {c + 1} is {cell[:10]!r}, not a letter a-g")
                given = metadata["grid"][r][c]
                if given and cell != given:
                    raise Incorrect(f"changes the given {given!r} at row {r + 1}, column {c + 1}")
        for kind, lines in (("row", grid), ("column", [list(col) for col in zip(*grid)])):
            for i, line in enumerate(lines):
                if len(set(line)) != N:
                    repeated = next(x for x in line if line.count(x) > 1)
                    raise Incorrect(f"{kind} {i + 1} repeats {repeated!r}")
        if len({grid[r][N - 1 - r] for r in range(N)}) != 1:
            raise Incorrect("the minor diagonal does not hold a single letter")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        solution = complete(metadata["grid"])
        if solution is None:
            raise ValueError("the grid cannot be completed")
        return format_grid(solution)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`letter_logic_diagram/sample_<i>/`: the question, and solution.json with `grid` (null = empty)
        and `solution`."""
        question, data = read_sample(sample)
        grid = [["" if cell is None else cell for cell in row] for row in data["grid"]]
        if len(grid) != N or any(len(row) != N for row in grid):
            raise ValueError("solution.json: grid is not 7x7")
        return question, {"grid": grid, "reference": format_grid(data["solution"])}


LETTER_LOGIC_DIAGRAM_CHECK = r"""
grid = [row.split(",") for row in puzzle.splitlines()]
solved = ast.literal_eval(answer)
n = len(grid)
kept = all(given in ("", solved[r][c]) for r, row in enumerate(grid) for c, given in enumerate(row))
assert kept, "a given letter changed"
letters = {chr(ord("a") + i) for i in range(n)}
assert all(set(row) == letters for row in solved), "a row misses a letter"
assert all(set(col) == letters for col in zip(*solved)), "a column misses a letter"
assert len({solved[r][n - 1 - r] for r in range(n)}) == 1, "the minor diagonal holds several letters"
print("check passed")
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `complete` the puzzle as the question lays it out; its check tests the
    rules on the grid."""
    data = dict(puzzle=found(r"empty cells blank\):\n\n(.*?)\n\n", item["question"]))
    return Solution(code=script_with_functions(data, complete, fill,
                                               last='print(complete([row.split(",") for row in puzzle.splitlines()]))'),
                    check=script(data, LETTER_LOGIC_DIAGRAM_CHECK, "import ast"))
