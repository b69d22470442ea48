"""Combinatorial calculation: insert + - * / and parentheses between numbers, kept in their given order, to
reach a target, e.g. 3 8 6 9 2 -> 78 with (3+8/6)*9*2. Any such expression is accepted: the checker
tokenises the answer list, parses it with the usual precedence and evaluates it exactly with fractions."""

import ast
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob,
                                      read_sample, require)
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

MAX_TOKENS = 200  # a 20-number published answer has about 60; this also bounds the parser's recursion
TOKEN = re.compile(r"\s*(\d+|[-+*/()])", re.ASCII)
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
MAX_DRAWS = 200  # the default puzzles need a few draws of numbers; an unreachable target needs all


BENCHMARK_PUZZLES = ((3, 10), (4, 24), (5, 78), (5, 69), (6, 100))  # CodeSteer's (count, target) pairs


@dataclass
class CombinatorialCalculationConfig(SymbenchConfig):
    # (how many numbers, target) pairs; each item draws one. The default is CodeSteer's benchmark set.
    puzzles: tuple = BENCHMARK_PUZZLES
    min_value: int = 1
    max_value: int = 9

    def validate(self) -> None:
        super().validate()
        require(bool(self.puzzles), f"puzzles must not be empty, got {self.puzzles!r}")
        for count, target in self.puzzles:
            require(2 <= count <= 7, f"puzzles: each count must be in [2, 7] (the solver is exhaustive), got {count!r}")
            require(target > 0, f"puzzles: each target must be positive, got {target!r}")
        self.require_span("value", 1, 99)


class CombinatorialCalculationCurriculum(SymbenchCurriculum):
    config_cls = CombinatorialCalculationConfig
    definitions = (
        knob("puzzles", [((3, 10), (4, 24)), BENCHMARK_PUZZLES, ((5, 78), (6, 100), (7, 150), (7, 200))],
             "(how many numbers, target) pairs to draw from"),
    )


def render(numbers: list[int], target: int, min_value: int = 1, max_value: int = 9) -> str:
    # CodeSteer's second example reads "<<<[4, -, (, 6, , 9, )]>>> means 4-69*." (the "*" and the
    # parentheses were lost); it is written out intact here.
    return (
        f"Given {len(numbers)} integers between {min_value} and {max_value}, perform arithmetic operations "
        "(addition, subtraction, multiplication, division, and parentheses) between these integers. Each number "
        f"must be used exactly once and only once, and the final result should be {target}. Note: The order of "
        "the numbers is determined by the input, and you cannot change the order of the numbers. You can only "
        "insert arithmetic operations or parentheses between the numbers.\n"
        "Return the answer with a list of values and calculation symbols. Return your answer with the format "
        "<<<list of values and symbols>>>, like <<<[1, +, 3]>>> means 1+3, <<<[4, -, (, 6, *, 9, )]>>> means "
        f"4-(6*9).Now the input numbers are: {', '.join(map(str, numbers))}, the target values is: {target}\n"
        " Your answer:"
    )


def tokenize(answer: str) -> list[str]:
    """`[(, 3, +, 8, ), *, 2]` or `"(3+8)*2"` -> tokens; each list element may hold several tokens."""
    text = answer.strip().replace("×", "*").replace("÷", "/").replace("\u2212", "-")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    tokens = []
    for element in text.split(","):
        element = element.strip().strip("'\"").strip()
        if not element:
            raise Incorrect("the list has an empty element (a missing symbol?)")
        end = 0
        for match in TOKEN.finditer(element):
            if match.start() != end:
                break
            tokens.append(match[1])
            end = match.end()
        if end != len(element):
            raise Incorrect(f"unexpected symbol in {element[:20]!r}; use numbers, + - * / and parentheses")
        if len(tokens) > MAX_TOKENS:
            raise Incorrect("answer too long")
    return tokens


def evaluate(tokens: list[str]) -> tuple[Fraction, list[int]]:
    """Exact value of the token list (usual precedence, no unary minus) and its numbers in order."""
    numbers: list[int] = []
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def factor() -> Fraction:
        nonlocal position
        token = peek()
        position += 1
        if token == "(":
            value = expression()
            if peek() != ")":
                raise Incorrect("unbalanced parentheses")
            position += 1
            return value
        if token is not None and token.isdigit():
            numbers.append(int(token))
            return Fraction(int(token))
        raise Incorrect(f"expected a number or '(' but found {token!r}")

    def term() -> Fraction:
        nonlocal position
        value = factor()
        while peek() in ("*", "/"):
            op = peek()
            position += 1
            right = factor()
            if op == "/" and right == 0:
                raise Incorrect("division by zero")
            value = value * right if op == "*" else value / right
        return value

    def expression() -> Fraction:
        nonlocal position
        value = term()
        while peek() in ("+", "-"):
            op = peek()
            position += 1
            value = value + term() if op == "+" else value - term()
        return value

    value = expression()
    if position != len(tokens):
        raise Incorrect(f"unexpected {tokens[position]!r} (unbalanced parentheses or a missing operator)")
    return value, numbers


