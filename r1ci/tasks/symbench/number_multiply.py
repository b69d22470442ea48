"""Number multiply: the exact product of a few signed integers of given digit counts, e.g. -8*-617*-6098.
The answer is one integer (thousands separators allowed); it is compared with the exact product."""

import ast
import math
import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._arith_util import parse_number
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, require
from r1ci.tasks.teaching import Solution, meta, script

# CodeSteer's question has no answer-format line (its judge extracted the number with GPT-4o), so the
# generated questions add one; questions loaded from the published files stay verbatim.
ANSWER_FORMAT = "\nReturn your answer with the format <<<number>>>, like <<<43243>>>."


BENCHMARK_PATTERNS = ((1, 2, 4), (1, 3, 4), (1, 2, 2, 4))  # CodeSteer's benchmark set of digit counts


@dataclass
class NumberMultiplyConfig(SymbenchConfig):
    # Digit counts of the factors; each item draws one pattern. The default is CodeSteer's benchmark set;
    # its varied-complexity set is ((4, 4), (8, 8), (12, 12), (16, 16), (20, 20)).
    digit_patterns: tuple = BENCHMARK_PATTERNS

    def validate(self) -> None:
        super().validate()
        require(bool(self.digit_patterns), f"digit_patterns must not be empty, got {self.digit_patterns!r}")
        for pattern in self.digit_patterns:
            require(2 <= len(pattern) <= 10,
                    f"digit_patterns: each pattern multiplies 2 to 10 numbers, got {pattern!r}")
            require(all(1 <= d <= 40 for d in pattern),
                    f"digit_patterns: digit counts must be in [1, 40], got {pattern!r}")


class NumberMultiplyCurriculum(SymbenchCurriculum):
    config_cls = NumberMultiplyConfig
    definitions = (  # CodeSteer's benchmark set, then its varied-complexity sizes
        knob("digit_patterns", [((1, 2), (2, 2)), BENCHMARK_PATTERNS, ((4, 4),), ((8, 8),), ((12, 12),),
                                ((16, 16),), ((20, 20),)], "digit counts of the factors"),
    )


def render(numbers: list[int]) -> str:
    return "What is the result of " + "*".join(str(n) for n in numbers) + "?"


def random_factor(rng: random.Random, digits: int) -> int:
    """A signed integer with exactly `digits` digits; never 0 or ±1, which would make the product trivial."""
    low = 2 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(low, 10**digits - 1) * rng.choice((-1, 1))


class NumberMultiplyDataset(SymbenchDataset):
    name = "number_multiply"
    config_cls = NumberMultiplyConfig
    curriculum_cls = NumberMultiplyCurriculum
    codesteer = ("number_multiply/digit_*/sample_*", "number_multiply_varied_complexity/digit_*/sample_*")

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        pattern = rng.choice(self.config.digit_patterns)
        numbers = [random_factor(rng, d) for d in pattern]
        return render(numbers) + ANSWER_FORMAT, {"numbers": numbers}

    def check(self, answer: str, metadata: dict) -> None:
        if parse_number(answer) != math.prod(metadata["numbers"]):
            raise Incorrect(f"{answer.strip()[:60]} is not the product")

    def solve(self, metadata: dict) -> str:
        return str(math.prod(metadata["numbers"]))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`number_multiply*/digit_<d>_<d>.../sample_<i>/`: the question, the factors and the product."""
        question = (sample / "input_prompt_1.txt").read_text()
        numbers = ast.literal_eval((sample / "input_value_list.txt").read_text().strip())
        if not (isinstance(numbers, list) and numbers and all(type(n) is int for n in numbers)):
            raise ValueError("input_value_list.txt is not a list of integers")
        if question.strip() != render(numbers):
            raise ValueError("input_prompt_1.txt does not match its value list")
        reference = (sample / "target_answer.txt").read_text().strip()
        return question, {"numbers": numbers, "reference": reference}


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `math.prod` of the factors (the task's solver is that call too); its
    check divides the product back."""
    numbers = meta(item, "numbers")
    return Solution(
        code=script({"numbers": numbers}, "print(math.prod(numbers))", "import math"),
        check=f"import math\nvalue = int(answer)\nrest = value\nfor n in {numbers!r}:\n"
              "    assert rest % n == 0, 'not a multiple'\n    rest //= n\nassert rest == 1\nprint('check passed')",
        worked=" × ".join(map(str, numbers)) + f" = {item['answer']}")
