"""The 84 Reasoning-Gym tasks, through the pinned `reasoning-gym` package and its own `score_answer`.

A task's item stream for our seed s is reasoning-gym's dataset seeded with a hash of (task, s): reasoning-gym
seeds item i with `seed + i`, so raw seeds 0 and 1 would share all but one item. An item is correct only
when reasoning-gym scores it 1.0; anything less scores 0 (the reason gives reasoning-gym's partial score).

Where reasoning-gym's scorer would pay for an answer that skips the work, r1ci refuses that answer first:
a countdown answer is the item's numbers, each once, with + - * / and parentheses, equal to the target exactly
(reasoning-gym checks the literals and a value within 1e-5 of it, so `(n1+...)*(E-E) + floor(E)` passed);
integration answers hold no `Integral` (whose derivative is its integrand); a complex_arithmetic answer must be
a finite number (reasoning-gym gives `nan` 1.0). Not here: tasks whose questions admit trivially valid
answers by design (propositional_logic accepts a restated premise, as its own example answers are).
"""

import ast
import builtins
import cmath
import hashlib
import json
from collections import deque
from functools import cached_property, lru_cache

import reasoning_gym

from r1ci.protocol import ANSWER_INSTRUCTION
from r1ci.tasks.base import Grade, Item, Task
from r1ci.tasks.rg_teacher import WRITERS
from r1ci.tasks.symbench.base import Incorrect
from r1ci.tasks.symbench.game24 import check_expression
from r1ci.tasks.teaching import Writer

DEFAULT_SIZE = 10_000
# These scorers hand the answer to sympy's parse_expr, which runs it as Python. Grading runs in a sandbox
# (r1ci/grading.py), but an answer that ran could still print a forged grade there, so they only ever see an
# answer that is a plain formula (`plain_formula`): numbers, symbols, arithmetic and known math functions.
# Countdown answers must be more than that: `check_expression`'s arithmetic on the item's numbers.
SYMPY_SCORERS = {"countdown", "intermediate_integration", "polynomial_multiplication", "simple_integration"}
# These scorers `eval` the answer only to give a list-shaped answer 0.1; r1ci scores anything below 1.0 as 0,
# so they are graded by their exact-match rule alone and never evaluate anything.
EXACT_ONLY = {"binary_matrix": lambda answer, oracle: answer == oracle,
              "spiral_matrix": lambda answer, oracle: answer.strip() == oracle.strip()}
# What an antiderivative or a polynomial is written with; nothing that computes the answer for it (`Integral`,
# whose derivative is the integrand) or turns nothing into a number (`floor`, `sign`, `oo`).
FUNCTIONS = {"sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan", "acot", "sinh", "cosh", "tanh",
             "coth", "asinh", "acosh", "atanh", "exp", "log", "ln", "sqrt", "cbrt", "Abs", "abs", "erf", "Rational"}
CONSTANTS = {"pi", "E", "C"}
OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitXor, ast.UAdd, ast.USub)
# Datasets that precompute `size` items up front, or cap it, get a smaller stream.
SIZE = {"acre": 1_000}
# Where reasoning-gym's defaults give fewer than 200 distinct questions: Tower of Hanoi has only ~90 with
# 3-4 pegs, so we allow up to 6 pegs (more pegs means shorter solutions, not harder ones).
DEFAULTS = {"tower_of_hanoi": {"max_pegs": 6}}


class SortedLetters(frozenset):
    """A set that iterates in sorted order, and stays one under `-`. reasoning-gym draws letters with
    `rng.choice(list(letters))` from a set of strings, whose order changes with Python's hash seed, so the
    same seed gave other questions in every process (isomorphic_strings, ransom_note)."""

    def __iter__(self):
        return iter(sorted(frozenset.__iter__(self)))

    def __sub__(self, other):
        return SortedLetters(frozenset.__sub__(self, other))