def reachable_values(numbers: list[int]) -> dict[tuple[int, int], dict[Fraction, tuple | None]]:
    """For every run numbers[i:j] shorter than the whole: each value it can reach -> how (split, op, a, b)."""
    n = len(numbers)
    table = {(i, i + 1): {Fraction(numbers[i]): None} for i in range(n)}
    for length in range(2, n):
        for i in range(n - length + 1):
            j, values = i + length, {}
            for k in range(i + 1, j):
                for a in table[(i, k)]:
                    for b in table[(k, j)]:
                        values.setdefault(a + b, (k, "+", a, b))
                        values.setdefault(a - b, (k, "-", a, b))
                        values.setdefault(a * b, (k, "*", a, b))
                        if b:
                            values.setdefault(a / b, (k, "/", a, b))
            table[(i, j)] = values
    return table


def solve_numbers(numbers: list[int], target: int) -> list[str] | None:
    """Tokens of an expression over `numbers` in order that equals `target`, or None.

    Exhaustive over all bracketings: the value sets of the shorter runs are built bottom-up, and the whole
    run is only searched for the target (the largest set is never built).
    """
    n, target = len(numbers), Fraction(target)
    if n == 1:
        return [str(numbers[0])] if numbers[0] == target else None
    table = reachable_values(numbers)

    def tokens(i: int, j: int, how: tuple | None, parent: str | None, right: bool) -> list[str]:
        """Tokens of numbers[i:j] built as `how` says, bracketed only where the parent operator needs it."""
        if how is None:
            return [str(numbers[i])]
        k, op, a, b = how
        out = tokens(i, k, table[(i, k)][a], op, False) + [op] + tokens(k, j, table[(k, j)][b], op, True)
        needs = parent is not None and (
            PRECEDENCE[op] < PRECEDENCE[parent] or (right and PRECEDENCE[op] == PRECEDENCE[parent] and parent in "-/")
        )
        return ["(", *out, ")"] if needs else out

    for k in range(1, n):
        left, right = table[(0, k)], table[(k, n)]
        for a in left:
            needed = [("+", target - a), ("-", a - target)]
            if a:
                needed.append(("*", target / a))
            if target:
                needed.append(("/", a / target))
            for op, b in needed:
                if b in right and not (op == "/" and b == 0):
                    return tokens(0, n, (k, op, a, b), None, False)
    return None


def format_tokens(tokens: list[str]) -> str:
    return "[" + ", ".join(tokens) + "]"


class CombinatorialCalculationDataset(SymbenchDataset):
    name = "combinatorial_calculation"
    config_cls = CombinatorialCalculationConfig
    curriculum_cls = CombinatorialCalculationCurriculum
    codesteer = ("combinatorial_calculation/sample_*", "combinatorial_calculation_varied_complexity/*/sample_*")

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        count, target = rng.choice(c.puzzles)

        def draw() -> list[int] | None:
            numbers = [rng.randint(c.min_value, c.max_value) for _ in range(count)]
            return numbers if solve_numbers(numbers, target) else None

        numbers = self.redraw(draw, f"{count} numbers in order that reach {target}", MAX_DRAWS)
        return render(numbers, target, c.min_value, c.max_value), {"numbers": numbers, "target": target}

    def check(self, answer: str, metadata: dict) -> None:
        value, used = evaluate(tokenize(answer))
        numbers = metadata["numbers"]
        if sorted(used) != sorted(numbers):
            raise Incorrect(f"uses {used}, must use each of {numbers} exactly once")
        if used != numbers:
            raise Incorrect(f"uses the numbers in the order {used}; the order must stay {numbers}")
        if value != metadata["target"]:
            raise Incorrect(f"evaluates to {value}, not {metadata['target']}")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):  # published answers of up to 20 numbers, beyond the exhaustive search
            return metadata["reference"]
        tokens = solve_numbers(metadata["numbers"], metadata["target"])
        if tokens is None:
            raise ValueError(f"no solution for {metadata['numbers']} -> {metadata['target']}")
        return format_tokens(tokens)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`combinatorial_calculation/sample_<i>/` and `combinatorial_calculation_varied_complexity/*/sample_<i>/`:
        question.txt and solution.json (numbers, target, solution as a token list)."""
        question, data = read_sample(sample)
        numbers, target = data.get("numbers") or [], data.get("target")
        stated = f"the input numbers are: {', '.join(map(str, numbers))}, the target values is: {target}\n"
        if not numbers or stated not in question or not data.get("solution"):
            raise ValueError("question.txt does not match its solution.json")
        return question, {"numbers": numbers, "target": target, "reference": format_tokens(data["solution"])}


COMBINATORIAL_CALCULATION_CHECK = r"""
tokens = [t.strip() for t in answer.strip("[]").split(",")]
assert [int(t) for t in tokens if t.isdigit()] == numbers, "the numbers must be used once each, in order"
value = eval("".join(f"Fraction({t})" if t.isdigit() else t for t in tokens), {"Fraction": Fraction})
assert value == target, f"the expression is {value}"
print("check passed")
"""


SPLIT_TOP_DOWN = r"""
@functools.cache
def values(i, j):
    # Every value numbers[i:j] can take, each with one bracketed expression that gives it.
    if j - i == 1:
        return {Fraction(numbers[i]): str(numbers[i])}
    out = {}
    for k in range(i + 1, j):  # the last operation joins numbers[i:k] and numbers[k:j]
        for a, left in values(i, k).items():
            for b, right in values(k, j).items():
                out.setdefault(a + b, f"({left}+{right})")
                out.setdefault(a - b, f"({left}-{right})")
                out.setdefault(a * b, f"({left}*{right})")
                if b:
                    out.setdefault(a / b, f"({left}/{right})")
    return out


