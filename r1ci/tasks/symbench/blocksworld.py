"""Blocksworld: rearrange lettered blocks among a fixed set of stacks, one top block at a time, until the
stacks match the goal. Any plan is accepted if replaying it move by move is legal (only a stack's top block
moves, only between existing stacks) and ends in the goal state; stacks the goal does not list must end empty.
"""

import random
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, require, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

MAX_MOVES = 500  # far more than any instance needs; keeps checking fast

MOVE = re.compile(
    r"(?:\d+\s*[.):]\s*)?move\s+(\S+)\s+from\s+(?:stack\s*)?(\S+)\s+to\s+(?:stack\s*)?(\S+?)[.,;]?", re.IGNORECASE
)


@dataclass
class BlocksworldConfig(SymbenchConfig):
    min_blocks: int = 2
    max_blocks: int = 4
    min_stacks: int = 3  # stacks in the initial state
    max_stacks: int = 5
    min_goal_stacks: int = 2  # the goal spreads the blocks over this many of the first stacks, or more
    max_goal_stacks: int = 4

    def validate(self) -> None:
        super().validate()
        self.require_span("blocks", 1, 5, "the solver is a breadth-first search")
        self.require_span("stacks", 2, 6)
        self.require_span("goal_stacks", 1, None)
        require(self.min_goal_stacks <= self.max_stacks, "min_goal_stacks must be at most max_stacks, got "
                f"min_goal_stacks={self.min_goal_stacks!r}, max_stacks={self.max_stacks!r}")


class BlocksworldCurriculum(SymbenchCurriculum):
    config_cls = BlocksworldConfig
    definitions = (
        span("blocks", [2, 3, 4, 5], "blocks to rearrange"),
        span("stacks", [3, 4, 5, 6], "stacks in the initial state"),
    )


def render(initial: dict[str, list[str]], goal: dict[str, list[str]]) -> str:
    """CodeSteer's prompt (the benchmark version, with its wording kept as is)."""
    lines = ["Blocksworld Task:\n\nInitial State:\n"]
    lines += [f"{stack}: {' '.join(blocks)}\n" for stack, blocks in initial.items()]
    lines.append("\nGoal State:\n")
    lines += [f"{stack}: {' '.join(blocks)}\n" for stack, blocks in goal.items()]
    return "".join(lines) + (
        "\nPlease provide a series of moves to reach the goal state. You can only move one block at a time. "
        "And that box should be the top box of the stack. Note that from the left to the right in each stack is "
        "the order from the bottom to the top of boxes. For example, in stack A B C D, A is the bottom box and D "
        "is the top box so that you can only move D in this case. ***Be careful that you can only pick up the top "
        "box in each stack. Check this rule before your move!***. \nEach move should be in the format: "
        "'Move [block] from [source] to [destination]'. You cannot create new stacks but only move among the "
        "existing stacks. Separate each move with a newline. Surround the answer with <<<content>>>. Answer with "
        "the required format like the example: <<<Move B from 2 to table\nMove A from 1 to 2\nMove C from 3 to 1\n"
        "Move D from 3 to 2\nMove B from 1 to 2>>>\nEach action should be separated by separate line. "
        "Your answer: \n"
    )


def goal_tuple(initial: dict[str, list[str]], goal: dict[str, list[str]]) -> tuple[tuple[str, ...], ...]:
    """The goal as one tuple per initial stack; stacks the goal leaves out must be empty."""
    return tuple(tuple(goal.get(stack, [])) for stack in initial)


def stack_name(token: str, stacks: list[str]) -> str:
    name = token if token.lower().startswith("stack") else f"stack{token}"
    if name not in stacks:
        if token.lower() == "table":
            raise Incorrect("'table' is not a stack: blocks can only move among the existing stacks")
        raise Incorrect(f"there is no stack {token!r}")
    return name


def parse_moves(answer: str, stacks: list[str]) -> list[tuple[str, str, str]]:
    lines = [line.strip() for line in answer.replace("\\n", "\n").splitlines() if line.strip()]
    if not lines:
        raise Incorrect("no moves given")
    if len(lines) > MAX_MOVES:
        raise Incorrect(f"too many moves ({len(lines)} > {MAX_MOVES})")
    moves = []
    for line in lines:
        match = MOVE.fullmatch(line)
        if not match:
            raise Incorrect(f"not a move of the form 'Move [block] from [source] to [destination]': {line[:60]!r}")
        block, source, destination = match.groups()
        moves.append((block, stack_name(source, stacks), stack_name(destination, stacks)))
    return moves


