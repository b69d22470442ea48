"""String splitting: machines A, B and C are dismantled or combined into parts X, Y and Z by five fixed methods,
tried one at a time in cyclic order (1, 2, ..., 5, 1, ...) until none can run; the answer is the final count of
A, B, C, X, Y and Z.

The process is deterministic, so the checker replays it and compares the six counts. Each method has three
wordings in CodeSteer's questions; the wording is drawn at random and does not change the instance."""

import ast
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

ITEMS = ["A", "B", "C", "X", "Y", "Z"]

# (consumed, produced), in method order.
METHODS = [
    ({"A": 1}, {"X": 2, "Y": 1}),
    ({"B": 2}, {"X": 1}),
    ({"C": 2}, {"Y": 1}),
    ({"B": 1, "C": 1}, {"A": 1}),
    ({"X": 1, "Y": 1}, {"Z": 1}),
]

WORDINGS = [
    ["One unit of machine A can be dismantled into two units of part X and one unit of part Y per round.",
     "Dismantling a single machine A yields two part X and one part Y each cycle.",
     "Each round, one machine A breaks down into two part X and one part Y."],
    ["Two units of machine B can be dismantled into one unit of part X per round.",
     "Dismantling two machine B units produces one part X each cycle.",
     "Every round, dismantling two machines B results in one part X."],
    ["Two units of machine C can be dismantled into one unit of part Y per round.",
     "Dismantling two machine C units yields one part Y each cycle.",
     "Each round, two machines C break down into one part Y."],
    ["One unit of machine B and one unit of machine C can be combined into one unit of machine A per round.",
     "Combining one machine B and one machine C results in one machine A each cycle.",
     "Every round, merging one machine B with one machine C creates one machine A."],
    ["One unit of part X and one unit of part Y can be combined into one unit of part Z per round.",
     "Combining one part X with one part Y produces one part Z each cycle.",
     "Each round, one part X and one part Y merge to form one part Z."],
]

# CodeSteer's complexity levels: the range each starting machine count is drawn from.
LEVEL_RANGES = {1: (1, 3), 2: (2, 4), 3: (3, 6), 4: (4, 7), 5: (5, 10)}

INITIAL = re.compile(r"Initially, there are (\d+) units of Machine A, (\d+) units of Machine B, "
                     r"and (\d+) units of Machine C\.")


@dataclass
class StringSplittingConfig(SymbenchConfig):
    min_level: int = 1
    max_level: int = 5

    def validate(self) -> None:
        super().validate()
        self.require_span("level", 1, 5)


class StringSplittingCurriculum(SymbenchCurriculum):
    config_cls = StringSplittingConfig
    definitions = (span("level", list(LEVEL_RANGES), "CodeSteer's level: how many machines there are to start"),)


def render(counts: dict[str, int], wording: list[str]) -> str:
    methods = "".join(f"Method {i}: {text}\n" for i, text in enumerate(wording, 1))
    return (
        "There is a dismantling engineer who has old machines A, B, and C. He discovered that he can obtain a "
        f"batch of new parts X, Y, and Z through the following methods:\n{methods}\n"
        "Xiao Li continuously cycles through these methods in the given order, executing one method at a time. "
        "After Method 5, start again from Method 1. Continue this cycle until no method can be executed. "
        f"Initially, there are {counts['A']} units of Machine A, {counts['B']} units of Machine B, and "
        f"{counts['C']} units of Machine C. How many parts X, Y, and Z can Li ultimately obtain, and how many "
        "machines A, B, and C will remain?\n\n"
        "Generate the answer in the format <<<a string representing the outcome in the order of machines A, B, C, "
        "parts X, Y, Z>>>. For example, if Machine A has 1 unit, Machine B has 0 units, Machine C has 1 unit, "
        "Part X has 1 unit, Part Y has 1 unit, and Part Z has 1 unit, it should be represented as "
        "[\"1\", \"0\", \"1\", \"1\", \"1\", \"1\"].\nYour answer:"
    )


def can_run(method: tuple[dict, dict], counts: dict[str, int]) -> bool:
    return all(counts[k] >= n for k, n in method[0].items())


def split(initial: dict[str, int]) -> list[int]:
    """Final counts in ITEMS order: try the methods in turn, one run each, until none can run."""
    counts = dict.fromkeys(ITEMS, 0) | initial
    turn = 0
    while any(can_run(m, counts) for m in METHODS):
        method = METHODS[turn % len(METHODS)]
        if can_run(method, counts):
            for k, n in method[0].items():
                counts[k] -= n
            for k, n in method[1].items():
                counts[k] += n
        turn += 1
    return [counts[k] for k in ITEMS]


def parse_counts(answer: str) -> list[int]:
    """A list like ["1", "0", ...] (strings or integers), or six bare numbers separated by spaces or commas."""
    text = answer.strip()
    if text.startswith("["):
        try:
            values = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError):
            raise Incorrect("the answer is not a valid list") from None
        if not isinstance(values, list):
            raise Incorrect("the answer is not a list")
    else:
        values = [t for t in re.split(r"[\s,]+", text) if t]
    if len(values) != len(ITEMS):
        raise Incorrect(f"expected {len(ITEMS)} counts (A, B, C, X, Y, Z), got {len(values)}")
    counts = []
    for v in values:
        v = v.strip() if isinstance(v, str) else v
        if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 6:
            v = int(v)
        if type(v) is not int or v < 0:
            raise Incorrect(f"{v!r} is not a non-negative integer count")
        counts.append(v)
    return counts


