"""The 84 Reasoning-Gym tasks, through the pinned `reasoning-gym` package and its own `score_answer`.

A task's item stream for our seed s is reasoning-gym's dataset seeded with a hash of (task, s): reasoning-gym
seeds item i with `seed + i`, so raw seeds 0 and 1 would share all but one item. An item is correct only
when reasoning-gym scores it 1.0; anything less scores 0 (the reason gives reasoning-gym's partial score).
"""

import hashlib
import json
from collections import deque
from functools import lru_cache

import reasoning_gym

from r1ci.protocol import ANSWER_INSTRUCTION
from r1ci.tasks.base import Grade, Item, Task

DEFAULT_SIZE = 10_000
# Datasets that precompute `size` items up front, or cap it, get a smaller stream.
SIZE = {"acre": 1_000}
# Where reasoning-gym's defaults give fewer than 200 distinct questions: Tower of Hanoi has only ~90 with
# 3-4 pegs, so we allow up to 6 pegs (more pegs means shorter solutions, not harder ones).
DEFAULTS = {"tower_of_hanoi": {"max_pegs": 6}}


def rg_seed(name: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"rg/{name}/{seed}".encode()).digest()[:4], "big")


class ReasoningGymTask(Task):
    def __init__(self, name: str, split: str, **config):
        super().__init__("rg", name, split)
        self.config = {**DEFAULTS.get(name, {}), **config}  # difficulty knobs of the dataset's config class

    @lru_cache(maxsize=8)
    def dataset(self, seed: int):
        size = self.config.get("size", SIZE.get(self.name, DEFAULT_SIZE))
        return reasoning_gym.create_dataset(self.name, **{**self.config, "seed": rg_seed(self.name, seed), "size": size})

    def item(self, index: int, seed: int = 0) -> Item:
        dataset = self.dataset(seed)
        if not 0 <= index < len(dataset):
            raise IndexError(f"{self.id} streams {len(dataset)} items per seed; index {index} is out of range")
        entry = dataset[index]
        answer = entry["answer"] if entry["answer"] is not None else solve(self.name, entry)
        return {"id": f"{self.id}/{seed}/{index}", "task": self.id,
                "question": f"{entry['question'].rstrip()}\n\n{ANSWER_INSTRUCTION}",
                "answer": answer, "metadata": entry["metadata"]}

    def _grade(self, answer: str, item: Item) -> Grade:
        if self.name == "game_of_life_halting":
            # reasoning-gym 0.1.25 scores `bool(answer) == bool(expected)`, so any non-empty answer passes.
            if answer.strip().lower() == item["answer"].strip().lower():
                return Grade(1.0, "correct")
            return Grade(0.0, f"expected {item['answer']}")
        entry = {"question": item["question"], "answer": item["answer"], "metadata": item["metadata"]}
        score = float(self.dataset(0).score_answer(answer, entry) or 0.0)
        if score >= 1.0:
            return Grade(1.0, "correct")
        # Binary like every other task (and the paper's reward); reasoning-gym's format credit is only reported.
        return Grade(0.0, f"incorrect (reasoning-gym partial score {score:.2f})" if score > 0 else "incorrect")


    def wrong_answer(self, item: Item) -> str:
        """The answer of a nearby item of the same stream that differs from this one: well-formed, and wrong.

        (A changed digit is too weak here: many reasoning-gym scorers accept near values or ignore no-op moves.)
        """
        if self.name == "rush_hour":  # blocked slides are no-ops, so other plans may solve; stopping short cannot
            return " ".join(item["answer"].split()[:-1]) or "A-1"
        if self.name == "graph_color":  # another valid colouring may exist: copy a neighbour's colour instead
            u, v = item["metadata"]["puzzle"]["edges"][0]
            colors = json.loads(item["answer"])
            return json.dumps({**colors, str(v): colors[str(u)]})
        if self.name == "propositional_logic":  # contradictory premises entail anything but foreign variables
            return f"({item['answer']} ∧ Z)"
        if self.name == "sokoban":
            return item["answer"][:-1]
        seed, index = (int(x) for x in item["id"].split("/")[-2:])
        for other in range(index + 1, index + 50):
            answer = self.item(other % len(self.dataset(seed)), seed)["answer"]
            if answer.strip() != item["answer"].strip():
                return answer
        return super().wrong_answer(item)


# Reference solutions for the datasets whose items carry no single answer -------------------------------


def solve(name: str, entry: dict) -> str:
    metadata = entry["metadata"]
    if name == "graph_color":
        return json.dumps({str(v): c for v, c in metadata["possible_answer"].items()})
    if name == "propositional_logic":
        return metadata["example_answer"]
    if name == "rush_hour":
        return solve_rush_hour(metadata["board_config"])
    raise ValueError(f"rg/{name}: item has no answer and r1ci has no solver for it")


def solve_rush_hour(config: str, width: int = 6) -> str:
    """Shortest plan (a slide of any length is one move) for reasoning-gym's Rush Hour board string.

    Pieces are named A, B, ... in the sorted order of their labels in `config` ('o' empty, 'x' wall), as
    reasoning-gym's own simulator names them; piece A must reach the right edge of its row.
    """
    labels = sorted({c for c in config if c not in "ox"})
    cells = {label: [i for i, c in enumerate(config) if c == label] for label in labels}
    sizes = [len(cells[label]) for label in labels]
    strides = [cells[label][1] - cells[label][0] for label in labels]
    walls = {i for i, c in enumerate(config) if c == "x"}
    start = tuple(cells[label][0] for label in labels)
    goal = (start[0] // width) * width + width - sizes[0]

    def occupied(state: tuple[int, ...]) -> set[int]:
        taken = set(walls)
        for pos, size, stride in zip(state, sizes, strides):
            taken.update(pos + k * stride for k in range(size))
        return taken

    def slides(state: tuple[int, ...]):
        taken = occupied(state)
        for i, (pos, size, stride) in enumerate(zip(state, sizes, strides)):
            for direction in (1, -1):
                steps, head = 0, pos + (size * stride if direction > 0 else -stride)
                while True:
                    in_line = (head // width == pos // width) if stride == 1 else 0 <= head < width * width
                    if not (0 <= head < width * width and in_line) or head in taken:
                        break
                    steps += 1
                    yield i, direction * steps, state[:i] + (pos + direction * steps * stride,) + state[i + 1 :]
                    head += direction * stride

    parent: dict[tuple, tuple | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state[0] == goal:
            moves = []
            while parent[state] is not None:
                state, move = parent[state]
                moves.append(move)
            return " ".join(moves[::-1])
        for i, delta, nxt in slides(state):
            if nxt not in parent:
                parent[nxt] = (state, f"{chr(65 + i)}{delta:+d}")
                queue.append(nxt)
    raise ValueError("rush hour board has no solution")
