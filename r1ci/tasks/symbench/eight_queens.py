"""Eight queens (and its N-queens variants): complete a partly filled board so that N queens sit on it,
none attacking another and none on a cell marked X.

The answer lists queen positions as `row col` pairs. It may list every queen or only the added ones; the
checker places them next to the given queens and accepts any resulting board that obeys the rules.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import parse_positions
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, read_sample


@dataclass
class EightQueensConfig(SymbenchConfig):
    board_size: int = 8
    max_placed: int = 3  # queens given on the board: 0..max_placed (CodeSteer: 0-3)
    max_blocked: int = 4  # cells marked X: 0..max_blocked (CodeSteer: 0-4)

    def validate(self) -> None:
        super().validate()
        self.require_range("board_size", 4, 20)
        self.require_range("max_placed", 0, self.board_size // 2, "half of board_size at most")
        self.require_range("max_blocked", 0, self.board_size, "board_size at most")


class EightQueensCurriculum(SymbenchCurriculum):
    config_cls = EightQueensConfig
    definitions = (knob("board_size", [6, 8, 10, 12], "the board's side, and how many queens it takes"),)


def board_rows(n: int, placed: list[list[int]], blocked: list[list[int]]) -> list[str]:
    rows = [["0"] * n for _ in range(n)]
    for r, c in placed:
        rows[r][c] = "1"
    for r, c in blocked:
        rows[r][c] = "X"
    return ["".join(row) for row in rows]


def render(n: int, placed: list[list[int]], blocked: list[list[int]]) -> str:
    total = "eight" if n == 8 else str(n)  # the 8x8 datasets spell it out, the varied-size one does not
    board = "\n".join(board_rows(n, placed, blocked))
    return (
        f"Given an {n}*{n} grid, cells marked with 1 have a queen placed, and cells marked with 0 are empty. "
        f"A total of {total} queens need to be placed such that no two queens can attack each other, meaning no "
        "two queens can be in the same row, column, or diagonal. Additionally, positions marked with X are not "
        "allowed for placing queens. Please help me complete the placement of the remaining queens on the "
        f"partially filled board.\n\n{board}\n\n"
        "Return your answer with the format <<<list of queen positions>>>, where each position is given as row "
        "column (0-based indices). For example, <<<0 3, 1 0, 2 4>>> means queens are placed at positions (0,3), "
        "(1,0), and (2,4)."
    )


def attack(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == b[0] or a[1] == b[1] or abs(a[0] - b[0]) == abs(a[1] - b[1])


def complete(n: int, placed: list[list[int]], blocked: list[list[int]]) -> list[tuple[int, int]] | None:
    """All n queens (the placed ones included), or None: backtracking that always fills the row with the
    fewest free columns next, with columns and diagonals as bit masks."""
    free = [(1 << n) - 1] * n  # per row: columns not blocked
    for r, c in blocked:
        free[r] &= ~(1 << c)
    queens = [tuple(q) for q in placed]
    if any(attack(a, b) for i, a in enumerate(queens) for b in queens[i + 1:]) or any(
        not free[r] >> c & 1 for r, c in queens
    ):
        return None
    cols = diag = anti = 0  # diag bit r - c + n, anti bit r + c
    for r, c in queens:
        cols, diag, anti = cols | 1 << c, diag | 1 << (r - c + n), anti | 1 << (r + c)
    open_rows = set(range(n)) - {r for r, _ in queens}

    def available(r: int) -> int:
        mask = free[r] & ~cols
        return mask & ~sum(1 << c for c in range(n) if diag >> (r - c + n) & 1 or anti >> (r + c) & 1)

    def step() -> bool:
        nonlocal cols, diag, anti
        if not open_rows:
            return True
        row, mask = min(((r, available(r)) for r in open_rows), key=lambda x: x[1].bit_count())
        open_rows.remove(row)
        for c in range(n):
            if mask >> c & 1:
                saved = cols, diag, anti
                cols, diag, anti = cols | 1 << c, diag | 1 << (row - c + n), anti | 1 << (row + c)
                queens.append((row, c))
                if step():
                    return True
                queens.pop()
                cols, diag, anti = saved
        open_rows.add(row)
        return False

    return queens if step() else None


def format_queens(queens: list) -> str:
    return ", ".join(f"{r} {c}" for r, c in sorted(map(tuple, queens)))


class EightQueensDataset(SymbenchDataset):
    name = "eight_queens"
    config_cls = EightQueensConfig
    curriculum_cls = EightQueensCurriculum
    codesteer = ("eight_queens_dataset*/**/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        cfg = self.config
        n = cfg.board_size
        cells = [[r, col] for r in range(n) for col in range(n)]

        def draw() -> dict | None:
            placed: list[list[int]] = []
            for _ in range(rng.randint(0, cfg.max_placed)):
                options = [q for q in cells if not any(attack(tuple(q), tuple(p)) for p in placed)]
                placed.append(rng.choice(options))
            blocked = rng.sample([q for q in cells if q not in placed], rng.randint(0, cfg.max_blocked))
            if not complete(n, placed, blocked):
                return None
            return {"board_size": n, "placed_queens": placed, "blocked_positions": blocked}

        metadata = self.redraw(draw, "board that can be completed")
        return render(n, metadata["placed_queens"], metadata["blocked_positions"]), metadata

    def check(self, answer: str, metadata: dict) -> None:
        n = metadata["board_size"]
        positions = parse_positions(answer, n)
        if len(set(positions)) != len(positions):
            raise Incorrect("a position is listed twice")
        blocked = {tuple(b) for b in metadata["blocked_positions"]}
        for q in positions:
            if q in blocked:
                raise Incorrect(f"queen on the blocked cell {q}")
        queens = sorted(set(positions) | {tuple(q) for q in metadata["placed_queens"]})
        for i, a in enumerate(queens):
            for b in queens[i + 1:]:
                if attack(a, b):
                    raise Incorrect(f"queens at {a} and {b} attack each other")
        if len(queens) != n:
            raise Incorrect(f"{len(queens)} queens on the board, expected {n}")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        queens = complete(metadata["board_size"], metadata["placed_queens"], metadata["blocked_positions"])
        if queens is None:
            raise ValueError("the board cannot be completed")
        return format_queens(queens)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`eight_queens_dataset*/sample_<i>/` (and `eight_queens_dataset_varied_complexity/*/sample_<i>/`): the
        question and solution.json (`initial_board`, `placed_queens`, `blocked_positions`, `solution`)."""
        question, data = read_sample(sample)
        n = data.get("board_size", 8)
        placed, blocked = data["placed_queens"], data["blocked_positions"]
        if board_rows(n, placed, blocked) != data["initial_board"]:
            raise ValueError("solution.json: initial_board disagrees with the queen/X lists")
        metadata = {"board_size": n, "placed_queens": placed, "blocked_positions": blocked,
                    "reference": format_queens(data["solution"])}
        return question, metadata
