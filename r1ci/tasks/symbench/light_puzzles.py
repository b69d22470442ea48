"""Light puzzles: an n*n grid of lights and buttons that each toggle a fixed set of lights; after a
sequence of button presses, give the final state of every light (row by row, 1 = lit).

The answer is unique; the checker replays the presses from the instance rather than trusting a stored
final state.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import list_items
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, read_sample
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions


@dataclass
class LightPuzzlesConfig(SymbenchConfig):
    grid_size: int = 5  # CodeSteer: mostly n=5 with 3 buttons and 4 rounds, a few smaller grids
    num_buttons: int = 3
    num_rounds: int = 4

    def validate(self) -> None:
        super().validate()
        self.require_range("grid_size", 2, 10)
        self.require_range("num_buttons", 1, 26)
        self.require_range("num_rounds", 1, 50)


class LightPuzzlesCurriculum(SymbenchCurriculum):
    config_cls = LightPuzzlesConfig
    definitions = (
        knob("grid_size", [3, 4, 5, 6, 8], "the grid's side"),
        knob("num_buttons", [2, 3, 4, 6], "buttons, each toggling its own set of lights"),
        knob("num_rounds", [2, 4, 6, 8], "button presses to replay"),
    )


def render(n: int, initial: list[list[int]], buttons: dict[str, list[list[int]]], operations: list[str]) -> str:
    grid = "\n".join("".join(map(str, row)) for row in initial)
    controls = "\n".join(
        f"Button {name} controls the lights at " + ", ".join(f'["{r}", "{c}"]' for r, c in cells)
        for name, cells in buttons.items()
    )
    rounds = "\n".join(f"Round {i}: Button {op}" for i, op in enumerate(operations, 1))
    return (
        "There is an n*n grid with some lights randomly distributed. A lit light is represented by 1, and an unlit "
        "light is represented by 0. There are some buttons which can change the state of the lights in certain "
        "positions when they are pressed, like turning some lights on or off. Different buttons may control the "
        f"state of the same light.\nGiven n={n} and the number of buttons={len(buttons)}, the initial network is:\n"
        f"{grid}\n\n{controls}\n\n{rounds}\n\n"
        "Please write the result after all rounds of operation based on the lights controlled by the button.\n"
        f"For example, <<<{','.join('0' * n * n)}>>> represents a fully unlit light network."
    )


def final_lights(initial: list, buttons: dict[str, list], operations: list[str]) -> list[int]:
    """The lights, flattened row by row, after pressing the buttons in order (cells are 1-based [row, column]).
    Lights and cells may be numbers, or digits as the question writes them ("0110", ["1", "2"])."""
    n = len(initial)
    lights = [int(v) for row in initial for v in row]
    for op in operations:
        for r, c in buttons[op]:
            lights[(int(r) - 1) * n + int(c) - 1] ^= 1
    return lights


def final_state(metadata: dict) -> list[int]:
    """`final_lights` of an instance."""
    return final_lights(metadata["initial_state"], metadata["buttons"], metadata["operations"])


class LightPuzzlesDataset(SymbenchDataset):
    name = "light_puzzles"
    config_cls = LightPuzzlesConfig
    curriculum_cls = LightPuzzlesCurriculum
    codesteer = ("light_puzzles_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        n, cfg = self.config.grid_size, self.config
        initial = [[rng.randint(0, 1) for _ in range(n)] for _ in range(n)]
        cells = [[r, c] for r in range(1, n + 1) for c in range(1, n + 1)]
        names = [chr(ord("A") + i) for i in range(cfg.num_buttons)]
        buttons = {name: rng.sample(cells, rng.randint(2, max(2, n * n // 2))) for name in names}
        operations = [rng.choice(names) for _ in range(cfg.num_rounds)]
        metadata = {"n": n, "initial_state": initial, "buttons": buttons, "operations": operations}
        return render(n, initial, buttons, operations), metadata

    def check(self, answer: str, metadata: dict) -> None:
        n = metadata["n"]
        tokens = list_items(answer)
        if len(tokens) == n and all(len(t) == n for t in tokens):  # rows written like the question's grid
            tokens = [digit for row in tokens for digit in row]
        if len(tokens) != n * n:
            raise Incorrect(f"gives {len(tokens)} lights, expected {n * n}")
        if any(t not in ("0", "1") for t in tokens):
            raise Incorrect("every light must be 0 or 1")
        expected = final_state(metadata)
        wrong = [i for i, t in enumerate(tokens) if int(t) != expected[i]]
        if wrong:
            r, c = divmod(wrong[0], n)
            raise Incorrect(f"{len(wrong)} of the {n * n} lights are wrong, the first at row {r + 1}, column {c + 1}")

    def solve(self, metadata: dict) -> str:
        return ",".join(map(str, final_state(metadata)))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`light_puzzles_dataset/sample_<i>/`: the question, and solution.json with `n`, `initial_state`,
        `buttons` (1-based [row, col] lists), `operations` and the final state as `solution`."""
        question, data = read_sample(sample)
        if any(op not in data["buttons"] for op in data["operations"]):
            raise ValueError("solution.json: an operation names an unknown button")
        metadata = {"n": data["n"], "initial_state": data["initial_state"], "buttons": data["buttons"],
                    "operations": data["operations"], "reference": ",".join(map(str, data["solution"]))}
        return question, metadata


