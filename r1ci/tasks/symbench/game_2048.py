"""2048 walk: one tile of a grid of powers of two walks a sequence of unit moves (u/d/l/r); it slides into an
empty square, merges into an equal neighbour (doubling it and walking on from there), and stays put before a
different number or the edge. The answer is the grid afterwards; the checker replays the moves and compares
every cell. Rows may be written on separate lines or all on one line, with commas, spaces or brackets.
"""

import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import list_items
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob,
                                      read_sample, span)
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

STEPS = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}
POWERS = (2, 4, 8, 16, 32)


@dataclass
class Game2048Config(SymbenchConfig):
    """CodeSteer's sizes: 2x2 to 5x5 grids with n..2n tiles and n or n+1 moves."""

    min_size: int = 2
    max_size: int = 5
    extra_moves: int = 1  # moves = size + 0..extra_moves

    def validate(self) -> None:
        super().validate()
        self.require_span("size", 2, 10)
        self.require_range("extra_moves", 0, 20)


class Game2048Curriculum(SymbenchCurriculum):
    config_cls = Game2048Config
    definitions = (
        span("size", [2, 3, 4, 5, 6], "the grid's side; a grid of side n has n to 2n tiles"),
        knob("extra_moves", [1, 2, 4, 6], "moves beyond the grid's side"),
    )


def render(grid: list[list[int]], moves: str, start: list[int]) -> str:
    n = len(grid)
    rows = "\n".join(", ".join(str(x) for x in row) for row in grid)
    return (
        f"In an {n}x{n} grid, there are several squares containing powers of 2. We define the '2048' game: The "
        "numbers in the grid can move in any direction. When they encounter a number that is the same power of 2, "
        "they can combine to form a larger number that is the next power of 2. For example: 2 meets 2 -> 4; 4 meets "
        "4 -> 8; 16 meets 16 -> 32. When they encounter a different number, they remain unchanged.\n"
        "u: represents moving up one step\nd: represents moving down one step\n"
        "l: represents moving left one step\nr: represents moving right one step\n\n"
        f"Now, in the following matrix, move the number in position ({start[0] + 1}, {start[1] + 1}) using the "
        f"sequence '{moves}':\n{rows}\n\nWhat is the matrix after moving?\nReturn your answer with format <<<matrix>>>."
    )


def walk(grid: list[list[int]], start: list[int], moves: str) -> list[list[int]]:
    grid = [list(row) for row in grid]
    n = len(grid)
    r, c = start
    for move in moves:
        dr, dc = STEPS[move]
        nr, nc = r + dr, c + dc
        if not (0 <= nr < n and 0 <= nc < n):
            continue
        if grid[nr][nc] == 0:
            grid[nr][nc], grid[r][c] = grid[r][c], 0
        elif grid[nr][nc] == grid[r][c]:
            grid[nr][nc], grid[r][c] = 2 * grid[r][c], 0
        else:
            continue
        r, c = nr, nc
    return grid


def format_grid(grid: list[list[int]]) -> str:
    return "\n".join(", ".join(str(x) for x in row) for row in grid)


