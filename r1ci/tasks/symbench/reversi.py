"""Reversi: from a given board, play the listed moves (black '0' first, then alternating) with Reversi's
flipping rule and write down the board afterwards as n*n comma-separated cells ('0', '1' or '*'). The
checker replays the moves and compares every cell.

CodeSteer's generator showed the board *after* the moves as "the previous round" (it kept a reference to the
live board), while its moves start from the standard opening. The loader therefore replays the published
moves from the opening, which reproduces every published solution; the question text is kept verbatim.
"""

import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import check_brackets
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob,
                                      read_sample, require, span)
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

DIRECTIONS = [(0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1)]


@dataclass
class ReversiConfig(SymbenchConfig):
    """CodeSteer's boards are 4x4 and 6x6 with one to three moves to play."""

    sizes: tuple[int, ...] = (4, 6)
    min_moves: int = 1
    max_moves: int = 3
    max_prior_rounds: int = 2  # rounds (a black and a white move) played before the shown board

    def validate(self) -> None:
        super().validate()
        require(bool(self.sizes) and all(n % 2 == 0 and 4 <= n <= 12 for n in self.sizes),
                f"sizes must be even numbers in [4, 12], got {self.sizes!r}")
        self.require_span("moves", 1, 10)
        self.require_range("max_prior_rounds", 0, 10)


class ReversiCurriculum(SymbenchCurriculum):
    config_cls = ReversiConfig
    definitions = (
        knob("sizes", [(4,), (4, 6), (4, 6, 8)], "board sizes to draw from"),
        span("moves", [1, 2, 3, 5], "moves to play"),
        knob("max_prior_rounds", [0, 1, 2, 4], "rounds played before the board shown"),
    )


def opening(n: int) -> list[list[str]]:
    board = [["*"] * n for _ in range(n)]
    m = n // 2
    board[m - 1][m - 1], board[m - 1][m], board[m][m - 1], board[m][m] = "1", "0", "0", "1"
    return board


def flips(board: list[list[str]], row: int, col: int, player: str) -> list[tuple[int, int]]:
    """The opponent pieces a piece placed at (row, col) would flip; empty if the move is illegal."""
    n = len(board)
    if not (0 <= row < n and 0 <= col < n) or board[row][col] != "*":
        return []
    opponent = "1" if player == "0" else "0"
    flipped = []
    for dr, dc in DIRECTIONS:
        line, r, c = [], row + dr, col + dc
        while 0 <= r < n and 0 <= c < n and board[r][c] == opponent:
            line.append((r, c))
            r, c = r + dr, c + dc
        if line and 0 <= r < n and 0 <= c < n and board[r][c] == player:
            flipped += line
    return flipped


def play(board: list[list[str]], moves: list[list[int]]) -> list[list[str]]:
    """The board after the (1-based) moves, black first; a move that flips nothing is an error."""
    board = [list(row) for row in board]
    for i, (row, col) in enumerate(moves):
        player = "0" if i % 2 == 0 else "1"
        flipped = flips(board, row - 1, col - 1, player)
        if not flipped:
            raise ValueError(f"move {i + 1} at ({row},{col}) is not legal")
        for r, c in [(row - 1, col - 1), *flipped]:
            board[r][c] = player
    return board


def legal_moves(board: list[list[str]], player: str) -> list[tuple[int, int]]:
    n = len(board)
    return [(r, c) for r in range(n) for c in range(n) if flips(board, r, c, player)]


def random_move(board: list[list[str]], turn: int, rng: random.Random) -> list[int] | None:
    """Play a random legal move for the player of this turn (black on even turns); its 1-based square."""
    player = "0" if turn % 2 == 0 else "1"
    options = legal_moves(board, player)
    if not options:
        return None
    r, c = rng.choice(options)
    for fr, fc in [(r, c), *flips(board, r, c, player)]:
        board[fr][fc] = player
    return [r + 1, c + 1]


