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


SIGN_THEN_MAGNITUDE = """
negatives = sum(1 for n in numbers if n < 0)
magnitude = 1
for n in numbers:
    magnitude *= abs(n)
print(-magnitude if negatives % 2 else magnitude)
"""

LONG_MULTIPLICATION = """
def multiply_digits(a: str, b: str) -> str:
    \"\"\"Schoolbook multiplication of two non-negative decimal strings, one digit pair at a time.\"\"\"
    columns = [0] * (len(a) + len(b))
    for i, x in enumerate(reversed(a)):
        for j, y in enumerate(reversed(b)):
            columns[i + j] += int(x) * int(y)
    digits, carry = [], 0
    for total in columns:
        carry, digit = divmod(total + carry, 10)
        digits.append(str(digit))
    return "".join(reversed(digits)).lstrip("0") or "0"

product, negative = "1", False
for n in numbers:
    product = multiply_digits(product, str(abs(n)))
    negative ^= n < 0
print(("-" if negative and product != "0" else "") + product)
"""


def partial_products(a: int, b: int) -> str:
    """a × b (both positive) by partial products over b's digits, or over 4-digit blocks where b is long."""
    digits = str(b)
    size = 1 if len(digits) <= 6 else 4
    parts = []
    for end in range(len(digits), 0, -size):
        block = int(digits[max(0, end - size):end]) * 10 ** (len(digits) - end)
        if block:
            parts.append(block)
    if len(parts) == 1:
        return f"{a} × {b} = {a * b}"
    terms = " + ".join(f"{a} × {part}" for part in parts)
    return f"{a} × {b} = {terms} = {' + '.join(str(a * part) for part in parts)} = {a * b}"


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `math.prod` of the factors (the task's solver is that call too), the sign
    from the count of negatives times the product of magnitudes, and schoolbook multiplication on digit
    strings; its check divides the product back. The worked solution multiplies the magnitudes one factor at a
    time by partial products and then settles the sign."""
    numbers = meta(item, "numbers")
    data = {"numbers": numbers}
    negatives = sum(n < 0 for n in numbers)
    steps, running = [], abs(numbers[0])
    for n in numbers[1:]:
        small, large = sorted((running, abs(n)))
        steps.append(partial_products(large, small))
        running *= abs(n)
    sign = (f"There {'is' if negatives == 1 else 'are'} {negatives} negative factor{'s' * (negatives != 1)}, "
            f"so the product is {'negative' if negatives % 2 else 'positive'}.")
    worked = "\n".join(["First multiply the absolute values of the factors, one at a time:", *steps, sign,
                        f"So the answer is {math.prod(numbers)}."])
    return Solution(
        code=script(data, "print(math.prod(numbers))", "import math"),
        check=f"import math\nvalue = int(answer)\nrest = value\nfor n in {numbers!r}:\n"
              "    assert rest % n == 0, 'not a multiple'\n    rest //= n\nassert rest == 1\nprint('check passed')",
        worked=worked,
        alternatives=(script(data, SIGN_THEN_MAGNITUDE), script(data, LONG_MULTIPLICATION)))