class Game2048Dataset(SymbenchDataset):
    name = "game_2048"
    config_cls = Game2048Config
    curriculum_cls = Game2048Curriculum
    codesteer = ("2048_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        n = rng.randint(c.min_size, c.max_size)
        cells = rng.sample([(r, col) for r in range(n) for col in range(n)], rng.randint(n, 2 * n))
        grid = [[0] * n for _ in range(n)]
        for r, col in cells:
            grid[r][col] = rng.choice(POWERS)
        start = list(rng.choice(cells))  # a tile, so that something moves
        moves = "".join(rng.choice("udlr") for _ in range(n + rng.randint(0, c.extra_moves)))
        return render(grid, moves, start), {"grid": grid, "moves": moves, "start_pos": start}

    def check(self, answer: str, metadata: dict) -> None:
        expected = walk(metadata["grid"], metadata["start_pos"], metadata["moves"])
        n = len(expected)
        tokens = list_items(answer)
        if not all(re.fullmatch(r"[0-9]{1,9}", t) for t in tokens):
            raise Incorrect("the matrix must be numbers separated by commas, spaces or newlines")
        if len(tokens) != n * n:
            raise Incorrect(f"the matrix must have {n * n} numbers ({n}x{n}), found {len(tokens)}")
        wrong = [i for i, t in enumerate(tokens) if int(t) != expected[i // n][i % n]]
        if wrong:
            raise Incorrect(f"{len(wrong)} cells differ from the matrix after the moves "
                            f"(first at row {wrong[0] // n + 1}, column {wrong[0] % n + 1})")

    def solve(self, metadata: dict) -> str:
        return format_grid(walk(metadata["grid"], metadata["start_pos"], metadata["moves"]))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`2048_dataset/sample_<i>/question.txt` and `solution.json` ({grid, moves, start_pos (0-based),
        solution: rows of comma-separated numbers}); the published solution becomes the reference."""
        question, data = read_sample(sample)
        grid = [[int(x) for x in row] for row in data["grid"]]
        metadata = {"grid": grid, "moves": str(data["moves"]), "start_pos": [int(x) for x in data["start_pos"]],
                    "reference": data["solution"]}
        if not set(metadata["moves"]) <= set(STEPS) or any(len(row) != len(grid) for row in grid):
            raise ValueError("solution.json: the moves or the grid are malformed")
        return question, metadata


GAME_2048_CHECK = r"""
after = [int(v) for v in re.findall(r"\d+", answer)]
before = [v for row in grid for v in row]
assert len(after) == len(before), "not the whole grid"
assert sum(after) == sum(before), "slides and merges keep the total"
assert all(v == 0 or v & (v - 1) == 0 for v in after), "every tile is a power of two"
print("check passed")
"""


WALK_ON_A_FLAT_LIST = """
n = len(grid)
cells = [value for row in grid for value in row]  # cell (r, c) is cells[r * n + c]
at = (start[0] - 1) * n + (start[1] - 1)
for move in moves:
    row, col = divmod(at, n)
    if (move == "u" and row == 0) or (move == "d" and row == n - 1) \\
            or (move == "l" and col == 0) or (move == "r" and col == n - 1):
        continue  # the edge
    to = at + {"u": -n, "d": n, "l": -1, "r": 1}[move]
    if cells[to] in (0, cells[at]):  # slide into an empty square or merge with an equal tile
        cells[to], cells[at] = cells[to] + cells[at], 0
        at = to
print([cells[i:i + n] for i in range(0, n * n, n)])
"""

WALK_AMONG_TILES = """
n = len(grid)
tiles = {(r, c): value for r, row in enumerate(grid, 1) for c, value in enumerate(row, 1) if value}
vectors = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}
here = start
for move in moves:
    there = (here[0] + vectors[move][0], here[1] + vectors[move][1])
    if not (1 <= there[0] <= n and 1 <= there[1] <= n):
        continue
    if there not in tiles:
        tiles[there] = tiles.pop(here)
    elif tiles[there] == tiles[here]:
        tiles[there] *= 2
        del tiles[here]
    else:
        continue  # a different number blocks the way
    here = there
print([[tiles.get((r, c), 0) for c in range(1, n + 1)] for r in range(1, n + 1)])
"""
MOVE_NAMES = {"u": "up", "d": "down", "l": "left", "r": "right"}


def walk_in_words(grid: list[list[int]], start: list[int], moves: str) -> str:
    """In words: each move of the tile (1-based squares), whether it slides, merges or stays, and the grid."""
    grid = [list(row) for row in grid]
    n = len(grid)
    r, c = start
    lines = [f"The tile at ({r + 1}, {c + 1}) holds {grid[r][c]}; squares are (row, column), counted from 1."]
    for k, move in enumerate(moves, 1):
        dr, dc = STEPS[move]
        nr, nc = r + dr, c + dc
        where = f"Move {k} ({move}, {MOVE_NAMES[move]}) from ({r + 1}, {c + 1})"
        if not (0 <= nr < n and 0 <= nc < n):
            lines.append(f"{where}: the edge; it stays.")
            continue
        if grid[nr][nc] == 0:
            lines.append(f"{where}: ({nr + 1}, {nc + 1}) is empty; it slides there.")
            grid[nr][nc], grid[r][c] = grid[r][c], 0
        elif grid[nr][nc] == grid[r][c]:
            lines.append(f"{where}: ({nr + 1}, {nc + 1}) holds {grid[nr][nc]} too; they merge into "
                         f"{2 * grid[r][c]} there.")
            grid[nr][nc], grid[r][c] = 2 * grid[r][c], 0
        else:
            lines.append(f"{where}: ({nr + 1}, {nc + 1}) holds {grid[nr][nc]}, not {grid[r][c]}; it stays.")
            continue
        r, c = nr, nc
    lines.append(f"So the answer is {grid}")
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `walk` from the start the question names, counting from 1; the same walk
    on a flat list of cells with index arithmetic; and on a dict of the tiles alone. Its check tests what
    any walk keeps. The worked solution follows the tile move by move."""
    grid, moves = meta(item, "grid"), meta(item, "moves")
    start = tuple(v + 1 for v in meta(item, "start_pos"))
    data = dict(grid=grid, start=start, moves=moves)
    return Solution(
        code=script_with_functions(data, walk, last="print(walk(grid, (start[0] - 1, start[1] - 1), moves))"),
        check=script(data, GAME_2048_CHECK, "import re"),
        worked=walk_in_words(grid, meta(item, "start_pos"), moves),
        alternatives=(script(data, WALK_ON_A_FLAT_LIST), script(data, WALK_AMONG_TILES)))