LIGHT_PUZZLES_CHECK = r"""
values = answer.split(",")
n = len(grid)
assert len(values) == n * n, "wrong number of lights"
for r in range(n):
    for c in range(n):  # a light ends toggled once per press of each button that controls it
        presses_here = sum(presses.count(name) for name, cells in buttons.items() if [str(r + 1), str(c + 1)] in cells)
        assert int(values[r * n + c]) == (int(grid[r][c]) + presses_here) % 2, (r + 1, c + 1)
print("check passed")
"""


# Alternatives: how often each light is toggled, by counting presses; the set of lit cells, each press
# flipping its button's cells by a symmetric difference.
BY_PRESS_COUNTS = r"""
pressed = Counter(presses)
n = len(grid)
toggles = [[0] * n for _ in range(n)]
for name, cells in buttons.items():
    for r, c in cells:
        toggles[int(r) - 1][int(c) - 1] += pressed[name]
lights = [(int(grid[r][c]) + toggles[r][c]) % 2 for r in range(n) for c in range(n)]
print(",".join(map(str, lights)))
"""
BY_LIT_SET = """
n = len(grid)
lit = {(r + 1, c + 1) for r, row in enumerate(grid) for c, light in enumerate(row) if light == "1"}
for name in presses:
    lit ^= {(int(r), int(c)) for r, c in buttons[name]}
print(",".join("1" if (r, c) in lit else "0" for r in range(1, n + 1) for c in range(1, n + 1)))
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `final_lights` of the grid, buttons and presses as the question writes
    them; alternatives count each light's toggles or keep the set of lit cells; its check counts each light's
    toggles. The worked solution replays the rounds, writing the grid (rows separated by /) after each."""
    grid = ["".join(map(str, row)) for row in meta(item, "initial_state")]
    buttons = {name: [[str(r), str(c)] for r, c in cells] for name, cells in meta(item, "buttons").items()}
    presses = meta(item, "operations")
    data = dict(grid=grid, buttons=buttons, presses=presses)
    n, lines = len(grid), [f"Start: {'/'.join(grid)}."]
    for round_, name in enumerate(presses, 1):
        lights = final_lights(grid, buttons, presses[:round_])
        rows = ["".join(map(str, lights[r * n:(r + 1) * n])) for r in range(n)]
        cells = ", ".join(f"({r},{c})" for r, c in buttons[name])
        lines.append(f"Round {round_}: button {name} flips {cells}: {'/'.join(rows)}.")
    lines.append(f"Row by row, the answer is {','.join(map(str, final_lights(grid, buttons, presses)))}")
    return Solution(code=script_with_functions(data, final_lights,
                                               last='print(",".join(map(str, final_lights(grid, buttons, presses))))'),
                    check=script(data, LIGHT_PUZZLES_CHECK),
                    alternatives=(script(data, BY_PRESS_COUNTS, "from collections import Counter"),
                                  script(data, BY_LIT_SET)),
                    worked="\n".join(lines))