def solve_bfs(initial: tuple[tuple[str, ...], ...], goal: tuple[tuple[str, ...], ...]) -> list[tuple[str, int, int]]:
    """A shortest plan as (block, from index, to index) moves, by breadth-first search over states."""
    parents = {initial: None}
    queue = deque([initial])
    while queue:
        state = queue.popleft()
        if state == goal:
            plan = []
            while parents[state] is not None:
                state, move = parents[state]
                plan.append(move)
            return plan[::-1]
        for i, source in enumerate(state):
            if not source:
                continue
            for j in range(len(state)):
                if j == i:
                    continue
                nxt = list(state)
                nxt[i], nxt[j] = source[:-1], state[j] + source[-1:]
                nxt = tuple(nxt)
                if nxt not in parents:
                    parents[nxt] = (state, (source[-1], i, j))
                    queue.append(nxt)
    raise ValueError("the goal is unreachable (its blocks differ from the initial state's)")


def plan_moves(initial: dict[str, list[str]], goal: dict[str, list[str]]) -> list[str]:
    """A shortest plan as 'Move [block] from [source] to [destination]' lines. Where the stacks already are the
    goal (one published instance), a block moves away and back."""
    start = tuple(tuple(blocks) for blocks in initial.values())
    plan = solve_bfs(start, goal_tuple(initial, goal))
    if not plan:
        i = next(k for k, blocks in enumerate(start) if blocks)
        j = (i + 1) % len(start)
        plan = [(start[i][-1], i, j), (start[i][-1], j, i)]
    numbers = [stack.removeprefix("stack") for stack in initial]  # the prompt's example uses bare numbers
    return [f"Move {block} from {numbers[i]} to {numbers[j]}" for block, i, j in plan]


