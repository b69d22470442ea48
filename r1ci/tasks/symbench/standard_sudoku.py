"""Standard 9x9 sudoku: fill the empty cells so that every row, column and 3x3 box holds 1-9 once.

Generated puzzles have a unique solution (cells are removed only while the solution stays unique), but
the checker does not compare with it: it accepts any filled grid that keeps the givens and obeys the
rules, so a published puzzle with several solutions is judged fairly too.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import parse_grid
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span

ALL = 0b1111111110  # bit d set = digit d (1-9) still possible


@dataclass
class StandardSudokuConfig(SymbenchConfig):
    min_empty: int = 51  # CodeSteer's published puzzles have 51-55 empty cells
    max_empty: int = 55

    def validate(self) -> None:
        super().validate()
        self.require_span("empty", 0, 64)


class StandardSudokuCurriculum(SymbenchCurriculum):
    config_cls = StandardSudokuConfig
    definitions = (span("empty", [30, 40, 51, 55, 58], "empty cells (fewer where a unique solution needs them)"),)


def render(puzzle: list[list[int]]) -> str:
    rows = "\n".join(",".join(str(v) if v else " " for v in row) for row in puzzle)
    return (
        "Given a 9*9 Sudoku grid, each cell must be filled with a number between 1 and 9. No number may appear "
        "more than once in the same row, column, or 3*3 subgrid. Some cells are pre-filled. Please fill the "
        f"remaining empty cells.\n{rows}\n\nReturn your answer in the format: <<<a 9*9 matrix>>>."
    )


def box(r: int, c: int) -> int:
    return r // 3 * 3 + c // 3


def search(grid: list[list[int]], rng: random.Random | None = None, forbid: tuple[int, int, int] | None = None) -> bool:
    """Fill `grid` in place by backtracking on the most constrained cell; False (grid unchanged) if impossible.

    `rng` shuffles the digits tried (to draw random full grids); `forbid` = (row, col, digit) excludes one
    digit from one cell, which is how the generator asks "is there a solution other than this one?".
    """
    rows, cols, boxes = [0] * 9, [0] * 9, [0] * 9
    empty = []
    for r in range(9):
        for c in range(9):
            if v := grid[r][c]:
                bit = 1 << v
                if (rows[r] | cols[c] | boxes[box(r, c)]) & bit:
                    return False
                rows[r] |= bit
                cols[c] |= bit
                boxes[box(r, c)] |= bit
            else:
                empty.append((r, c, box(r, c)))

    def options(r: int, c: int, b: int) -> int:
        mask = ALL & ~(rows[r] | cols[c] | boxes[b])
        if forbid and (r, c) == forbid[:2]:
            mask &= ~(1 << forbid[2])
        return mask

    def step() -> bool:
        if not empty:
            return True
        best, best_mask, best_count = 0, 0, 10
        for i, (r, c, b) in enumerate(empty):
            mask = options(r, c, b)
            count = mask.bit_count()
            if count < best_count:
                best, best_mask, best_count = i, mask, count
                if count <= 1:
                    break
        if best_count == 0:
            return False
        r, c, b = empty[best]
        empty[best] = empty[-1]
        empty.pop()
        digits = [d for d in range(1, 10) if best_mask >> d & 1]
        if rng is not None:
            rng.shuffle(digits)
        for d in digits:
            bit = 1 << d
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
            grid[r][c] = d
            if step():
                return True
            rows[r] &= ~bit
            cols[c] &= ~bit
            boxes[b] &= ~bit
        grid[r][c] = 0
        empty.append((r, c, b))
        return False

    return step()


def make_puzzle(rng: random.Random, target_empty: int) -> list[list[int]]:
    """A random full grid with cells removed, in random order, while the solution stays unique."""
    solution = [[0] * 9 for _ in range(9)]
    search(solution, rng)
    puzzle = [row[:] for row in solution]
    cells = [(r, c) for r in range(9) for c in range(9)]
    rng.shuffle(cells)
    removed = 0
    for r, c in cells:
        if removed == target_empty:
            break
        digit, puzzle[r][c] = puzzle[r][c], 0
        if search([row[:] for row in puzzle], forbid=(r, c, digit)):
            puzzle[r][c] = digit  # another digit fits here too: keep the given
        else:
            removed += 1
    return puzzle


def format_grid(grid: list[list[int]]) -> str:
    return "\n".join(",".join(map(str, row)) for row in grid)


class StandardSudokuDataset(SymbenchDataset):
    name = "standard_sudoku"
    config_cls = StandardSudokuConfig
    curriculum_cls = StandardSudokuCurriculum
    codesteer = ("standard_sudoku/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        puzzle = make_puzzle(rng, rng.randint(self.config.min_empty, self.config.max_empty))
        return render(puzzle), {"puzzle": puzzle}

    def check(self, answer: str, metadata: dict) -> None:
        cells = parse_grid(answer, 9)
        grid = []
        for r, row in enumerate(cells):
            for c, cell in enumerate(row):
                if len(cell) != 1 or cell not in "123456789":
                    raise Incorrect(f"cell at row {r + 1}, column {c + 1} is {cell[:10]!r}, not a digit 1-9")
            grid.append([int(cell) for cell in row])
        for r, row in enumerate(metadata["puzzle"]):
            for c, given in enumerate(row):
                if given and grid[r][c] != given:
                    raise Incorrect(f"changes the given {given} at row {r + 1}, column {c + 1}")
        lines = {"row": lambda r, c: r, "column": lambda r, c: c, "3x3 box": box}
        for kind, index in lines.items():
            for number in range(9):
                values = [grid[r][c] for r in range(9) for c in range(9) if index(r, c) == number]
                if len(set(values)) != 9:
                    repeated = next(v for v in values if values.count(v) > 1)
                    raise Incorrect(f"{kind} {number + 1} repeats {repeated}")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        grid = [row[:] for row in metadata["puzzle"]]
        if not search(grid):
            raise ValueError("sudoku has no solution")
        return format_grid(grid)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`standard_sudoku/sample_<i>/`: the question, and solution.json with `puzzle` (0 = empty) and `solution`."""
        question, data = read_sample(sample)
        puzzle = data["puzzle"]
        if len(puzzle) != 9 or any(len(row) != 9 for row in puzzle):
            raise ValueError("solution.json: puzzle is not 9x9")
        return question, {"puzzle": puzzle, "reference": format_grid(data["solution"])}
