"""Synthesis and decomposition: a farmer cycles through exchange methods in order (crops A, B, C into
products X, Y), applying each one when he has its inputs, until none applies; give what remains, as
`[remaining_A, remaining_B, (remaining_C,) obtained_X(, obtained_Y)]`. The checker runs the cycle itself
and compares every amount."""

import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import expect_count, list_items
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob,
                                      read_sample, span)
from r1ci.tasks.teaching import Solution, found, script, script_with_functions

CROPS = ("A", "B", "C")
MAX_STEPS = 10_000  # CodeSteer's recipes always stop (crops A and B are never produced); this guards others

# CodeSteer's three recipe books, easiest first, with the range of each crop's initial amount.
BOOKS = [
    ({"A": (3, 6), "B": (2, 4)},
     [({"A": 1, "B": 1}, {"X": 1}), ({"A": 3}, {"X": 2})]),
    ({"A": (4, 8), "B": (3, 6), "C": (2, 5)},
     [({"A": 1, "B": 1, "C": 1}, {"X": 1}), ({"A": 1, "B": 1}, {"C": 2}), ({"C": 2}, {"X": 1})]),
    ({"A": (5, 8), "B": (2, 4), "C": (4, 7)},
     [({"A": 2, "B": 1, "C": 1}, {"X": 3}), ({"A": 1, "B": 1}, {"C": 2}), ({"C": 2, "X": 1}, {"Y": 1}),
      ({"A": 1, "X": 2}, {"Y": 1})]),
]


@dataclass
class SynthesisDecompositionConfig(SymbenchConfig):
    min_level: int = 1  # which of CodeSteer's recipe books: 1 (A, B -> X), 2 (adds crop C), 3 (adds product Y)
    max_level: int = 3
    extra_amount: int = 4  # raises the top of CodeSteer's initial-amount ranges, for more distinct instances

    def validate(self) -> None:
        super().validate()
        self.require_span("level", 1, len(BOOKS))
        self.require_range("extra_amount", 0, 100)


class SynthesisDecompositionCurriculum(SymbenchCurriculum):
    config_cls = SynthesisDecompositionConfig
    definitions = (
        span("level", [1, 2, 3], "CodeSteer's recipe book: 1 (A, B -> X), 2 (adds crop C), 3 (adds product Y)"),
        knob("extra_amount", [0, 4, 10], "how far above CodeSteer's ranges the initial amounts may go"),
    )


def recipe(metadata: dict) -> tuple[dict[str, int], list[tuple[dict, dict]]]:
    """The instance as the solver takes it: the initial amounts, and the methods as (inputs, outputs) pairs."""
    return metadata["initial_state"], [(m["input"], m["output"]) for m in metadata["methods"]]


def reported(initial: dict[str, int], methods: list[tuple[dict, dict]]) -> list[str]:
    """The resources the answer lists: the crops, then the products the methods make."""
    names = list(initial)
    for _, outputs in methods:
        names += [r for r in outputs if r not in names]
    return names


def kind(resource: str) -> str:
    return "crop" if resource in CROPS else "product"


def render(metadata: dict) -> str:
    def amount(n: int, resource: str, noun: str) -> str:
        return f"{n} unit{'s' if n > 1 else ''} of {noun} {resource}"

    names = reported(*recipe(metadata))
    crops = [r for r in names if kind(r) == "crop"]
    products = [r for r in names if kind(r) == "product"]
    methods = "\n\n".join(
        f"Method {i}: " + " and ".join(amount(n, r, kind(r)) for r, n in m["input"].items())
        + " can be exchanged for " + " and ".join(amount(n, r, "product") for r, n in m["output"].items())
        + ", and this can be done only once per cycle."
        for i, m in enumerate(metadata["methods"], 1)
    )
    initial = ", ".join(f"{n} units of {kind(r)} {r}" for r, n in metadata["initial_state"].items())
    # The format line and its example, as CodeSteer words them for 2 or 3 crops and 1 or 2 products.
    example_values = dict(zip(CROPS, ("1 unit", "0 units", "2 units")), X="3 units", Y="1 unit")
    example_crops = ", ".join(f"{example_values[r]} of crop {r}" for r in crops)
    example_products = ", ".join(f"{example_values[r]} of product {r}" for r in products)
    example_list = ", ".join(example_values[r].split()[0] for r in names)
    return (
        f"Xiao Li is a farm owner who grows {', '.join(crops[:-1])}{',' if len(crops) > 2 else ''} and {crops[-1]}. "
        f"He can exchange these crops for agricultural product{'s' if len(products) > 1 else ''} "
        f"{' and '.join(products)}. He has discovered the following methods to increase the farm's yield:\n\n"
        f"{methods}\n\n"
        "Xiao Li continuously cycles through these methods in the given order, executing one method at a time. "
        f"After Method {len(metadata['methods'])}, start again from Method 1. Continue this cycle until no "
        f"method can be executed.\n\nInitially there are {initial}.\n\n"
        "First output the entire reasoning process step by step, showing each synthesis step's result. "
        "Then wrap your final answer in <<<>>> format as a list showing "
        f"[{', '.join(('remaining_' if kind(r) == 'crop' else 'obtained_') + r for r in names)}]. "
        f"For example, if there are {example_crops}, and {example_products} remaining, "
        f"output: <<<[{example_list}]>>>"
    )


