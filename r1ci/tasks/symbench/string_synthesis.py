"""String synthesis: start with some [A], [B] and [C] blocks and combine them with six fixed methods, cycling
through methods 1..6 until none applies; the answer is the final count of each of the nine block kinds.

CodeSteer's published answers apply each method as many times as it can before moving to the next one, and
restart from method 1 until a full pass changes nothing; the checker replays that and compares the nine counts.
The question asks for "a string of the number of certain block", so nine one-digit counts may also be run
together (`201300000`)."""

import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, read_sample
from r1ci.tasks.teaching import Solution, found, meta, script, script_with_functions

BLOCKS = ["[A]", "[B]", "[C]", "{A}", "{B}", "{C}", "(A)", "(B)", "(C)"]

# (consumed, produced) as block -> count, in method order.
METHODS = [
    ({"[A]": 1, "[B]": 1, "[C]": 1}, {"{A}": 1}),
    ({"[A]": 1, "[B]": 1}, {"{C}": 1}),
    ({"[B]": 1, "[C]": 1}, {"{B}": 1}),
    ({"[C]": 2}, {"{C}": 1}),
    ({"{A}": 1, "{C}": 1}, {"(A)": 1, "(B)": 1}),
    ({"{B}": 2}, {"(C)": 1}),
]

QUESTION = (
    "There are nine different blocks [A], [B], [C], {A}, {B}, {C}, (A), (B), (C) that satisfy:\n"
    "1. One [A], one [B], and one [C] can be combined to form one {A}.\n"
    "2. One [A] and one [B] can be combined to form one {C}.\n"
    "3. One [B] and one [C] can be combined to form one {B}.\n"
    "4. Two [C] can be combined to form one {C}.\n"
    "5. One {A} and one {C} can be combined to form one (A) and one (B).\n"
    "6. Two {B} can be combined to form one (C).\n\n"
    "Cycle through Methods 1..6 repeatedly until no more changes can be made.\n\n"
    "Question: If we now have {a} [A], {b} [B], and {c} [C], what will the synthesized block be?\n\n"
    "Return your final answer with the exact format:\n"
    "<<<a string of the number of certain block>>>\n"
    "Your answer:\n"
)
MAX_COUNT = 1000  # generous bound on starting counts; keeps the simulation trivially fast


@dataclass
class StringSynthesisConfig(SymbenchConfig):
    # CodeSteer drew up to 5/8/7; one more of each gives a few hundred distinct questions instead of 280.
    max_a: int = 6
    max_b: int = 9
    max_c: int = 8

    def validate(self) -> None:
        super().validate()
        for name in ("max_a", "max_b", "max_c"):
            self.require_range(name, 1, MAX_COUNT)


class StringSynthesisCurriculum(SymbenchCurriculum):
    config_cls = StringSynthesisConfig
    definitions = (
        knob("max_a", [3, 6, 12, 25], "the most [A] blocks to start with"),
        knob("max_b", [5, 9, 18, 36], "the most [B] blocks to start with"),
        knob("max_c", [4, 8, 16, 32], "the most [C] blocks to start with"),
    )


def render(a: int, b: int, c: int) -> str:
    return QUESTION.replace("{a}", str(a)).replace("{b}", str(b)).replace("{c}", str(c))


def synthesize(a: int, b: int, c: int) -> list[int]:
    """Final counts in BLOCKS order: each method is used as often as it can, in turn, until a pass changes nothing."""
    counts = dict.fromkeys(BLOCKS, 0) | {"[A]": a, "[B]": b, "[C]": c}
    changed = True
    while changed:
        changed = False
        for consumed, produced in METHODS:
            while all(counts[k] >= n for k, n in consumed.items()):
                for k, n in consumed.items():
                    counts[k] -= n
                for k, n in produced.items():
                    counts[k] += n
                changed = True
    return [counts[k] for k in BLOCKS]


