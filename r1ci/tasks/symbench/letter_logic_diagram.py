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


FILL_WITH_SETS = """
given = [row.split(",") for row in puzzle.splitlines()]
n = len(given)
letters = [chr(ord("a") + i) for i in range(n)]


def completed(diagonal):
    # The diagonal first, then the blanks in reading order, backtracking when a cell has no letter left.
    grid = [row[:] for row in given]
    for r in range(n):
        grid[r][n - 1 - r] = diagonal
    in_row = [set() for _ in range(n)]
    in_column = [set() for _ in range(n)]
    for r in range(n):
        for c in range(n):
            if grid[r][c] and (grid[r][c] in in_row[r] or grid[r][c] in in_column[c]):
                return None
            in_row[r].add(grid[r][c])
            in_column[c].add(grid[r][c])
    blanks = [(r, c) for r in range(n) for c in range(n) if not grid[r][c]]

    def solve(k):
        if k == len(blanks):
            return True
        r, c = blanks[k]
        for letter in letters:
            if letter not in in_row[r] and letter not in in_column[c]:
                grid[r][c] = letter
                in_row[r].add(letter)
                in_column[c].add(letter)
                if solve(k + 1):
                    return True
                in_row[r].discard(letter)
                in_column[c].discard(letter)
        return False

    return grid if solve(0) else None


on_diagonal = {given[r][n - 1 - r] for r in range(n)} - {""}
solutions = (completed(diagonal) for diagonal in sorted(on_diagonal or letters))
print(next(grid for grid in solutions if grid))
"""

FILL_ROW_BY_ROW = """
grid = [row.split(",") for row in puzzle.splitlines()]
n = len(grid)
letters = {chr(ord("a") + i) for i in range(n)}


def rows_from(r, diagonal, used_in_columns):
    # Complete row r with an ordering of its missing letters that repeats no column and keeps the diagonal.
    if r == n:
        return []
    missing = sorted(letters - set(grid[r]))
    blanks = [c for c in range(n) if not grid[r][c]]
    for order in itertools.permutations(missing):
        row = grid[r][:]
        for c, letter in zip(blanks, order):
            row[c] = letter
        if row[n - 1 - r] == diagonal and all(letter not in used_in_columns[c] for c, letter in zip(blanks, order)):
            rest = rows_from(r + 1, diagonal, [used | {x} for used, x in zip(used_in_columns, row)])
            if rest is not None:
                return [row] + rest
    return None


for diagonal in sorted(letters):
    solved = rows_from(0, diagonal, [{row[c] for row in grid} - {""} for c in range(n)])
    if solved:
        print(solved)
        break
"""


def forced_steps(grid: list[list[str]], solution: list[list[str]]) -> list[str]:
    """In words: fill cells whose row, column (and the diagonal) leave one letter; where none is forced, take
    one of a most constrained cell's letters (the one the completed grid has, so the filling goes through)."""
    grid = [row[:] for row in grid]
    steps, forced = [], []
    while any("" in row for row in grid):
        options = {(r, c): [x for x in LETTERS if x not in grid[r] and all(row[c] != x for row in grid)
                            and (c != N - 1 - r or x == solution[r][c])]
                   for r in range(N) for c in range(N) if not grid[r][c]}
        single = [(cell, xs[0]) for cell, xs in options.items() if len(xs) == 1]
        if single:
            (r, c), letter = single[0]
            forced.append(f"r{r + 1}c{c + 1}={letter}")
        else:
            if forced:
                steps.append("Forced (one letter left for the cell): " + ", ".join(forced) + ".")
                forced = []
            (r, c), letters = min(options.items(), key=lambda entry: len(entry[1]))
            letter = solution[r][c]
            steps.append(f"No cell is forced now; r{r + 1}c{c + 1} can be {' or '.join(letters)}: try {letter}.")
        grid[r][c] = letter
    if forced:
        steps.append("Forced (one letter left for the cell): " + ", ".join(forced) + ".")
    return steps


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `complete` the puzzle as the question lays it out (most constrained cell
    first, bit masks), a backtracking fill of the blanks in reading order with the diagonal letter set first,
    and a row-by-row search over orderings of each row's missing letters; its check tests the rules on the
    grid. The worked solution fixes the diagonal, then fills the cells that only one letter fits."""
    puzzle = found(r"empty cells blank\):\n\n(.*?)\n\n", item["question"])
    data = dict(puzzle=puzzle)
    grid = [row.split(",") for row in puzzle.splitlines()]
    solution = complete(grid)
    on_diagonal = sorted({grid[r][N - 1 - r] for r in range(N)} - {""})
    diagonal = solution[0][N - 1]
    if on_diagonal:
        start = f"The minor diagonal already holds {diagonal}, so all of its cells are {diagonal}."
    else:
        start = f"No letter is given on the minor diagonal; try {diagonal} in all of its cells."
    lines = [start, "Cells are named rRcC (row R, column C).", *forced_steps(grid, solution),
             "Every row and column now holds a-g once and the diagonal one letter.",
             f"So the answer is {solution}"]
    return Solution(code=script_with_functions(data, complete, fill,
                                               last='print(complete([row.split(",") for row in puzzle.splitlines()]))'),
                    check=script(data, LETTER_LOGIC_DIAGRAM_CHECK, "import ast"),
                    worked="\n".join(lines),
                    alternatives=(script(data, FILL_WITH_SETS), script(data, FILL_ROW_BY_ROW, "import itertools")))