class StringSplittingDataset(SymbenchDataset):
    name = "string_splitting"
    config_cls = StringSplittingConfig
    curriculum_cls = StringSplittingCurriculum
    codesteer = ("string_splitting/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        low, high = LEVEL_RANGES[rng.randint(self.config.min_level, self.config.max_level)]
        counts = {k: rng.randint(low, high) for k in "ABC"}
        wording = [rng.choice(options) for options in WORDINGS]
        return render(counts, wording), {"initial_counts": counts}

    def check(self, answer: str, metadata: dict) -> None:
        given = parse_counts(answer)
        expected = split(metadata["initial_counts"])
        wrong = [k for k, g, e in zip(ITEMS, given, expected) if g != e]
        if wrong:
            raise Incorrect(f"wrong count for {', '.join(wrong)}")

    def solve(self, metadata: dict) -> str:
        return json.dumps([str(n) for n in split(metadata["initial_counts"])])

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`string_splitting/sample_<i>/`: the starting counts are parsed from question.txt; solution.json has
        the expected list of six counts."""
        question, solution = read_sample(sample)
        match = INITIAL.search(question)
        if not match or "expected_answer" not in solution:
            raise ValueError("cannot parse the starting counts or the expected answer")
        metadata = {"initial_counts": dict(zip("ABC", map(int, match.groups()))),
                    "reference": json.dumps(solution["expected_answer"])}
        return question, metadata


SPLIT_BY_NAME = """
a, b, c, x, y, z = initial["A"], initial["B"], initial["C"], 0, 0, 0
idle = 0  # methods tried in a row that could not run; after all five, nothing can
for method in itertools.cycle(range(1, 6)):
    if method == 1 and a >= 1:
        a, x, y = a - 1, x + 2, y + 1
    elif method == 2 and b >= 2:
        b, x = b - 2, x + 1
    elif method == 3 and c >= 2:
        c, y = c - 2, y + 1
    elif method == 4 and b >= 1 and c >= 1:
        b, c, a = b - 1, c - 1, a + 1
    elif method == 5 and x >= 1 and y >= 1:
        x, y, z = x - 1, y - 1, z + 1
    else:
        idle += 1
        if idle == 5:
            break
        continue
    idle = 0
print(json.dumps([str(n) for n in (a, b, c, x, y, z)]))
"""

SPLIT_BY_VECTORS = """
names = ["A", "B", "C", "X", "Y", "Z"]
# Each method as the change it makes to (A, B, C, X, Y, Z); it can run while no count would go negative.
changes = [(-1, 0, 0, 2, 1, 0), (0, -2, 0, 1, 0, 0), (0, 0, -2, 0, 1, 0), (1, -1, -1, 0, 0, 0), (0, 0, 0, -1, -1, 1)]
counts = [initial.get(name, 0) for name in names]
ran = True
while ran:  # a pass tries each method once, in order; a pass in which none runs ends the work
    ran = False
    for change in changes:
        after = [n + d for n, d in zip(counts, change)]
        if min(after) >= 0:
            counts, ran = after, True
print(json.dumps([str(n) for n in counts]))
"""


def splitting_passes(initial: dict[str, int]) -> str:
    """In words: the rounds through methods 1-5 (one run each where it can), rounds that run the same methods
    taken together, and the counts after them."""
    counts = dict.fromkeys(ITEMS, 0) | initial
    lines = [f"Start: A={counts['A']}, B={counts['B']}, C={counts['C']}, no parts. Going round methods 1-5, "
             "each runs once if it can; the work ends when a whole round runs nothing."]
    groups = []  # [first round, last round, the methods that ran, counts after]
    rounds = 0
    while any(can_run(m, counts) for m in METHODS):
        rounds += 1
        ran = []
        for number, method in enumerate(METHODS, 1):
            if can_run(method, counts):
                ran.append(number)
                for k, n in method[0].items():
                    counts[k] -= n
                for k, n in method[1].items():
                    counts[k] += n
        if groups and groups[-1][2] == ran:
            groups[-1][1], groups[-1][3] = rounds, dict(counts)
        else:
            groups.append([rounds, rounds, ran, dict(counts)])
    for first, last, ran, after in groups:
        which = f"method {ran[0]} runs" if len(ran) == 1 else f"methods {', '.join(map(str, ran))} run"
        when = f"Round {first}" if first == last else f"Rounds {first}-{last}"
        lines.append(f"{when}: {which}{' each round' * (first != last)}; then "
                     + ", ".join(f"{k}={after[k]}" for k in ITEMS) + ".")
    lines.append("No method can run any more.")
    lines.append("So the answer is " + json.dumps([str(counts[k]) for k in ITEMS]))
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `split` on the starting counts; one variable per machine and part with a
    branch per method, stopping after five failures in a row; and each method as a vector of changes, run
    in rounds until a round changes nothing. The worked solution goes round by round."""
    initial = meta(item, "initial_counts")
    data = {"initial": initial}
    return Solution(code=script_with_functions(data, can_run, split,
                                               last="print(json.dumps([str(n) for n in split(initial)]))",
                                               imports="import json"),
                    worked=splitting_passes(initial),
                    alternatives=(script(data, SPLIT_BY_NAME, "import itertools\nimport json"),
                                  script(data, SPLIT_BY_VECTORS, "import json")))
