"""Logic puzzle (CodeSteer's grid selection): pick k cells of a number grid, starting with the top-right
cell, so that the picked numbers are all different and, in every row and column, their sum is at most 4
(small grids) or their product is positive (larger grids with negative numbers).

Many selections are usually valid; the checker verifies the constraints, never a stored selection.
"""

import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import parse_positions
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span

# CodeSteer's levels: complexity -> (grid size, cells to select, value range, constraint)
LEVELS = {
    1: (2, 3, (1, 3), "sum_le_4"),
    2: (3, 4, (1, 4), "sum_le_4"),
    3: (4, 6, (-5, 8), "product_gt_0"),
    4: (5, 9, (-8, 8), "product_gt_0"),
    5: (5, 10, (-10, 10), "product_gt_0"),
    6: (6, 12, (-12, 12), "product_gt_0"),
    7: (7, 16, (-14, 14), "product_gt_0"),
    8: (8, 18, (-16, 16), "product_gt_0"),
    9: (9, 20, (-18, 18), "product_gt_0"),
    10: (10, 25, (-20, 20), "product_gt_0"),
}
RULES = {
    "sum_le_4": "The sum of the selected numbers in each row and each column should be less than or equal to 4. ",
    "product_gt_0": "The product of each row and column of the selected number must be greater than 0. ",
}
SEARCH_BUDGET = 20_000  # search nodes; the generator redraws grids whose solution takes longer to find


@dataclass
class LogicPuzzleConfig(SymbenchConfig):
    min_complexity: int = 1
    max_complexity: int = 10

    def validate(self) -> None:
        super().validate()
        self.require_span("complexity", 1, 10)


class LogicPuzzleCurriculum(SymbenchCurriculum):
    config_cls = LogicPuzzleConfig
    definitions = (span("complexity", list(LEVELS), "CodeSteer's level: the grid's size, cells to select, values"),)


def render(grid: list[list[int]], num_select: int, constraint: str) -> str:
    n = len(grid)
    values = [v for row in grid for v in row]
    rows = "\n".join(", ".join(map(str, row)) for row in grid)
    return (
        f"Given a {n}*{n} grid where each cell contains a number (between {min(values)} to {max(values)}), you "
        f"must select {num_select} different numbers from these cells. {RULES[constraint]}The numbers in the same "
        "row are separated by ',', and the coordinate system uses the top-left cell as the coordinate (1,1), with "
        "the horizontal coordinate under the top-left cell increasing and the vertical coordinate to the right of "
        "the top-left cell increasing.\n"
        f"Using the number {grid[0][n - 1]} in the top-rightmost square (0,{n - 1}) as the first selected number\n"
        f"{rows}\n\n"
        "Return your answer with the format <<<list of selected number positions>>>, where each position is given "
        "as row column (0-based indices). For example, <<<0 3, 1 0, 2 4>>> means numbers selected are at "
        "positions (0,3), (1,0), and (2,4)."
    )


def line_violation(grid: list[list[int]], cells: list[tuple[int, int]], constraint: str) -> str | None:
    """The first row or column whose selected numbers break the constraint, described; None if all hold."""
    n = len(grid)
    for kind, index in [("row", i) for i in range(n)] + [("column", i) for i in range(n)]:
        values = [grid[r][c] for r, c in cells if (r if kind == "row" else c) == index]
        if not values:
            continue
        if constraint == "sum_le_4" and sum(values) > 4:
            return f"the selected numbers in {kind} {index} sum to {sum(values)}, more than 4"
        if constraint == "product_gt_0" and (0 in values or sum(v < 0 for v in values) % 2):
            return f"the product of the selected numbers in {kind} {index} is not positive"
    return None


def solve_sum(grid: list[list[int]], k: int, start: tuple[int, int]) -> list[tuple[int, int]] | None:
    """Small grids: try every selection that contains the start cell."""
    others = [(r, c) for r in range(len(grid)) for c in range(len(grid)) if (r, c) != start]
    for chosen in itertools.combinations(others, k - 1):
        cells = [start, *chosen]
        if len({grid[r][c] for r, c in cells}) == k and not line_violation(grid, cells, "sum_le_4"):
            return cells
    return None