def parse_task_file(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """`Initial State:` / `Goal State:` sections of `stackN: A B` lines (an empty stack is `stackN: `)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line in ("Initial State:", "Goal State:"):
            current = sections.setdefault(line, {})
        elif line:
            stack, sep, blocks = line.partition(":")
            if current is None or not sep or not stack.startswith("stack"):
                raise ValueError(f"unexpected line {line!r}")
            current[stack.strip()] = blocks.split()
    if set(sections) != {"Initial State:", "Goal State:"}:
        raise ValueError("missing the initial or the goal state")
    return sections["Initial State:"], sections["Goal State:"]


class BlocksworldDataset(SymbenchDataset):
    name = "blocksworld"
    config_cls = BlocksworldConfig
    curriculum_cls = BlocksworldCurriculum
    codesteer = ("Blocksworld_dataset/*/blocksworld_task.txt",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> dict | None:
            count = rng.randint(c.min_blocks, c.max_blocks)
            stacks = rng.randint(c.min_stacks, c.max_stacks)
            goal_stacks = rng.randint(min(c.min_goal_stacks, stacks), min(c.max_goal_stacks, stacks))
            blocks = [chr(ord("A") + i) for i in range(count)]
            initial = {f"stack{i + 1}": [] for i in range(stacks)}
            for block in rng.sample(blocks, count):
                initial[f"stack{rng.randint(1, stacks)}"].append(block)
            goal = {f"stack{i + 1}": [] for i in range(goal_stacks)}
            for block in blocks:
                goal[f"stack{rng.randint(1, goal_stacks)}"].append(block)
            reached = tuple(map(tuple, initial.values())) == goal_tuple(initial, goal)
            return None if reached else {"initial": initial, "goal": goal}  # an empty plan is no puzzle

        metadata = self.redraw(draw, "goal that differs from the initial state")
        return render(metadata["initial"], metadata["goal"]), metadata

    def check(self, answer: str, metadata: dict) -> None:
        state = {stack: list(blocks) for stack, blocks in metadata["initial"].items()}
        for number, (block, source, destination) in enumerate(parse_moves(answer, list(state)), 1):
            if not state[source]:
                raise Incorrect(f"move {number} takes {block} from {source}, which is empty")
            if state[source][-1] != block:
                top = state[source][-1]
                raise Incorrect(f"move {number}: {block} is not the top block of {source} (the top is {top})")
            state[destination].append(state[source].pop())
        if tuple(map(tuple, state.values())) != goal_tuple(metadata["initial"], metadata["goal"]):
            reached = "; ".join(f"{s}: {' '.join(b)}" for s, b in state.items())
            raise Incorrect(f"the final state ({reached}) is not the goal state")

    def solve(self, metadata: dict) -> str:
        return "\n".join(plan_moves(metadata["initial"], metadata["goal"]))

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Repeat the last move: the block it moved is no longer on that source, so the repeat is illegal."""
        return answer + "\n" + answer.splitlines()[-1]

    @classmethod
    def read_original(cls, path: Path) -> tuple[str, dict]:
        """`Blocksworld_dataset/<blocks>_<stacks>_<goal stacks>_<i>/blocksworld_task.txt`; no published plans."""
        initial, goal = parse_task_file(path.read_text())
        return render(initial, goal), {"initial": initial, "goal": goal}


BLOCKSWORLD_CHECK = r"""
stacks = {s.removeprefix("stack"): list(blocks) for s, blocks in initial.items()}
for move in answer.split("\\n"):
    block, source, destination = re.fullmatch(r"Move (\w) from (\w+) to (\w+)", move).groups()
    assert stacks[source] and stacks[source][-1] == block, f"{block} is not on top of stack {source}"
    stacks[destination].append(stacks[source].pop())
assert all(stacks[s.removeprefix("stack")] == goal.get(s, []) for s in initial), "the moves do not reach the goal"
print("check passed")
"""


# Alternatives: A* search, the estimate being the blocks not yet resting on their goal foundation; iterative
# deepening depth-first search, which tries plans of 1, 2, 3, ... moves.
A_STAR = r"""
numbers = [s.removeprefix("stack") for s in initial]
start = tuple(tuple(blocks) for blocks in initial.values())
target = tuple(tuple(goal.get(s, [])) for s in initial)


def misplaced(state):
    # blocks whose stack, from the bottom up to them, differs from the goal's: each must move at least once
    return sum(1 for stack, want in zip(state, target) for k in range(len(stack)) if stack[:k + 1] != want[:k + 1])


frontier = [(misplaced(start), 0, start, [])]
seen = {start: 0}
while frontier:
    _, cost, state, moves = heapq.heappop(frontier)
    if state == target:
        break
    for i, source in enumerate(state):
        for j in range(len(state)):
            if source and j != i:
                nxt = list(state)
                nxt[i], nxt[j] = source[:-1], state[j] + source[-1:]
                nxt = tuple(nxt)
                if nxt not in seen or cost + 1 < seen[nxt]:
                    seen[nxt] = cost + 1
                    step = f"Move {source[-1]} from {numbers[i]} to {numbers[j]}"
                    heapq.heappush(frontier, (cost + 1 + misplaced(nxt), cost + 1, nxt, moves + [step]))
print("\\n".join(moves))
"""
DEEPENING = r"""
names = [s.removeprefix("stack") for s in initial]
target = [goal.get(s, []) for s in initial]


def search(stacks, depth, moves):
    # depth-first: a plan of at most `depth` more moves, undoing each move after trying it
    if stacks == target:
        return True
    if depth == 0:
        return False
    for i, j in itertools.permutations(range(len(stacks)), 2):
        if stacks[i] and not (moves and moves[-1][1:] == (j, i)):  # never undo the move just made
            block = stacks[i].pop()
            stacks[j].append(block)
            moves.append((block, i, j))
            if search(stacks, depth - 1, moves):
                return True
            moves.pop()
            stacks[i].append(stacks[j].pop())
    return False


stacks = [list(initial[s]) for s in initial]
depth, moves = 1, []
while not search(stacks, depth, moves):
    depth += 1
print("\\n".join(f"Move {block} from {names[i]} to {names[j]}" for block, i, j in moves))
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `plan_moves` (a breadth-first search) from the initial stacks to the goal;
    alternatives search by A* or by iterative deepening; its check replays the moves. The worked solution
    names what must change, then makes the moves one by one, writing the stacks after each."""
    initial, goal = meta(item, "initial"), meta(item, "goal")
    data = dict(initial=initial, goal=goal)
    moves = plan_moves(initial, goal)
    stacks = {s.removeprefix("stack"): list(blocks) for s, blocks in initial.items()}

    def layout():
        return "; ".join(f"{name}: {' '.join(blocks) or '(empty)'}" for name, blocks in stacks.items())

    target = "; ".join(f"{s.removeprefix('stack')}: {' '.join(goal.get(s, [])) or '(empty)'}" for s in initial)
    lines = [f"Stacks, bottom to top: {layout()}. Goal: {target}.",
             f"Only top blocks move; the shortest plan takes {len(moves)} moves:"]
    for move in moves:
        _, block, _, source, _, destination = move.split()
        stacks[destination].append(stacks[source].pop())
        lines.append(f"{move}: {layout()}.")
    lines.append("The stacks now match the goal. So the answer is " + "\\n".join(moves))
    return Solution(
        code=script_with_functions(
            data, solve_bfs, goal_tuple, plan_moves,
            last=r'print("\\n".join(plan_moves(initial, goal)))  # one line: the moves separated by \n'),
        check=script(data, BLOCKSWORLD_CHECK, "import re"),
        alternatives=(script(data, A_STAR, "import heapq"), script(data, DEEPENING, "import itertools")),
        worked="\n".join(lines))
