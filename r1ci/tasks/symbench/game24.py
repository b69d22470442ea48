"""Game 24 (and its CodeSteer variants to other targets): combine all the numbers, each exactly once,
with + - * / and parentheses, to reach the target. Any valid expression is accepted; the checker evaluates
it exactly with fractions after parsing it with `ast` (never `eval`)."""

import ast
import csv
import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchDataset

EXAMPLES = (
    "Input: 9 10 11 13, Answer: ((10-9)*(11+13)) = 24 Input: 4 10 10 11, Answer: ((4*11)-(10+10)) = 24 "
    "Input: 5 6 13 13, Answer: ((5-(13/13))*6)Input: 2 6 6 7, Answer: ((6+(6*7))/2) "
    "Input: 2 6 10 18, Answer: (2-(6-(10+18)))"
)


@dataclass
class Game24Config(SymbenchConfig):
    target: int = 24
    count: int = 4  # how many numbers
    min_value: int = 1
    max_value: int = 13

    def validate(self) -> None:
        super().validate()
        assert 2 <= self.count <= 6, "count must be in [2, 6] (the solver is exhaustive)"
        assert 1 <= self.min_value <= self.max_value


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


OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
       ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


def evaluate(expression: str) -> tuple[Fraction, list[int]]:
    """Exact value of an arithmetic expression and the integer literals it uses, in order."""
    used: list[int] = []

    def walk(node: ast.AST) -> Fraction:
        if isinstance(node, ast.BinOp) and type(node.op) in OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise Incorrect("division by zero")
            return OPS[type(node.op)](left, right)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            used.append(node.value)
            return Fraction(node.value)
        raise Incorrect(f"only integers, + - * / and parentheses are allowed, found {ast.unparse(node)!r}")

    text = expression.replace("×", "*").replace("÷", "/").replace("−", "-")
    if len(text) > 5000:
        raise Incorrect("expression too long")
    return walk(ast.parse(text, mode="eval").body), used


# The published references for 8 to 80 numbers reach the target only to within ~1e-6 (their generator
# accepted that), so values this close count. With 4 small numbers no other value comes near it.
TOLERANCE = Fraction(1, 10**6)


class Game24Dataset(SymbenchDataset):
    name = "game24"
    config_cls = Game24Config

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        while True:
            numbers = sorted(rng.randint(c.min_value, c.max_value) for _ in range(c.count))
            if solve_numbers(numbers, c.target):
                return render(numbers, c.target), {"numbers": numbers, "target": c.target}

    def check(self, answer: str, metadata: dict) -> None:
        expression = answer.strip()
        if "=" in expression:  # "((10-9)*(11+13)) = 24" is the examples' style
            expression, _, rhs = expression.partition("=")
            if rhs.strip() and rhs.strip() != str(metadata["target"]):
                raise Incorrect(f"the right-hand side {rhs.strip()!r} is not the target")
        value, used = evaluate(expression)
        if sorted(used) != sorted(metadata["numbers"]):
            raise Incorrect(f"uses {sorted(used)}, must use each of {sorted(metadata['numbers'])} exactly once")
        if abs(value - metadata["target"]) > TOLERANCE:
            raise Incorrect(f"evaluates to {value}, not {metadata['target']}")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        found = solve_numbers(metadata["numbers"], metadata["target"])
        if found is None:
            raise ValueError(f"no solution for {metadata['numbers']} -> {metadata['target']}")
        return found

    @classmethod
    def load_codesteer(cls, root: Path):
        """`game24_dataset/<target>/*.csv`: rows of `Puzzles` (space-separated) and, in most files, `Solutions`."""
        for path in sorted((root / "game24_dataset").glob("*/*.csv")):
            target = int(path.parent.name)
            with path.open(newline="") as f:
                for row in csv.DictReader(f):
                    numbers = [int(x) for x in row["Puzzles"].split()]
                    metadata = {"numbers": numbers, "target": target}
                    if row.get("Solutions"):
                        metadata["reference"] = row["Solutions"].strip()
                    yield f"{path.relative_to(root)}#{row['Rank']}", render(numbers, target), metadata