expression = values(0, len(numbers))[Fraction(target)]
print("[" + ", ".join(re.findall(r"\d+|[-+*/()]", expression)) + "]")
"""

REDUCE_NEIGHBOURS = r"""
seen = set()


def reduce(items):
    # items: (value, expression) in order; join two neighbours with an operator until one is left.
    if len(items) == 1:
        return items[0][1] if items[0][0] == target else None
    key = tuple(value for value, _ in items)
    if key in seen:  # these values were already tried in this order
        return None
    seen.add(key)
    for i in range(len(items) - 1):
        (a, left), (b, right) = items[i], items[i + 1]
        joined = [(a + b, f"({left}+{right})"), (a - b, f"({left}-{right})"), (a * b, f"({left}*{right})")]
        if b:
            joined.append((a / b, f"({left}/{right})"))
        for item in joined:
            found = reduce(items[:i] + [item] + items[i + 2:])
            if found:
                return found
    return None


expression = reduce([(Fraction(n), str(n)) for n in numbers])
print("[" + ", ".join(re.findall(r"\d+|[-+*/()]", expression)) + "]")
"""
OPERATIONS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def evaluation_steps(expression: str) -> list[str]:
    """The operations of an expression in the order they are worked out, each as `a op b = value`."""
    steps = []

    def value(node: ast.expr) -> Fraction:
        if isinstance(node, ast.Constant):
            return Fraction(node.value)
        a, b = value(node.left), value(node.right)
        op = OPERATIONS[type(node.op)]
        result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op]
        steps.append(f"{a} {op} {b} = {result}")
        return result

    value(ast.parse(expression, mode="eval").body)
    return steps


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `solve_numbers`, the exhaustive search over bracketings bottom-up; every
    value of each run, top-down and memoised, with an expression for it; and a depth-first search that joins
    two neighbouring numbers at a time. Its check evaluates the expression exactly. The worked solution gives
    the expression found and works it out one operation at a time (the search behind it is not written)."""
    numbers, target = meta(item, "numbers"), meta(item, "target")
    data = dict(numbers=numbers, target=target)
    tokens = solve_numbers(numbers, target)
    steps = evaluation_steps("".join(tokens))
    worked = "\n".join([f"The numbers {', '.join(map(str, numbers))} must stay in order and reach {target}.",
                        f"Try {' '.join(tokens)}, working it out one operation at a time "
                        "(multiplication and division before addition and subtraction, brackets first):",
                        *steps, f"That is {target}, as required.", f"So the answer is {format_tokens(tokens)}"])
    return Solution(
        code=script_with_functions(data, reachable_values, solve_numbers, format_tokens,
                                   last="print(format_tokens(solve_numbers(numbers, target)))"),
        check=script(data, COMBINATORIAL_CALCULATION_CHECK, "from fractions import Fraction"),
        worked=worked,
        alternatives=(script(data, SPLIT_TOP_DOWN, "import functools\nimport re\nfrom fractions import Fraction"),
                      script(data, REDUCE_NEIGHBOURS, "import re\nfrom fractions import Fraction")))