def render(board: list[str], moves: list[list[int]]) -> str:
    rounds = "\n".join(f"Round {i + 1}: {'Your' if i % 2 == 0 else 'The opponent'}'s landing position is ({r},{c})"
                       for i, (r, c) in enumerate(moves))
    return (
        "There is a game similar to Reversi. On an n*n grid (where n is even), four pieces are placed in the center, "
        "two black and two white, arranged diagonally. Black pieces are represented by 0, white pieces by 1, and "
        "empty spaces by *.\nRules:\n1. Two players take turns placing pieces, one playing black and the other "
        "playing white.\n2. Each player places one piece on an empty space during their turn.\n3. After placing a "
        "piece, if there are any of the opponent's pieces between two of the player's pieces (in the same row, "
        "column, or diagonal), those pieces will be flipped to the player's color. That is, 0 becomes 1, or 1 "
        "becomes 0.\nAll coordinates start from the first row and first column, and the coordinate (a, b) "
        "represents the cell in the a-th row and b-th column.\n\n"
        f"Given: n={len(board)}, you play black chess.\n\nThe previous round of the game was: \n" + "\n".join(board)
        + f"\n\n{rounds}\n\nPlease write down the game situation after this round based on the situation of the "
        "previous round.\nFor example, <<<*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*>>> represents the empty grid."
    )