def make_deterministic(name: str, dataset):
    """Items that depend only on the seed, not on the process's hash seed (tests/test_rg_tasks.py checks all 84)."""
    if hasattr(dataset, "letters") and isinstance(dataset.letters, (set, frozenset)):
        dataset.letters = SortedLetters(dataset.letters)
    if name == "polynomial_multiplication":  # sympy's itermonomials returns a set
        import sympy

        unordered = dataset._get_monomials
        dataset._get_monomials = lambda rng: sorted(unordered(rng), key=sympy.default_sort_key)
    return dataset


def rg_seed(name: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"rg/{name}/{seed}".encode()).digest()[:4], "big")


class ReasoningGymTask(Task):
    def __init__(self, name: str, split: str, **config):
        super().__init__("rg", name, split)
        self.config = {**DEFAULTS.get(name, {}), **config}  # difficulty knobs of the dataset's config class

    @lru_cache(maxsize=8)
    def dataset(self, seed: int):
        size = self.config.get("size", SIZE.get(self.name, DEFAULT_SIZE))
        dataset = reasoning_gym.create_dataset(self.name, **{**self.config, "seed": rg_seed(self.name, seed),
                                                             "size": size})
        return make_deterministic(self.name, dataset)

    @property
    def teacher(self) -> Writer | None:
        return WRITERS.get(self.name)

    @cached_property
    def scorer(self):
        """The dataset whose `score_answer` grades (any seed's would do): kept for the task's lifetime, so the
        grading pool builds it once, before it forks (`dataset`'s cache holds only the last 8 of all tasks)."""
        return self.dataset(0)

    def item(self, index: int, seed: int = 0) -> Item:
        dataset = self.dataset(seed)
        if not 0 <= index < len(dataset):
            raise IndexError(f"{self.id} streams {len(dataset)} items per seed; index {index} is out of range")
        entry = dataset[index]
        answer = entry["answer"] if entry["answer"] is not None else solve(self.name, entry)
        if self.name == "intermediate_integration" and "Integral" in answer:
            answer = antiderivative(entry["metadata"])
        return {"id": f"{self.id}/{seed}/{index}", "task": self.id,
                "question": f"{entry['question'].rstrip()}\n\n{ANSWER_INSTRUCTION}",
                "answer": answer, "metadata": entry["metadata"]}

    def _grade(self, answer: str, item: Item) -> Grade:
        if self.name == "game_of_life_halting":
            # reasoning-gym 0.1.25 scores `bool(answer) == bool(expected)`, so any non-empty answer passes.
            if answer.strip().lower() == item["answer"].strip().lower():
                return Grade(1.0, "correct")
            return Grade(0.0, f"expected {item['answer']}")
        if self.name in EXACT_ONLY:
            if EXACT_ONLY[self.name](answer, item["answer"]):
                return Grade(1.0, "correct")
            return Grade(0.0, "incorrect")
        if self.name in SYMPY_SCORERS and (why := plain_formula(answer, item["metadata"].get("variable"))):
            return Grade(0.0, f"not a plain formula ({why}); this task's scorer only takes formulas")
        if self.name == "countdown":
            try:
                check_expression(answer, item["metadata"]["numbers"], item["metadata"]["target"], negation=True)
            except Incorrect as exc:
                return Grade(0.0, str(exc))
        if self.name == "complex_arithmetic":
            value = self.scorer.parse_string_to_complex(answer)
            if value is not None and not cmath.isfinite(value):
                return Grade(0.0, f"not a finite number ({value})")
        entry = {"question": item["question"], "answer": item["answer"], "metadata": item["metadata"]}
        score = float(self.scorer.score_answer(answer, entry) or 0.0)
        if score >= 1.0:
            return Grade(1.0, "correct")
        # Binary like every other task (and the paper's reward); reasoning-gym's format credit is only reported.
        return Grade(0.0, f"incorrect (reasoning-gym partial score {score:.2f})" if score > 0 else "incorrect")

    def wrong_answer(self, item: Item) -> str:
        """A well-formed wrong answer: by default the answer of a nearby item that differs from this one.

        (A changed digit is too weak here: many reasoning-gym scorers accept near values or ignore no-op moves.)
        """
        if self.name in WRONG_ANSWERS:
            return WRONG_ANSWERS[self.name](item)
        seed, index = (int(x) for x in item["id"].split("/")[-2:])
        for other in range(index + 1, index + 50):
            answer = self.item(other % len(self.dataset(seed)), seed)["answer"]
            if answer.strip() != item["answer"].strip():
                return answer
        return super().wrong_answer(item)


