"""BoxLift: lifters with given capacities lift boxes with given weights in steps; in one step each lifter
helps lift at most one box, and lifters may team up on a heavy box. The plan must lift every box within the
step budget stated in the question (CodeSteer's greedy estimate). Any such plan is accepted: the checker
replays it step by step, and rejects any assignment that names a box that is not left, reuses a lifter
within a step, or is too weak for its box (CodeSteer's checker skipped such assignments and judged the rest).
"""

import ast
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, span

MAX_ANSWER_CHARS = 20_000
STEP = re.compile(r"step\s*\d*\s*:", re.IGNORECASE)
EXAMPLE_MEANING = (
    "This means in Step 1, lifters 0 and 2 are lifting a box weighing 50, lifter 1 is lifting a box weighing 30, "
    "and lifter 3 is lifting a box weighing 20."
)


@dataclass
class BoxLiftConfig(SymbenchConfig):
    """CodeSteer's four sizes are levels 1-4: level L has 5+5L boxes (plus 0-1) weighing 10L..100L and 2+L
    lifters (plus 0-1) of capacity 30+10L..40+40L; every box is within the lifters' combined capacity."""

    min_level: int = 1
    max_level: int = 4

    def validate(self) -> None:
        super().validate()
        self.require_span("level", 1, 10)


class BoxLiftCurriculum(SymbenchCurriculum):
    config_cls = BoxLiftConfig
    definitions = (span("level", [1, 2, 3, 4, 6, 8], "size level: more and heavier boxes, more lifters"),)


def render(boxes: list[int], lifters: list[int], max_steps: int) -> str:
    """CodeSteer's BoxLift prompt (benchmark version)."""
    return f"""Task: BoxLift

You are given a list of boxes with the following weights: {boxes}
And a list of lifters with the following maximum lifting capacities: {lifters}

Your task is to assign the lifters to lift all the boxes in multiple steps, following these rules:
1. Multiple boxes can be lifted in each step.
2. Each lifter can only lift one box at a time.
3. Each lifting agent can be used only once in each step.
4. Multiple lifters can combine together to lift one box if the box is too heavy for a single lifter.
5. Try to lift all the boxes using the minimum number of steps possible.
6. You need to lift all the boxes in less than or equal to {max_steps} steps.

Please provide your solution in the following format:
Step 1: [(Box weight, [Lifter indices]), (Box weight, [Lifter indices]), ...]
Step 2: [(Box weight, [Lifter indices]), (Box weight, [Lifter indices]), ...]
...

For example:
Step 1: [(50, [0, 2]), (30, [1]), (20, [3])]
{EXAMPLE_MEANING}

Surround the answer with <<<content>>>.

For example, <<<Step 1: [(50, [0, 2]), (30, [1]), (20, [3])]
Step 2: [(40, [0, 1]), (20, [2]), (20, [3])]
Step 3:...>>>

Ensure all boxes are lifted and provide the most efficient solution possible.

Your answer:

"""


def greedy_plan(boxes: list[int], lifters: list[int]) -> list[list[tuple[int, list[int]]]]:
    """CodeSteer's step estimate, as a plan: each step takes the boxes heaviest first and lifts each one it
    can with the first free lifters (in index order) whose capacities add up to its weight."""
    remaining = sorted(boxes, reverse=True)
    if remaining and remaining[0] > sum(lifters):
        raise ValueError(f"box {remaining[0]} is heavier than all lifters together")
    plan = []
    while remaining:
        free = list(range(len(lifters)))
        step, left = [], []
        for box in remaining:
            if free and sum(lifters[i] for i in free) >= box:
                team, strength = [], 0
                while strength < box:
                    team.append(free.pop(0))
                    strength += lifters[team[-1]]
                step.append((box, team))
            else:
                left.append(box)
        plan.append(step)
        remaining = left
    return plan


def format_plan(plan: list[list[tuple[int, list[int]]]]) -> str:
    return "\n".join(f"Step {n}: {[(box, team) for box, team in step]}" for n, step in enumerate(plan, 1))


