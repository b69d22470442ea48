"""BoxNet: one agent per square of a grid moves coloured boxes, one action per agent per step, either to an
adjacent square or onto a target of the box's colour in its own square; every box must end on a target.

The answer is a JSON list of steps, each a dict `{"Agent[x, y]": "move(box_c, square[x', y'])" | "move(box_c,
target_c)"}`. Any plan is accepted if replaying it is legal and matches every box. Actions in a step are
simultaneous, so each must be possible in the state at the start of its step (a box that arrives in a square
during a step can be acted on from the next step). CodeSteer's own checker silently skipped illegal actions;
this one rejects the plan and says which action was illegal.
"""

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, require, span

COLORS = ("blue", "red", "green", "purple", "orange")
MAX_ANSWER_CHARS = 20_000
NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
AGENT = re.compile(rf"\s*agent\s*\[\s*{NUMBER}\s*,\s*{NUMBER}\s*\]\s*", re.IGNORECASE)
ACTION = re.compile(
    rf"\s*move\s*\(\s*box_(\w+)\s*,\s*(?:square\s*\[\s*{NUMBER}\s*,\s*{NUMBER}\s*\]|target_(\w+))\s*\)\s*",
    re.IGNORECASE,
)

INTRO = "\n\n\n\n".join([
    "\nYou are a central planner tasked with directing agents in a grid-like field to move colored boxes to their "
    "corresponding color-coded targets. Each agent occupies a 1x1 square and can only interact with objects within "
    "its square. Agents can move a box to an adjacent square or directly to a target square of the same color. A "
    "square may contain multiple boxes and targets.",
    "The squares are identified by their center coordinates (e.g., square[0.5, 0.5]). Actions are formatted as: "
    "move(box_color, destination), where box_color is the color of the box and destination is either a target of "
    "the same color or an adjacent square.",
    "Your objective is to create a sequence of action plans that instructs each agent to match all boxes to their "
    "color-coded targets in the most efficient manner.",
    "Please adhere to the following rules when specifying your action plan:",
    "1. **Single Action per Agent**: Assign only one action to each agent at a time. However, the final answer "
    "shoule be a list of action plans for multiple steps.",
    "2. **Unique Agent Keys**: Use unique keys for each agent in the JSON format action plan. The key should be the "
    "agent's coordinates in the format \"Agent[x, y]\".",
    "3. **Prioritize Matching Boxes to Targets**: Always prioritize actions that will match a box to its target over "
    "moving a box to an adjacent square.",
    "4. **Sequential Action Planning**: The whole returned answer should be a list of action plans for multiple "
    "steps, do not just return one step plan.",
    "5. **Clear Formatting**: Ensure the action plan is clearly formatted in JSON, with each agent's action "
    "specified as a key-value pair.",
    "6. **Conflict Resolution**: Ensure that no two agents are assigned actions that would interfere with each "
    "other.",
    "7. **Optimize Efficiency**: Aim to minimize the number of moves required to match all boxes with their "
    "targets.",
    "Here is the format for your action plan:\n```json\n[{\"Agent[0.5, 0.5]\":\"move(box_blue, square[0.5, 1.5])\", "
    "\"Agent[1.5, 0.5]\":\"move(box_red, target_red)\"}, {\"Agent[0.5, 1.5]\":\"move(box_blue, target_blue)\", "
    "\"Agent[2.5, 0.5]\":\"move...}, {...}...]\n```\nInclude an agent in the action plan only if it has a task to "
    "perform next.\n\n",
])
OUTRO = (
    "\n    Please respond in the format: <<<list of action dictionary>>>, such as <<<[{\"Agent[0.5, 0.5]\":\"move(box_"
    "blue, square[0.5, 1.5])\", \"Agent[1.5, 0.5]\":\"move...}, {\"Agent[0.5, 1.5]\":\"move(box_blue, target_blue)\"}"
    ", {...}...]>>>.\n\n    Your answer:\n\n    "
)


@dataclass
class BoxNetConfig(SymbenchConfig):
    """CodeSteer's benchmark grids are 1x2, 2x2 and 2x4 with five colours and one to three boxes of each."""

    min_rows: int = 1
    max_rows: int = 2
    min_cols: int = 2
    max_cols: int = 4
    colors: int = 5
    min_boxes_per_color: int = 1
    max_boxes_per_color: int = 3

    def validate(self) -> None:
        super().validate()
        self.require_span("rows", 1, 8)
        self.require_span("cols", 1, 8)
        require(self.max_rows * self.max_cols >= 2, "max_rows and max_cols must allow a grid of two squares or "
                f"more, got max_rows={self.max_rows!r}, max_cols={self.max_cols!r}")
        self.require_range("colors", 1, len(COLORS))
        self.require_span("boxes_per_color", 1, 5)


