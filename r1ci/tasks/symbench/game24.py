"""Game 24 (and its CodeSteer variants to other targets): combine all the numbers, each exactly once,
with + - * / and parentheses, to reach the target. Any valid expression is accepted; the checker evaluates
it exactly with fractions after parsing it with `ast` (never `eval`) and accepts only the exact target.

CodeSteer's generator accepted solutions within ~1e-6 of the target, and some of its published solutions for
8 to 80 numbers are such near misses (e.g. `24+276/(538*(579+...))`). A tolerance would also accept other
wrong answers, so those solutions are kept as data (`inexact_reference`), never as answers; the solver finds
an exact one instead.
"""

import ast
import csv
import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob

EXAMPLES = (
    "Input: 9 10 11 13, Answer: ((10-9)*(11+13)) = 24 Input: 4 10 10 11, Answer: ((4*11)-(10+10)) = 24 "
    "Input: 5 6 13 13, Answer: ((5-(13/13))*6)Input: 2 6 6 7, Answer: ((6+(6*7))/2) "
    "Input: 2 6 10 18, Answer: (2-(6-(10+18)))"
)
MAX_EXHAUSTIVE = 6  # numbers the exhaustive search handles quickly; more go through `signed_sum` first


@dataclass
class Game24Config(SymbenchConfig):
    target: int = 24
    count: int = 4  # how many numbers
    min_value: int = 1
    max_value: int = 13

    def validate(self) -> None:
        super().validate()
        self.require_range("count", 2, MAX_EXHAUSTIVE, "the solver is exhaustive")
        self.require_span("value", 1, None)


class Game24Curriculum(SymbenchCurriculum):
    config_cls = Game24Config
    definitions = (
        knob("count", [3, 4, 5, 6], "how many numbers to combine"),
        knob("max_value", [10, 13, 20, 25], "the largest number drawn"),
    )


def render(numbers: list[int], target: int) -> str:
    return (
        f"Use numbers and basic arithmetic operations (+ - * /) to obtain {target}. Each number should be used "
        f"only once but each number has to be used in the equation. {EXAMPLES}Input: "
        + "".join(f"{n} " for n in numbers)
        + "Answer:\nOutput final answer with the format <<<answer>>>."
    )


def solve_numbers(numbers: list[int], target: int) -> str | None:
    """Exhaustive search over combinations of the remaining values; returns an expression or None."""
    target = Fraction(target)

    def search(values: list[tuple[Fraction, str]]) -> str | None:
        if len(values) == 1:
            return values[0][1] if values[0][0] == target else None
        for i, j in itertools.combinations(range(len(values)), 2):
            (a, ea), (b, eb) = values[i], values[j]
            rest = [v for k, v in enumerate(values) if k not in (i, j)]
            options = [(a + b, f"({ea}+{eb})"), (a * b, f"({ea}*{eb})"),
                       (a - b, f"({ea}-{eb})"), (b - a, f"({eb}-{ea})")]
            if b != 0:
                options.append((a / b, f"({ea}/{eb})"))
            if a != 0:
                options.append((b / a, f"({eb}/{ea})"))
            for value in options:
                found = search(rest + [value])
                if found:
                    return found
        return None

    return search([(Fraction(n), str(n)) for n in numbers])


def parity_terms(numbers: list[int]) -> list[tuple[int, str, set[int]]]:
    """Terms `(y-x)*z` over three of the numbers whose value differs in parity from the three's sum, smallest
    first, as (value, expression, indices used); x and y are neighbours in value, so y-x is small."""
    order = sorted(range(len(numbers)), key=numbers.__getitem__)
    terms = []
    for i, j in zip(order, order[1:]):
        x, y = numbers[i], numbers[j]
        for k in order:
            z = numbers[k]
            if k not in (i, j) and ((y - x) * z - x - y - z) % 2:
                terms.append(((y - x) * z, f"(({y}-{x})*{z})", {i, j, k}))
    return sorted(terms, key=lambda term: term[0])