def solve_product(grid: list[list[int]], k: int, start: tuple[int, int]) -> list[tuple[int, int]] | None:
    """A positive product per line needs only an even number of negative cells in every row and column.

    So: find a set of negative cells with distinct values and even row/column counts (the start cell among
    them if it is negative), just large enough that distinct positive values can make up the rest, by
    depth-first search with parity pruning; then add one cell per positive value, the start cell first.
    """
    n = len(grid)
    positives: dict[int, tuple[int, int]] = {}
    for r, c in [start] + [(r, c) for r in range(n) for c in range(n)]:
        if grid[r][c] > 0:
            positives.setdefault(grid[r][c], (r, c))
    negatives = [(r, c) for r in range(n) for c in range(n) if grid[r][c] < 0]
    start_negative = grid[start[0]][start[1]] < 0
    nodes = 0

    def search(i: int, size: int, chosen: list, rows: int, cols: int, used: set) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > SEARCH_BUDGET:
            return False
        left = size - len(chosen)
        if i == len(negatives) or left == 0:
            return left == 0 and rows == 0 and cols == 0 and (start in chosen or not start_negative)
        r, c = negatives[i]
        if rows & ((1 << r) - 1) or cols.bit_count() > left or len(negatives) - i < left:
            return False  # an earlier row stays odd, or too few picks remain to even things out
        value = grid[r][c]
        if value not in used:
            chosen.append((r, c))
            used.add(value)
            if search(i + 1, size, chosen, rows ^ 1 << r, cols ^ 1 << c, used):
                return True
            chosen.pop()
            used.discard(value)
        return (r, c) != start and search(i + 1, size, chosen, rows, cols, used)

    smallest = max(k - len(positives), 1 if start_negative else 0)
    largest = k if start_negative else k - 1  # a positive start cell takes one place among the positives
    for size in range(smallest + smallest % 2, largest + 1, 2):  # even row/column counts: an even total
        chosen: list[tuple[int, int]] = []
        if search(0, size, chosen, 0, 0, set()):
            return chosen + list(positives.values())[: k - size]
        if nodes > SEARCH_BUDGET:
            return None
    return None


def select(metadata: dict) -> list[tuple[int, int]] | None:
    solver = solve_sum if metadata["constraint"] == "sum_le_4" else solve_product
    return solver(metadata["grid"], metadata["num_select"], tuple(metadata["start"]))


def format_cells(cells: list) -> str:
    return ", ".join(f"{r} {c}" for r, c in cells)


class LogicPuzzleDataset(SymbenchDataset):
    name = "logic_puzzle"
    config_cls = LogicPuzzleConfig
    curriculum_cls = LogicPuzzleCurriculum
    codesteer = ("logic_puzzle_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        n, k, (lo, hi), constraint = LEVELS[rng.randint(self.config.min_complexity, self.config.max_complexity)]

        def draw() -> dict | None:
            if lo < 0:  # mostly positive numbers, as in CodeSteer, so that selections exist
                grid = [[rng.randint(1, hi) if rng.random() < 0.7 else rng.randint(lo, -1) for _ in range(n)]
                        for _ in range(n)]
            else:
                grid = [[rng.randint(lo, hi) for _ in range(n)] for _ in range(n)]
            metadata = {"grid": grid, "num_select": k, "constraint": constraint, "start": [0, n - 1]}
            return metadata if select(metadata) else None

        metadata = self.redraw(draw, f"{n}x{n} grid with a selection the solver finds")
        return render(metadata["grid"], k, constraint), metadata

    def check(self, answer: str, metadata: dict) -> None:
        grid, k = metadata["grid"], metadata["num_select"]
        cells = parse_positions(answer, len(grid))
        if len(set(cells)) != len(cells):
            raise Incorrect("a position is selected twice")
        if len(cells) != k:
            raise Incorrect(f"selected {len(cells)} positions, expected {k}")
        start = tuple(metadata["start"])
        if start not in cells:
            raise Incorrect(f"the starting cell {start} is not selected")
        values = [grid[r][c] for r, c in cells]
        if len(set(values)) != k:
            repeated = next(v for v in values if values.count(v) > 1)
            raise Incorrect(f"the number {repeated} is selected more than once; the numbers must be different")
        if reason := line_violation(grid, cells, metadata["constraint"]):
            raise Incorrect(reason)

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        cells = select(metadata)
        if cells is None:
            raise ValueError("no selection found")
        return format_cells(cells)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Drop the last selected cell: changing a digit could land on another valid selection."""
        return answer.rpartition(",")[0]

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict] | None:
        """`logic_puzzle_dataset/sample_<i>/`: the question (which states k and the start cell) and
        solution.json with `grid`, `constraints.type` and a `solution` list of [row, col].

        Some published solutions break the constraint they were generated for: CodeSteer's generator cached
        its constraint checks by cell positions alone (`lru_cache`), so a verdict for one grid was reused for
        the next (two such pairs of samples even share their "solution"). Those references are dropped; an
        instance that then has no valid selection at all cannot be answered correctly and is left out.
        """
        question, data = read_sample(sample)
        grid = data["grid"]
        k = re.search(r"you must select (\d+) different numbers", question)
        start = re.search(r"top-rightmost square \((\d+),(\d+)\)", question)
        if not k or not start or [int(start[1]), int(start[2])] != [0, len(grid) - 1]:
            raise ValueError("question.txt: cannot read the count and the starting cell")
        metadata = {"grid": grid, "num_select": int(k[1]), "constraint": data["constraints"]["type"],
                    "start": [0, len(grid) - 1]}
        reference = format_cells(data["solution"])
        try:
            cls().check(reference, metadata)
        except Incorrect:
            if select(metadata) is None:
                return None
        else:
            metadata["reference"] = reference
        return question, metadata