class BoxNetCurriculum(SymbenchCurriculum):
    config_cls = BoxNetConfig
    definitions = (
        span("rows", [1, 2, 3, 4], "rows of the grid"),
        span("cols", [2, 3, 4, 6], "columns of the grid"),
        span("boxes_per_color", [1, 2, 3, 4], "boxes (and targets) of each colour"),
    )


def key(row: int, col: int) -> str:
    """CodeSteer's square key, e.g. '0.5_1.5' for row 0, column 1."""
    return f"{row + 0.5}_{col + 0.5}"


def neighbours(rows: int, cols: int, row: int, col: int) -> list[tuple[int, int]]:
    """Adjacent squares in CodeSteer's order: up, down, left, right."""
    steps = [(row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)]
    return [(r, c) for r, c in steps if 0 <= r < rows and 0 <= c < cols]


def render(rows: int, cols: int, grid: dict[str, list[str]]) -> str:
    lines = []
    for r in range(rows):
        for c in range(cols):
            items = grid[key(r, c)]
            actions = []
            for box in (item for item in items if item.startswith("box_")):
                actions += [f"move({box}, square[{nr + 0.5}, {nc + 0.5}])" for nr, nc in neighbours(rows, cols, r, c)]
                if "target_" + box[4:] in items:
                    actions.append(f"move({box}, target_{box[4:]})")
            lines.append(f"Agent[{r + 0.5}, {c + 0.5}]: I am in square[{r + 0.5}, {c + 0.5}], I can observe {items}, "
                         f"I can do {actions}\n")
    return (INTRO + "Surround the answer with <<<content>>>. \n\n    The current left boxes and agents are:\n    "
            + "".join(lines) + "\n\n    " + OUTRO)


def square(x: str, y: str, rows: int, cols: int) -> tuple[int, int]:
    """Grid indices of the square centred at (x, y); Incorrect unless that is a square of this grid."""
    row, col = float(x) - 0.5, float(y) - 0.5
    if not (row.is_integer() and col.is_integer() and 0 <= row < rows and 0 <= col < cols):
        raise Incorrect(f"[{x}, {y}] is not a square of the {rows}x{cols} grid")
    return int(row), int(col)


def no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) < len(keys):
        raise Incorrect("an agent appears twice in one step (one action per agent per step)")
    return dict(pairs)