class ReversiDataset(SymbenchDataset):
    name = "reversi"
    config_cls = ReversiConfig
    curriculum_cls = ReversiCurriculum
    codesteer = ("reversi_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> dict | None:  # None when a player has no legal move (these rules have no passing)
            board = opening(rng.choice(c.sizes))
            prior = 2 * rng.randint(0, c.max_prior_rounds)  # whole rounds, so black moves first on the shown board
            if not all(random_move(board, i, rng) for i in range(prior)):
                return None
            shown = ["".join(row) for row in board]
            moves = [random_move(board, i, rng) for i in range(rng.randint(c.min_moves, c.max_moves))]
            return {"board": shown, "moves": moves} if all(moves) else None

        metadata = self.redraw(draw, "game in which every move is legal")
        return render(metadata["board"], metadata["moves"]), metadata

    def check(self, answer: str, metadata: dict) -> None:
        expected = [cell for row in play(metadata["board"], metadata["moves"]) for cell in row]
        if re.search(r"[^01*\s,;\[\]()'\"]", answer):
            raise Incorrect("the board may only contain 0, 1 and * (separated by commas)")
        check_brackets(answer)
        cells = re.findall(r"[01*]", answer)
        if len(cells) != len(expected):
            raise Incorrect(f"the board must have {len(expected)} cells, found {len(cells)}")
        wrong = [i for i, (a, b) in enumerate(zip(cells, expected)) if a != b]
        if wrong:
            n = len(metadata["board"])
            raise Incorrect(f"{len(wrong)} cells differ from the board after the moves "
                            f"(first at row {wrong[0] // n + 1}, column {wrong[0] % n + 1})")

    def solve(self, metadata: dict) -> str:
        return ",".join(cell for row in play(metadata["board"], metadata["moves"]) for cell in row)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Flip the last piece: a board one cell off (a digit change would make an invalid cell '2')."""
        i = max(answer.rfind("0"), answer.rfind("1"))
        return answer[:i] + ("1" if answer[i] == "0" else "0") + answer[i + 1:]

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`reversi_dataset/sample_<i>/question.txt` and `solution.json` ({board_size, moves (1-based),
        solution}). The moves are replayed from the opening (see the module docstring); the published
        solution becomes the reference."""
        question, data = read_sample(sample)
        n = int(data["board_size"])
        moves = [[int(r), int(c)] for r, c in data["moves"]]
        board = ["".join(row) for row in opening(n)]
        play(board, moves)  # the moves must be legal from the opening
        return question, {"board": board, "moves": moves, "reference": data["solution"]}


FLIP_BY_MATCHING_RAYS = r"""
grid = [list(row) for row in board]
n = len(grid)
for turn, (row, col) in enumerate(moves):
    me, them = ("0", "1") if turn % 2 == 0 else ("1", "0")
    r0, c0 = row - 1, col - 1
    grid[r0][c0] = me
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            ray = []  # the squares from the new piece to the edge in this direction
            r, c = r0 + dr, c0 + dc
            while (dr or dc) and 0 <= r < n and 0 <= c < n:
                ray.append((r, c))
                r, c = r + dr, c + dc
            text = "".join(grid[r][c] for r, c in ray)
            sandwich = re.match(f"({them}+){me}", text)  # opponent pieces closed by one of mine
            if sandwich:
                for r, c in ray[:len(sandwich.group(1))]:
                    grid[r][c] = me
print(",".join(cell for line in grid for cell in line))
"""

FLIP_ON_COMPLEX_SQUARES = """
n = len(board)
cells = {complex(r, c): cell for r, line in enumerate(board) for c, cell in enumerate(line)}
units = [complex(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]


def captured(square, me):
    # Opponent squares walked over from `square` in each direction, kept where one of mine closes the line.
    out = []
    for unit in units:
        walked, at = [], square + unit
        while cells.get(at) not in (None, "*", me):
            walked.append(at)
            at += unit
        if walked and cells.get(at) == me:
            out += walked
    return out


for turn, (row, col) in enumerate(moves):
    me = "01"[turn % 2]
    square = complex(row - 1, col - 1)
    for flipped in [square, *captured(square, me)]:
        cells[flipped] = me
print(",".join(cells[complex(r, c)] for r in range(n) for c in range(n)))
"""
DIRECTION_NAMES = {(0, 1): "right", (1, 0): "down", (0, -1): "left", (-1, 0): "up", (1, 1): "down-right",
                   (-1, -1): "up-left", (1, -1): "down-left", (-1, 1): "up-right"}


def moves_in_words(board: list[str], moves: list[list[int]]) -> str:
    """In words: each move, the lines of opponent pieces it closes (direction by direction), the board after."""
    grid = [list(row) for row in board]
    lines = ["Black is 0 and moves first; white is 1. Squares are (row, column), counted from 1. "
             f"Starting board, row by row: {' / '.join(board)}."]
    for turn, (row, col) in enumerate(moves):
        player = "0" if turn % 2 == 0 else "1"
        captures = []
        for dr, dc in DIRECTIONS:
            run, r, c = [], row - 1 + dr, col - 1 + dc
            while 0 <= r < len(grid) and 0 <= c < len(grid) and grid[r][c] not in ("*", player):
                run.append((r, c))
                r, c = r + dr, c + dc
            if run and 0 <= r < len(grid) and 0 <= c < len(grid) and grid[r][c] == player:
                captures.append(f"{DIRECTION_NAMES[dr, dc]} {', '.join(f'({a + 1},{b + 1})' for a, b in run)}")
        for r, c in [(row - 1, col - 1), *flips(grid, row - 1, col - 1, player)]:
            grid[r][c] = player
        lines.append(f"Move {turn + 1}: {'black' if player == '0' else 'white'} ({player}) plays ({row},{col}) and "
                     f"flips {'; '.join(captures)}. Board: {' / '.join(''.join(line) for line in grid)}.")
    lines.append("So the answer is " + ",".join(cell for line in grid for cell in line))
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `play` the moves on the board shown; match each ray from the new piece
    as text against "opponent pieces, then mine"; and walk a dict of complex-number squares. The worked
    solution names the lines each move closes."""
    board, moves = meta(item, "board"), meta(item, "moves")
    data = dict(board=board, moves=[tuple(m) for m in moves])
    return Solution(code=script_with_functions(
        data, flips, play, last='print(",".join(cell for row in play(board, moves) for cell in row))'),
        worked=moves_in_words(board, moves),
        alternatives=(script(data, FLIP_BY_MATCHING_RAYS, "import re"), script(data, FLIP_ON_COMPLEX_SQUARES)))