def final_amounts(initial: dict[str, int], methods: list[tuple[dict, dict]]) -> list[int]:
    """Cycle through the methods, applying each one that has its inputs, until none has: the amounts of the
    reported resources, in their order."""
    state = dict.fromkeys(reported(initial, methods), 0) | initial

    def can_apply(inputs: dict) -> bool:
        return all(state.get(r, 0) >= n for r, n in inputs.items())

    step = 0
    while any(can_apply(inputs) for inputs, _ in methods):
        inputs, outputs = methods[step % len(methods)]
        if can_apply(inputs):
            for r, n in inputs.items():
                state[r] -= n
            for r, n in outputs.items():
                state[r] = state.get(r, 0) + n
        step += 1
        if step > MAX_STEPS:
            raise ValueError("the methods never stop")
    return [state[r] for r in reported(initial, methods)]


class SynthesisDecompositionDataset(SymbenchDataset):
    name = "synthesis_decomposition"
    config_cls = SynthesisDecompositionConfig
    curriculum_cls = SynthesisDecompositionCurriculum
    codesteer = ("synthesis_decomposition_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        ranges, methods = BOOKS[rng.randint(c.min_level, c.max_level) - 1]
        metadata = {
            "initial_state": {r: rng.randint(lo, hi + c.extra_amount) for r, (lo, hi) in ranges.items()},
            "methods": [{"input": dict(inputs), "output": dict(outputs)} for inputs, outputs in methods],
        }
        return render(metadata), metadata

    def check(self, answer: str, metadata: dict) -> None:
        names = reported(*recipe(metadata))
        items = list_items(answer)
        expect_count(items, len(names))
        for name, item, amount in zip(names, items, final_amounts(*recipe(metadata))):
            if not re.fullmatch(r"-?\d{1,6}", item):
                raise Incorrect(f"{item[:20]!r} is not a whole number")
            if int(item) != amount:
                raise Incorrect(f"wrong amount of {kind(name)} {name}: {item}")

    def solve(self, metadata: dict) -> str:
        return "[" + ", ".join(map(str, final_amounts(*recipe(metadata)))) + "]"

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`synthesis_decomposition_dataset/sample_N/`: question.txt (whose methods are parsed) and
        solution.json (initial_state; solution.answer lists the amounts of A, B, C, X, Y)."""
        question, data = read_sample(sample)
        metadata = {"initial_state": {r: int(n) for r, n in data["initial_state"].items()},
                    "methods": parse_methods(question)}
        published = dict(zip(("A", "B", "C", "X", "Y"), data["solution"]["answer"], strict=True))
        metadata["reference"] = "[" + ", ".join(str(int(published[r])) for r in reported(*recipe(metadata))) + "]"
        return question, metadata


def parse_methods(question: str) -> list[dict]:
    """The methods, from lines like 'Method 2: 1 unit of crop A and 1 unit of crop B can be exchanged
    for 2 units of product C, and this can be done only once per cycle.'"""
    def amounts(text: str) -> dict[str, int]:
        terms = re.findall(r"(\d+) units? of (?:crop|product) ([A-Z])", text)
        if not terms:
            raise ValueError(f"no amounts in {text!r}")
        return {r: int(n) for n, r in terms}

    found = re.findall(r"Method \d+: (.+?) can be exchanged for (.+?), and this can be done only once", question)
    if not found:
        raise ValueError("no methods in the question")
    return [{"input": amounts(inputs), "output": amounts(outputs)} for inputs, outputs in found]


CYCLE_FROM_THE_QUESTION = r"""
def amounts(text):
    # "1 unit of crop A and 2 units of product C" -> {"A": 1, "C": 2}
    return {name: int(n) for n, name in re.findall(r"(\d+) units? of (?:crop|product) (\w)", text)}


methods = [tuple(map(amounts, line.split(" can be exchanged for "))) for line in rules.split("\n\n")]
state = amounts(initially)
names = list(dict.fromkeys([*state, *(name for _, outputs in methods for name in outputs)]))  # crops, products
applied = True
while applied:  # one round tries every method once, in order; a round that applies none ends it
    applied = False
    for inputs, outputs in methods:
        if all(state.get(name, 0) >= n for name, n in inputs.items()):
            for name, n in inputs.items():
                state[name] -= n
            for name, n in outputs.items():
                state[name] = state.get(name, 0) + n
            applied = True
print("[" + ", ".join(str(state.get(name, 0)) for name in names) + "]")
"""

CYCLE_WITH_COUNTERS = """
stock = Counter(initial)
names = list(dict.fromkeys([*initial, *(name for _, outputs in methods for name in outputs)]))  # crops, products
idle = 0  # methods tried in a row that could not be applied; once all have failed, none can
for inputs, outputs in itertools.cycle(methods):
    if Counter(inputs) <= stock:
        stock -= Counter(inputs)
        stock += Counter(outputs)
        idle = 0
    else:
        idle += 1
        if idle == len(methods):
            break
print([stock[name] for name in names])
"""


def cycle_in_words(initial: dict[str, int], methods: list[tuple[dict, dict]]) -> str:
    """In words: the rounds through the methods (each applied once where it can), rounds that apply the same
    methods taken together, and the amounts after them."""
    names = reported(initial, methods)
    state = dict.fromkeys(names, 0) | initial
    lines = ["Start: " + ", ".join(f"{r}={state[r]}" for r in names) + f". Going round methods 1-{len(methods)}, "
             "each is applied once if its inputs are there; it ends when a whole round applies nothing."]
    groups = []  # [first round, last round, the methods applied, amounts after]
    rounds = 0
    while any(all(state[r] >= n for r, n in inputs.items()) for inputs, _ in methods):
        rounds += 1
        applied = []
        for number, (inputs, outputs) in enumerate(methods, 1):
            if all(state[r] >= n for r, n in inputs.items()):
                applied.append(number)
                for r, n in inputs.items():
                    state[r] -= n
                for r, n in outputs.items():
                    state[r] += n
        if groups and groups[-1][2] == applied:
            groups[-1][1], groups[-1][3] = rounds, dict(state)
        else:
            groups.append([rounds, rounds, applied, dict(state)])
    for first, last, applied, after in groups:
        which = (f"method {applied[0]} is applied" if len(applied) == 1
                 else f"methods {', '.join(map(str, applied))} are applied")
        when = f"Round {first}" if first == last else f"Rounds {first}-{last}"
        lines.append(f"{when}: {which}{' each round' * (first != last)}; then "
                     + ", ".join(f"{r}={after[r]}" for r in names) + ".")
    lines.append("No method can be applied any more.")
    lines.append("So the answer is [" + ", ".join(str(state[r]) for r in names) + "]")
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `final_amounts` on the initial amounts and the methods; the methods
    and amounts read from the question's text and applied round by round; and `Counter` stocks cycled until
    every method has failed in a row. The worked solution goes round by round."""
    initial, methods = recipe(item["metadata"])
    question = item["question"]
    from_text = dict(rules=found(r"\n\n(Method 1: .*?)\n\nXiao Li continuously", question),
                     initially=found(r"Initially there are (.*?)\.\n", question))
    return Solution(code=script_with_functions(
        dict(initial=initial, methods=methods), reported, final_amounts,
        last='print("[" + ", ".join(map(str, final_amounts(initial, methods))) + "]")'),
        worked=cycle_in_words(initial, methods),
        alternatives=(script(from_text, CYCLE_FROM_THE_QUESTION, "import re"),
                      script(dict(initial=initial, methods=methods), CYCLE_WITH_COUNTERS,
                             "import itertools\nfrom collections import Counter")))