def parse_steps(answer: str) -> list[dict]:
    """The JSON list of step dicts; single quotes are accepted (the plan's strings never contain quotes)."""
    if len(answer) > MAX_ANSWER_CHARS:
        raise Incorrect("answer too long")
    try:
        steps = json.loads(answer, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError:
        try:
            steps = json.loads(answer.replace("'", '"'), object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError:
            raise Incorrect("the plan is not a JSON list of {\"Agent[x, y]\": \"move(...)\"} dicts") from None
    if isinstance(steps, dict):
        steps = [steps]  # a one-step plan without the enclosing list
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise Incorrect("the plan is not a JSON list of {\"Agent[x, y]\": \"move(...)\"} dicts")
    return steps


def assign_targets(grid: dict[str, list[str]], rows: int, cols: int) -> list[tuple[str, tuple, tuple]]:
    """Pair every box with a distinct target of its colour, nearest pairs first: (colour, box, target)."""
    places: dict[str, dict[str, list[tuple[int, int]]]] = {}
    for r in range(rows):
        for c in range(cols):
            for item in grid[key(r, c)]:
                kind, _, color = item.partition("_")
                places.setdefault(color, {"box": [], "target": []})[kind].append((r, c))
    pairs = []
    for color, found in places.items():
        if len(found["box"]) != len(found["target"]):
            raise ValueError(f"{len(found['box'])} {color} boxes but {len(found['target'])} {color} targets")
        candidates = sorted(
            (abs(b[0] - t[0]) + abs(b[1] - t[1]), i, j)
            for i, b in enumerate(found["box"]) for j, t in enumerate(found["target"])
        )
        used_boxes, used_targets = set(), set()
        for _, i, j in candidates:
            if i not in used_boxes and j not in used_targets:
                used_boxes.add(i)
                used_targets.add(j)
                pairs.append((color, found["box"][i], found["target"][j]))
    return pairs


def route(r: int, c: int, tr: int, tc: int) -> list[tuple[int, int]]:
    """The squares a box passes on its way from (r, c) to (tr, tc): along its column, then along the row."""
    squares = []
    while r != tr:
        r += 1 if tr > r else -1
        squares.append((r, c))
    while c != tc:
        c += 1 if tc > c else -1
        squares.append((r, c))
    return squares


class BoxNetDataset(SymbenchDataset):
    name = "boxnet"
    config_cls = BoxNetConfig
    curriculum_cls = BoxNetCurriculum
    codesteer = ("BoxNet1_dataset*/env_pg_state_*/pg_state*/pg_state*.json",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> tuple[int, int] | None:
            rows, cols = rng.randint(c.min_rows, c.max_rows), rng.randint(c.min_cols, c.max_cols)
            return (rows, cols) if rows * cols >= 2 else None

        rows, cols = self.redraw(draw, "grid of two squares or more")
        grid: dict[str, list[str]] = {key(r, col): [] for r in range(rows) for col in range(cols)}
        for color in COLORS[: c.colors]:
            for _ in range(rng.randint(c.min_boxes_per_color, c.max_boxes_per_color)):
                grid[key(rng.randrange(rows), rng.randrange(cols))].append("box_" + color)
                grid[key(rng.randrange(rows), rng.randrange(cols))].append("target_" + color)
        return render(rows, cols, grid), {"rows": rows, "cols": cols, "grid": grid}

    def check(self, answer: str, metadata: dict) -> None:
        rows, cols = metadata["rows"], metadata["cols"]
        state = {k: list(v) for k, v in metadata["grid"].items()}
        for number, step in enumerate(parse_steps(answer), 1):
            arrivals, acted = [], set()
            for agent, action in step.items():
                where = AGENT.fullmatch(agent)
                what = ACTION.fullmatch(action) if isinstance(action, str) else None
                if not where:
                    raise Incorrect(f"step {number}: {agent[:40]!r} is not an agent key like 'Agent[0.5, 1.5]'")
                if not what:
                    raise Incorrect(f"step {number}: {str(action)[:50]!r} is not an action like 'move(box_red, ...)'")
                r, c = square(*where.groups(), rows, cols)
                if (r, c) in acted:  # e.g. "Agent[0.5, 0.5]" and "Agent[0.5,0.5]" in one step
                    raise Incorrect(f"step {number}: the agent in square[{r + 0.5}, {c + 0.5}] acts twice")
                acted.add((r, c))
                color, x, y, target = what.groups()
                here = state[key(r, c)]
                if "box_" + color not in here:
                    raise Incorrect(f"step {number}: there is no box_{color} in square[{r + 0.5}, {c + 0.5}]")
                if target is not None:
                    if target != color:
                        raise Incorrect(f"step {number}: box_{color} cannot go to target_{target}")
                    if "target_" + color not in here:
                        raise Incorrect(f"step {number}: there is no target_{color} in square[{r + 0.5}, {c + 0.5}]")
                    here.remove("target_" + color)
                else:
                    nr, nc = square(x, y, rows, cols)
                    if abs(nr - r) + abs(nc - c) != 1:
                        raise Incorrect(f"step {number}: square[{x}, {y}] is not adjacent to the agent's square")
                    arrivals.append((key(nr, nc), "box_" + color))
                here.remove("box_" + color)
            for place, box in arrivals:  # boxes land after the step, so no one can act on them within it
                state[place].append(box)
        left = [f"{item} in square[{k.replace('_', ', ')}]" for k, items in state.items() for item in items
                if item.startswith("box_")]
        if left:
            raise Incorrect(f"{len(left)} boxes are not on their targets, e.g. {left[0]}")

    def solve(self, metadata: dict) -> str:
        """Route each box to its paired target (rows first, then columns); every step, each square's agent
        acts on one box that was in its square at the start of the step."""
        rows, cols = metadata["rows"], metadata["cols"]
        boxes = []  # [colour, position, remaining route]
        for color, (r, c), (tr, tc) in assign_targets(metadata["grid"], rows, cols):
            boxes.append([color, (r, c), route(r, c, tr, tc)])
        steps = []
        while boxes:
            step, busy = {}, set()
            for box in boxes:
                color, (r, c), squares = box
                if (r, c) in busy:
                    continue
                busy.add((r, c))
                agent = f"Agent[{r + 0.5}, {c + 0.5}]"
                if squares:
                    nr, nc = squares.pop(0)
                    step[agent] = f"move(box_{color}, square[{nr + 0.5}, {nc + 0.5}])"
                    box[1] = (nr, nc)
                else:
                    step[agent] = f"move(box_{color}, target_{color})"
                    box[1] = None
            boxes = [box for box in boxes if box[1] is not None]
            steps.append(step)
        return json.dumps(steps)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Leave out the last action: its box is then never matched (changing a digit may stay valid)."""
        steps = parse_steps(answer)
        steps[-1].popitem()
        return json.dumps([step for step in steps if step])

    @classmethod
    def read_original(cls, path: Path) -> tuple[str, dict]:
        """`BoxNet1_dataset*/env_pg_state_<rows>_<cols>/pg_state<i>/pg_state<i>.json`: CodeSteer's grid dict
        (`"0.5_1.5": ["box_red", "target_blue", ...]`). No published plans."""
        rows, cols = (int(n) for n in path.parent.parent.name.removeprefix("env_pg_state_").split("_"))
        grid = json.loads(path.read_text())
        if set(grid) != {key(r, c) for r in range(rows) for c in range(cols)}:
            raise ValueError("the squares do not match the grid size in the folder name")
        assign_targets(grid, rows, cols)  # every box has a target of its colour
        return render(rows, cols, grid), {"rows": rows, "cols": cols, "grid": grid}