def parse_counts(answer: str) -> list[int]:
    """Nine non-negative integers separated by spaces or commas, optionally inside brackets, or nine digits
    run together (`201300000`), which can only mean nine one-digit counts."""
    text = answer.strip().strip("[]()").strip()
    tokens = [t for t in re.split(r"[\s,]+", text) if t]
    if len(tokens) == 1 and len(tokens[0]) == len(BLOCKS):
        tokens = list(tokens[0])
    if len(tokens) != len(BLOCKS):
        raise Incorrect(f"expected {len(BLOCKS)} numbers, got {len(tokens)}")
    if not all(t.isascii() and t.isdigit() and len(t) <= 6 for t in tokens):
        raise Incorrect("every count must be a non-negative integer")
    return [int(t) for t in tokens]


class StringSynthesisDataset(SymbenchDataset):
    name = "string_synthesis"
    config_cls = StringSynthesisConfig
    curriculum_cls = StringSynthesisCurriculum
    codesteer = ("string_synthesis/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        a, b, cc = rng.randint(1, c.max_a), rng.randint(1, c.max_b), rng.randint(1, c.max_c)
        return render(a, b, cc), {"A_count": a, "B_count": b, "C_count": cc}

    def check(self, answer: str, metadata: dict) -> None:
        given = parse_counts(answer)
        expected = synthesize(metadata["A_count"], metadata["B_count"], metadata["C_count"])
        wrong = [block for block, g, e in zip(BLOCKS, given, expected) if g != e]
        if wrong:
            raise Incorrect(f"wrong count for {', '.join(wrong)}")

    def solve(self, metadata: dict) -> str:
        return " ".join(map(str, synthesize(metadata["A_count"], metadata["B_count"], metadata["C_count"])))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`string_synthesis/sample_<i>/`: question.txt and solution.json (start counts, final counts)."""
        question, solution = read_sample(sample)
        metadata = {k: int(solution[k]) for k in ("A_count", "B_count", "C_count")}
        metadata["reference"] = " ".join(str(int(n)) for n in solution["final_counts"])
        return question, metadata


STRING_SYNTHESIS_CHECK = r"""
final = dict(zip(blocks, map(int, answer.split())))
assert len(final) == len(answer.split()) == len(blocks) and min(final.values()) >= 0, "not one count per block"
assert not any(all(final[b] >= n for b, n in used.items()) for used, _ in methods), "a method can still run"
# Blocks are made of base blocks and none are lost: {A} holds 3, {B} and {C} 2, (C) 4, a pair (A) + (B) 5.
assert final["(A)"] == final["(B)"], "(A) and (B) are only made together"
base = (final["[A]"] + final["[B]"] + final["[C]"] + 3 * final["{A}"] + 2 * final["{B}"] + 2 * final["{C}"]
        + 4 * final["(C)"] + 5 * final["(A)"])
assert base == sum(have.values()), "base blocks were lost or made"
print("check passed")
"""


SYNTHESIZE_FROM_THE_RULES_TEXT = r"""
NUMBERS = {"one": 1, "two": 2}


def blocks_counted(text):
    # "One [A], one [B], and one [C]" -> {"[A]": 1, "[B]": 1, "[C]": 1}
    return {block: NUMBERS[word.lower()] for word, block in re.findall(r"(One|Two|one|two) (\S\w\S)", text)}


blocks = re.findall(r"\S\w\S", blocks_listed)
methods = [tuple(map(blocks_counted, line.split(" can be combined to form "))) for line in rules.splitlines()]

counts = dict.fromkeys(blocks, 0) | {"[A]": a, "[B]": b, "[C]": c}
changed = True
while changed:  # passes over methods 1..6, each used as often as it can at once
    changed = False
    for needs, makes in methods:
        times = min(counts[block] // n for block, n in needs.items())
        if times:
            changed = True
            for block, n in needs.items():
                counts[block] -= n * times
            for block, n in makes.items():
                counts[block] += n * times
print(" ".join(str(counts[block]) for block in blocks))
"""

SYNTHESIZE_BY_NAME = """
square_a, square_b, square_c = a, b, c
curly_a = curly_b = curly_c = round_a = round_b = round_c = 0
while True:
    before = (square_a, square_b, square_c, curly_a, curly_b, curly_c)
    k = min(square_a, square_b, square_c)  # method 1: [A] + [B] + [C] -> {A}
    square_a, square_b, square_c, curly_a = square_a - k, square_b - k, square_c - k, curly_a + k
    k = min(square_a, square_b)  # method 2: [A] + [B] -> {C}
    square_a, square_b, curly_c = square_a - k, square_b - k, curly_c + k
    k = min(square_b, square_c)  # method 3: [B] + [C] -> {B}
    square_b, square_c, curly_b = square_b - k, square_c - k, curly_b + k
    k = square_c // 2  # method 4: 2 [C] -> {C}
    square_c, curly_c = square_c - 2 * k, curly_c + k
    k = min(curly_a, curly_c)  # method 5: {A} + {C} -> (A) + (B)
    curly_a, curly_c, round_a, round_b = curly_a - k, curly_c - k, round_a + k, round_b + k
    k = curly_b // 2  # method 6: 2 {B} -> (C)
    curly_b, round_c = curly_b - 2 * k, round_c + k
    if (square_a, square_b, square_c, curly_a, curly_b, curly_c) == before:
        break
print(square_a, square_b, square_c, curly_a, curly_b, curly_c, round_a, round_b, round_c)
"""


def synthesis_steps(a: int, b: int, c: int) -> str:
    """In words: each pass over the methods, each method used as often as it can, with the counts it changes."""
    counts = dict.fromkeys(BLOCKS, 0) | {"[A]": a, "[B]": b, "[C]": c}
    lines = [f"Start: {a} [A], {b} [B], {c} [C]. Each method is used as often as it can before the next."]
    passes, changed = 0, True
    while changed:
        changed, passes = False, passes + 1
        for number, (consumed, produced) in enumerate(METHODS, 1):
            times = min(counts[k] // n for k, n in consumed.items())
            if times:
                changed = True
                moves = []
                for k, n in consumed.items():
                    moves.append(f"{k} {counts[k]}→{counts[k] - n * times}")
                    counts[k] -= n * times
                for k, n in produced.items():
                    moves.append(f"{k} {counts[k]}→{counts[k] + n * times}")
                    counts[k] += n * times
                lines.append(f"Pass {passes}, method {number} runs {times} time{'s' * (times > 1)}: "
                             + ", ".join(moves) + ".")
    lines.append(f"Pass {passes} changes nothing, so the synthesis stops.")
    final = " ".join(str(counts[k]) for k in BLOCKS)
    lines.append(f"In the order {', '.join(BLOCKS)}, the answer is {final}")
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `synthesize` on the starting counts; the methods read from the
    question's text and each used as often as it can at once (division, not one at a time); and one variable
    per block kind with a line per method. Its check tests the end state."""
    a, b, c = meta(item, "A_count"), meta(item, "B_count"), meta(item, "C_count")
    have = {"[A]": a, "[B]": b, "[C]": c}
    question = item["question"]
    from_text = dict(blocks_listed=found(r"nine different blocks (.*?) that satisfy", question),
                     rules=found(r"\n(1\. .*?)\n\n", question), a=a, b=b, c=c)
    return Solution(
        code=script_with_functions(dict(a=a, b=b, c=c), synthesize,
                                   last='print(" ".join(map(str, synthesize(a, b, c))))'),
        check=script(dict(blocks=BLOCKS, have=have, methods=METHODS), STRING_SYNTHESIS_CHECK),
        worked=synthesis_steps(a, b, c),
        alternatives=(script(from_text, SYNTHESIZE_FROM_THE_RULES_TEXT, "import re"),
                      script(dict(a=a, b=b, c=c), SYNTHESIZE_BY_NAME)))
