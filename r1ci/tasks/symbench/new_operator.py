"""New operator: custom binary operators such as `a#b = 2*a+3*b` are defined, then an expression built
from them is evaluated, e.g. `(3%4)$5#6`. Custom operators share one precedence and apply left to right.
The answer is one number, compared with the exact value (rationals) to within 1e-6."""

import ast
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench._arith_util import parse_number
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob, read_sample

SYMBOLS = "#@$&%~"
# The format line is CodeSteer's, copied from another task: the answer is one number, which the checker
# also accepts as a one-element list.
ANSWER_FORMAT = "\nReturn your answer with format <<<list of values and symbols>>>"
TOLERANCE = Fraction(1, 10**6)  # CodeSteer's own tolerance; its answers for (a+b)/b are rounded floats


@dataclass
class NewOperatorConfig(SymbenchConfig):
    # CodeSteer alternates puzzles with three operators, `((a%b)$c)#d`, and with one, `(a#b)#c`.
    three_operator_share: float = 0.5
    min_operand: int = 1
    max_operand: int = 10
    max_coefficient: int = 5  # in definitions such as `3*a+5*b` and `4*a*b`

    def validate(self) -> None:
        super().validate()
        self.require_range("three_operator_share", 0, 1)
        self.require_span("operand", 1, 1000, "operands must be positive: b divides")
        self.require_range("max_coefficient", 1, 100)


class NewOperatorCurriculum(SymbenchCurriculum):
    config_cls = NewOperatorConfig
    definitions = (
        knob("three_operator_share", [0.0, 0.5, 1.0], "share of puzzles with three operators, not one"),
        knob("max_operand", [5, 10, 20, 50], "the largest operand"),
        knob("max_coefficient", [3, 5, 10, 20], "the largest coefficient in a definition"),
    )


def random_formula(rng: random.Random, max_coefficient: int) -> str:
    """One of CodeSteer's three definition templates."""
    c1, c2 = rng.randint(1, max_coefficient), rng.randint(1, max_coefficient)
    return rng.choice([f"{c1}*a+{c2}*b", f"{c1}*a*b", "(a + b)/b"])


def definition(symbol: str, formula: str) -> str:
    return f"Let a and b be numbers. Define a{symbol}b to be {formula}."


def render(expression: str, definitions: dict[str, str]) -> str:
    lines = "\n".join(definition(symbol, formula) for symbol, formula in definitions.items())
    if len(definitions) == 1:
        return f"{lines}\nCalculate {expression}.{ANSWER_FORMAT}"
    *first, last = definitions
    return (
        f"Let x and y represent two numbers. The new operations {', '.join(first)} and {last} are defined as "
        f"follows:\n{lines}\nCalculate {expression}.{ANSWER_FORMAT}"
    )


def apply_formula(formula: str, a: Fraction, b: Fraction) -> Fraction:
    """Exact value of a definition (`+ - * /`, integers, a and b) for the given operands."""

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div):
                if right == 0:
                    raise ValueError(f"division by zero in {formula} for a={a}, b={b}")
                return left / right
            return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return Fraction(node.value)
        if isinstance(node, ast.Name) and node.id in ("a", "b"):
            return a if node.id == "a" else b
        raise ValueError(f"unsupported definition {formula!r}")

    return walk(ast.parse(formula, mode="eval").body)


def evaluate(expression: str, definitions: dict[str, str]) -> Fraction:
    """Value of an expression over the custom operators; without parentheses they apply left to right."""
    tokens = re.findall(r"\d+(?:\.\d+)?|\S", expression)
    position = 0

    def operand() -> Fraction:
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "(":
            value = chain()
            if tokens[position] != ")":
                raise ValueError(f"unbalanced parentheses in {expression!r}")
            position += 1
            return value
        return Fraction(token)

    def chain() -> Fraction:
        nonlocal position
        value = operand()
        while position < len(tokens) and tokens[position] in definitions:
            symbol = tokens[position]
            position += 1
            value = apply_formula(definitions[symbol], value, operand())
        return value

    value = chain()
    if position != len(tokens):
        raise ValueError(f"cannot evaluate {expression!r}")
    return value


def format_value(value: Fraction) -> str:
    """An integer, or a decimal rounded to 12 places (well inside the tolerance, whatever the magnitude)."""
    if value.denominator == 1:
        return str(value.numerator)
    scaled = abs(round(value * 10**12))
    return ("-" if value < 0 else "") + f"{scaled // 10**12}.{scaled % 10**12:012d}".rstrip("0").rstrip(".")


class NewOperatorDataset(SymbenchDataset):
    name = "new_operator"
    config_cls = NewOperatorConfig
    curriculum_cls = NewOperatorCurriculum
    codesteer = ("new_operator_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        if rng.random() < c.three_operator_share:
            symbols = rng.sample(SYMBOLS, 3)
            a, b, d, e = (rng.randint(c.min_operand, c.max_operand) for _ in range(4))
            # CodeSteer wrote `(a%b)$d#e`; the extra parentheses make the left-to-right order explicit.
            expression = f"(({a}{symbols[0]}{b}){symbols[1]}{d}){symbols[2]}{e}"
        else:
            symbols = [rng.choice(SYMBOLS)]
            a, b, d = (rng.randint(c.min_operand, c.max_operand) for _ in range(3))
            expression = f"({a}{symbols[0]}{b}){symbols[0]}{d}"
        definitions = {symbol: random_formula(rng, c.max_coefficient) for symbol in symbols}
        return render(expression, definitions), {"expression": expression, "operator_definitions": definitions}

    def check(self, answer: str, metadata: dict) -> None:
        value = parse_number(answer)
        if abs(value - evaluate(metadata["expression"], metadata["operator_definitions"])) > TOLERANCE:
            raise Incorrect(f"{answer.strip()[:40]} is not the value of {metadata['expression']}")

    def solve(self, metadata: dict) -> str:
        return format_value(evaluate(metadata["expression"], metadata["operator_definitions"]))

    def corrupt(self, answer: str, metadata: dict) -> str:
        # Changing the last digit of a long decimal can stay within the tolerance; be off by one instead.
        return format_value(parse_number(answer) + 1)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`new_operator_dataset/sample_<i>/`: question.txt and solution.json (solution, operator_definitions)."""
        question, data = read_sample(sample)
        match = re.search(r"^Calculate (.+)\.$", question, re.MULTILINE)
        definitions = data.get("operator_definitions")
        if not match or not definitions or "solution" not in data or render(match[1], definitions) != question:
            raise ValueError("question.txt does not match the definitions in solution.json")
        metadata = {"expression": match[1], "operator_definitions": definitions}
        published = Fraction(data["solution"])
        # CodeSteer's evaluator reduced the parentheses and then applied only the first custom operator
        # it found in the rest (it returned early), so for `(3%4)$5#6` it published the value of `5#6`
        # alone (or of `(3%4)$5`). Those references are wrong and left out; `solve` computes the value.
        if abs(published - evaluate(match[1], definitions)) <= TOLERANCE:
            metadata["reference"] = format_value(published)
        return question, metadata