def parse_plan(answer: str) -> list[list[tuple[int, list[int]]]]:
    """`Step k: [(weight, [lifters]), ...]` lines; each step's list is read with `ast.literal_eval`."""
    if len(answer) > MAX_ANSWER_CHARS:
        raise Incorrect("answer too long")
    text = answer.replace("\\n", "\n").strip()
    parts = STEP.split(text)
    if len(parts) < 2:
        raise Incorrect("no 'Step k: [...]' lines found")
    if parts[0].strip():
        raise Incorrect(f"unexpected text before the first step: {parts[0].strip()[:40]!r}")
    plan = []
    for number, body in enumerate(parts[1:], 1):
        try:
            value = ast.literal_eval(body.strip() or "[]")
        except (ValueError, SyntaxError):
            raise Incorrect(f"step {number} is not a list of (box weight, [lifter indices]) pairs") from None
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int):
            value = [value]  # a single assignment without the enclosing list
        if not isinstance(value, (list, tuple)):
            raise Incorrect(f"step {number} is not a list of (box weight, [lifter indices]) pairs")
        step = []
        for pair in value:
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                raise Incorrect(f"step {number}: {pair!r} is not a (box weight, [lifter indices]) pair")
            weight, team = pair
            team = [team] if isinstance(team, int) else team
            if not isinstance(team, (list, tuple)) or not all(type(i) is int for i in [weight, *team]):
                raise Incorrect(f"step {number}: {pair!r} is not a (box weight, [lifter indices]) pair")
            step.append((weight, list(team)))
        plan.append(step)
    return plan


class BoxLiftDataset(SymbenchDataset):
    name = "boxlift"
    config_cls = BoxLiftConfig
    curriculum_cls = BoxLiftCurriculum
    codesteer = ("BoxLift_dataset*/BoxLift_*/BoxLift*/BoxLift.json",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        level = rng.randint(self.config.min_level, self.config.max_level)
        boxes = [rng.randint(10 * level, 100 * level) for _ in range(5 + 5 * level + rng.randint(0, 1))]
        lifters = [rng.randint(30 + 10 * level, 40 + 40 * level) for _ in range(2 + level + rng.randint(0, 1))]
        max_steps = len(greedy_plan(boxes, lifters))
        return render(boxes, lifters, max_steps), {"boxes": boxes, "lifters": lifters, "max_steps": max_steps}

    def check(self, answer: str, metadata: dict) -> None:
        lifters, max_steps = metadata["lifters"], metadata["max_steps"]
        plan = parse_plan(answer)
        if len(plan) > max_steps:
            raise Incorrect(f"uses {len(plan)} steps, more than the allowed {max_steps}")
        remaining = list(metadata["boxes"])
        for number, step in enumerate(plan, 1):
            used: set[int] = set()
            for weight, team in step:
                if weight not in remaining:
                    raise Incorrect(f"step {number}: there is no box of weight {weight} left to lift")
                if not team:
                    raise Incorrect(f"step {number}: no lifter is assigned to the box of weight {weight}")
                if any(not 0 <= i < len(lifters) for i in team):
                    raise Incorrect(f"step {number}: lifter indices must be in 0..{len(lifters) - 1}")
                if used.intersection(team) or len(set(team)) < len(team):
                    raise Incorrect(f"step {number}: a lifter is used more than once in the step")
                strength = sum(lifters[i] for i in team)
                if strength < weight:
                    raise Incorrect(f"step {number}: lifters {team} (capacity {strength}) cannot lift {weight}")
                used.update(team)
                remaining.remove(weight)
        if remaining:
            raise Incorrect(f"{len(remaining)} boxes are never lifted: {sorted(remaining)}")

    def solve(self, metadata: dict) -> str:
        return format_plan(greedy_plan(metadata["boxes"], metadata["lifters"]))

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Leave out the last assignment: its box is then never lifted (changing a digit may stay valid)."""
        plan = parse_plan(answer)
        plan[-1] = plan[-1][:-1]
        return format_plan(plan)

    @classmethod
    def read_original(cls, path: Path) -> tuple[str, dict]:
        """`BoxLift_dataset*/BoxLift_<boxes>_<lifters>/BoxLift<i>/BoxLift.json` ({"boxes", "lifters"}); the step
        budget is recomputed with CodeSteer's greedy estimate, as its benchmark does. No published plans."""
        data = json.loads(path.read_text())
        boxes, lifters = [int(b) for b in data["boxes"]], [int(c) for c in data["lifters"]]
        max_steps = len(greedy_plan(boxes, lifters))
        return render(boxes, lifters, max_steps), {"boxes": boxes, "lifters": lifters, "max_steps": max_steps}