def plain_formula(answer: str, variable: str | None = None) -> str | None:
    """Why `answer` is not a plain formula, or None when it is one.

    A plain formula is what sympy's parser may run without acting: numbers, names that become symbols,
    arithmetic, and calls of `FUNCTIONS` by name. An allowlist over the syntax tree, not a filter over the
    text: no attribute, subscript, string, keyword, lambda or comprehension can appear, and no name that
    the parser would resolve to a Python builtin or a sympy object other than the known functions.
    """
    try:
        tree = ast.parse(answer.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"cannot parse it: {type(exc).__name__}"
    reserved = reserved_names()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS) or node.keywords:
                return "calls something other than a math function"
        elif isinstance(node, ast.Name):
            if node.id.startswith("_") or (node.id in reserved and node.id not in FUNCTIONS | CONSTANTS
                                           and node.id != variable):
                return f"uses the name {node.id!r}"
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, complex)) or isinstance(node.value, bool):
                return "holds a constant that is not a number"
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Load, *OPERATORS)):
            return f"holds a {type(node).__name__}"
    return None


@lru_cache(maxsize=1)
def reserved_names() -> frozenset[str]:
    """Names sympy's parser resolves to an object (sympy's namespace and Python's builtins), not a symbol."""
    import sympy

    return frozenset(dir(sympy)) | frozenset(dir(builtins))


def _one_step_short(item: Item) -> str:
    """Plans whose blocked or wasted moves are ignored can be replaced by others, but stopping short fails."""
    moves = item["answer"].split("\n") if "\n" in item["answer"] else item["answer"].split()
    return ("\n" if "\n" in item["answer"] else " ").join(moves[:-1]) or "A-1"


def _colour_clash(item: Item) -> str:
    """Another valid colouring may exist: give an edge's ends one colour, or use a colour not on offer."""
    puzzle, colors = item["metadata"]["puzzle"], json.loads(item["answer"])
    if puzzle["edges"]:
        u, v = puzzle["edges"][0]
        return json.dumps({**colors, str(v): colors[str(u)]})
    return json.dumps({**colors, "0": max(puzzle["color_options"]) + 1})


WRONG_ANSWERS = {
    "rush_hour": _one_step_short,
    "jugs": lambda item: json.dumps(json.loads(item["answer"])[:-1]),
    "sokoban": lambda item: item["answer"][:-1] or "U",
    "graph_color": _colour_clash,
    # contradictory premises entail any conclusion, but never one with a variable the premises lack
    "propositional_logic": lambda item: f"({item['answer']} ∧ Z)",
    # two items can share an integrand; adding x changes the derivative of any answer
    "simple_integration": lambda item: f"{item['answer']} + {item['metadata']['variable']}",
}


# Reference solutions for the datasets whose items carry no single answer, or a wrong one ----------------


def antiderivative(metadata: dict) -> str:
    """The answer of an intermediate_integration item whose stored one is an unevaluated `Integral`: reasoning-gym
    builds those integrands' sin and cos as undefined functions (`sympy.Function("sin")`), which sympy cannot
    integrate; read back from the question's text they are the real ones."""
    import sympy

    x = sympy.Symbol(metadata["variable"])
    integrand = sympy.parse_expr(metadata["integrand"], local_dict={metadata["variable"]: x})
    return f"{sympy.integrate(integrand, x)} + C"


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