def signed_sum(numbers: list[int], target: int, tries: int = 10) -> str | None:
    """An exact answer for many numbers, where exhaustive search is hopeless: `(a+b+...)-(c+d+...)`, the
    numbers split into two groups whose sums differ by the target (found by subset sum over bit sets).

    A split exists only if the total and the target have the same parity; otherwise three numbers enter as
    one term of the other parity (see `parity_terms`). None if no split is found.
    """
    options = [[(n, str(n)) for n in numbers]]
    if (sum(numbers) + target) % 2:
        options = [[(n, str(n)) for k, n in enumerate(numbers) if k not in used] + [(value, text)]
                   for value, text, used in parity_terms(numbers)[:tries]]
    for terms in options:
        total = sum(value for value, _ in terms)
        if target > total or (total + target) % 2:
            continue
        goal = (total + target) // 2  # what the added group sums to
        reachable = [1]  # bit s of reachable[i]: some of the first i terms sum to s
        for value, _ in terms:
            reachable.append(reachable[-1] | reachable[-1] << value)
        if not reachable[-1] >> goal & 1:
            continue
        added, subtracted = [], []
        for i in range(len(terms), 0, -1):
            value, text = terms[i - 1]
            if reachable[i - 1] >> goal & 1:
                subtracted.append(text)
            else:
                added.append(text)
                goal -= value
        return f"({'+'.join(added)})" + (f"-({'+'.join(subtracted)})" if subtracted else "")
    return None


OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
       ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def evaluate(expression: str, negation: bool = False) -> tuple[Fraction, list[int]]:
    """Exact value of an arithmetic expression and the integer literals it uses, in order; `negation` also
    allows a unary minus (reasoning-gym's countdown writes `-19 + 36 + ...`)."""
    used: list[int] = []

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise Incorrect("division by zero")
            return OPS[type(node.op)](left, right)
        if negation and isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            used.append(node.value)
            return Fraction(node.value)
        raise Incorrect(f"only integers, + - * / and parentheses are allowed, found {ast.unparse(node)!r}")

    text = expression.replace("×", "*").replace("÷", "/").replace("−", "-")
    if len(text) > 5000:
        raise Incorrect("expression too long")
    return walk(ast.parse(text, mode="eval").body), used


def check_expression(expression: str, numbers: list[int], target: int, negation: bool = False) -> None:
    """Raises Incorrect unless `expression` uses each of `numbers` exactly once, nothing else but + - * / and
    parentheses (and a unary minus with `negation`), and equals `target` exactly (also rg/countdown's rule)."""
    value, used = evaluate(expression, negation)
    if sorted(used) != sorted(numbers):
        raise Incorrect(f"uses {sorted(used)}, must use each of {sorted(numbers)} exactly once")
    if value != target:
        raise Incorrect(f"evaluates to {value}, not {target}")


class Game24Dataset(SymbenchDataset):
    name = "game24"
    config_cls = Game24Config
    curriculum_cls = Game24Curriculum
    codesteer = ("game24_dataset/*/*.csv",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> list[int] | None:
            numbers = sorted(rng.randint(c.min_value, c.max_value) for _ in range(c.count))
            return numbers if solve_numbers(numbers, c.target) else None

        numbers = self.redraw(draw, f"{c.count} numbers that reach {c.target}")
        return render(numbers, c.target), {"numbers": numbers, "target": c.target}

    def check(self, answer: str, metadata: dict) -> None:
        expression = answer.strip()
        if "=" in expression:  # "((10-9)*(11+13)) = 24" is the examples' style
            expression, _, rhs = expression.partition("=")
            if rhs.strip() and rhs.strip() != str(metadata["target"]):
                raise Incorrect(f"the right-hand side {rhs.strip()!r} is not the target")
        check_expression(expression, metadata["numbers"], metadata["target"])

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        numbers, target = metadata["numbers"], metadata["target"]
        found = signed_sum(numbers, target) if len(numbers) > MAX_EXHAUSTIVE else None
        found = found or solve_numbers(numbers, target)
        if found is None:
            raise ValueError(f"no solution for {numbers} -> {target}")
        return found

    @classmethod
    def load_codesteer(cls, root: Path):
        """`game24_dataset/<target>/*.csv`: rows of `Puzzles` (space-separated) and, in most files, `Solutions`.
        A CSV holds many instances, so this replaces the one-instance-per-path loop of the base class. A
        published solution that misses the target becomes `inexact_reference` (see the module docstring)."""
        checker = cls()
        for path in cls.codesteer_paths(root):
            target = int(path.parent.name)
            with path.open(newline="") as f:
                for row in csv.DictReader(f):
                    numbers = [int(x) for x in row["Puzzles"].split()]
                    metadata = {"numbers": numbers, "target": target}
                    if row.get("Solutions"):
                        solution = row["Solutions"].strip()
                        try:
                            checker.check(solution, metadata)
                        except Incorrect:
                            metadata["inexact_reference"] = solution
                        else:
                            metadata["reference"] = solution
                    yield f"{path.relative_to(root)}#{row['Rank']}", render(numbers, target), metadata
