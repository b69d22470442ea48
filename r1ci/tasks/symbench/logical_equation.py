"""Logical equation: letters A, B, C, ... stand for distinct given numbers (one each); find them from
equations such as `C + J = 186`, `H = 3.0F`, `C - B = -44` and `A > B`. Any assignment that uses every
number once and satisfies all the equations is accepted; each equation is checked exactly."""

import ast
import random
import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample,
                                      require, span)
from r1ci.tasks.teaching import Solution, meta, script

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_ANSWER_CHARS = 2000

# One equation, parsed from CodeSteer's text forms: (left letter, right letter, kind, constant) where kind is
# "+" (A + B = c), "-" (A - B = c), "*" (A = cB), "=" (A = B), "<" or ">" (A > B).
Equation = tuple[str, str, str, Fraction]
SUM_OR_DIFFERENCE = re.compile(r"([A-Z]) ([+-]) ([A-Z]) = (-?\d+)")
MULTIPLE = re.compile(r"([A-Z]) = (\d+(?:\.\d+)?)([A-Z])")
COMPARISON = re.compile(r"([A-Z]) ([=<>]) ([A-Z])")


@dataclass
class LogicalEquationConfig(SymbenchConfig):
    # CodeSteer uses 9 to 15 letters with 0 to 3 fewer equations than letters, and numbers up to 225.
    min_letters: int = 9
    max_letters: int = 15
    min_missing_equations: int = 0  # the number of equations is the number of letters minus this
    max_missing_equations: int = 3
    max_value: int = 150

    def validate(self) -> None:
        super().validate()
        self.require_span("letters", 3, len(LETTERS))
        self.require_span("missing_equations", 0, self.min_letters - 1, "fewer than min_letters")
        require(self.max_value >= self.max_letters, "max_value must be at least max_letters (the letters need distinct "
                f"numbers), got max_value={self.max_value!r}, max_letters={self.max_letters!r}")


class LogicalEquationCurriculum(SymbenchCurriculum):
    config_cls = LogicalEquationConfig
    definitions = (span("letters", [5, 7, 9, 12, 15], "letters to find, each with its own number"),)


def render(numbers: list[int], equations: list[str]) -> str:
    letters = LETTERS[: len(numbers)]
    lines = "".join(f"{i}. {equation}\n" for i, equation in enumerate(equations, 1))
    return (
        "Calculate the number for each letter based on the range and set of inequalities that the given letter "
        f"represents. There are {len(letters)} letters {', '.join(letters)}, each representing one of the numbers "
        f"{', '.join(map(str, numbers))}. The system of inequalities is satisfied as follows:\n{lines}\n"
        "Return the answers in alphabetical order starting with A, and each element in the list represents the "
        "value of the corresponding letter. Return your answer with the format <<<list of values>>>, like "
        "<<<[1, 2, 3]>>> means that A represents 1, B represents 2, and C represents 3."
    )


def parse_equation(text: str) -> Equation:
    if m := SUM_OR_DIFFERENCE.fullmatch(text):
        return m[1], m[3], m[2], Fraction(int(m[4]))
    if (m := MULTIPLE.fullmatch(text)) and Fraction(m[2]) != 0:
        return m[1], m[3], "*", Fraction(m[2])
    if m := COMPARISON.fullmatch(text):
        return m[1], m[3], m[2], Fraction(0)
    raise ValueError(f"unrecognised equation {text!r}")


def holds(equation: Equation, a: Fraction, b: Fraction) -> bool:
    """Whether the equation is true with `a` for its left letter and `b` for its right one."""
    kind, c = equation[2:]
    if kind == "+":
        return a + b == c
    if kind == "-":
        return a - b == c
    if kind == "*":
        return a == c * b
    return {"=": a == b, "<": a < b, ">": a > b}[kind]


def forced_partner(equation: Equation, letter: str, value: Fraction) -> Fraction | None:
    """The value the equation's other letter must take once `letter` has `value` (None for < and >)."""
    kind, c = equation[2:]
    is_left = letter == equation[0]
    if kind == "+":
        return c - value
    if kind == "-":
        return value - c if is_left else value + c
    if kind == "*":
        return value / c if is_left else c * value
    return value if kind == "=" else None


def random_equation(rng: random.Random, values: dict[str, int]) -> str:
    """A true equation about two letters, mostly sums, differences and multiples, as CodeSteer draws them."""
    x, y = rng.sample(list(values), 2)
    if rng.random() < 0.05:
        x, y = (x, y) if values[x] > values[y] else (y, x)
        return f"{x} > {y}"
    kind = rng.choice(["multiple", "difference", "sum"])
    if kind == "multiple":
        # factors 1.1 to 4.9 in steps of 0.1, written like CodeSteer's floats (3.0, 1.5)
        multiples = [(p, q, 10 * values[p] // values[q]) for p in values for q in values
                     if p != q and 10 * values[p] % values[q] == 0 and 11 <= 10 * values[p] // values[q] <= 49]
        if multiples:
            p, q, tenths = rng.choice(multiples)
            return f"{p} = {tenths // 10}.{tenths % 10}{q}"
        kind = "difference"  # no two numbers are such multiples
    if kind == "sum":
        x, y = sorted((x, y))
        return f"{x} + {y} = {values[x] + values[y]}"
    return f"{x} - {y} = {values[x] - values[y]}"


def solve_assignment(numbers: list[int], equations: list[Equation]) -> list[int] | None:
    """Backtracking over letters, the most linked first. Setting a letter also sets every letter that its
    sums, differences and multiples fix, so each connected group of letters costs one choice."""
    letters = LETTERS[: len(numbers)]
    unused = Counter(numbers)
    values: dict[str, Fraction] = {}
    linked = {letter: [e for e in equations if letter in e[:2]] for letter in letters}

    def assign(letter: str, value: Fraction, trail: list[str]) -> bool:
        """Set `letter` and what it forces, recording each letter set in `trail`; False on a contradiction."""
        pending = [(letter, value)]
        while pending:
            x, v = pending.pop()
            if x in values:
                if values[x] != v:
                    return False
                continue
            if v.denominator != 1 or not unused[int(v)]:
                return False
            values[x] = v
            unused[int(v)] -= 1
            trail.append(x)
            for equation in linked[x]:
                other = equation[1] if equation[0] == x else equation[0]
                forced = forced_partner(equation, x, v)
                if forced is not None:
                    pending.append((other, forced))
                elif other in values and not holds(equation, values[equation[0]], values[equation[1]]):
                    return False
        return True

    def undo(trail: list[str]) -> None:
        for x in trail:
            unused[int(values.pop(x))] += 1

    def search() -> bool:
        free = [letter for letter in letters if letter not in values]
        if not free:
            return True
        letter = max(free, key=lambda x: len(linked[x]))
        for number in sorted(n for n in unused if unused[n]):
            trail: list[str] = []
            if assign(letter, Fraction(number), trail) and search():
                return True
            undo(trail)
        return False

    return [int(values[letter]) for letter in letters] if search() else None


class LogicalEquationDataset(SymbenchDataset):
    name = "logical_equation"
    config_cls = LogicalEquationConfig
    curriculum_cls = LogicalEquationCurriculum
    codesteer = ("logical_equation/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        count = rng.randint(c.min_letters, c.max_letters)
        numbers = sorted(rng.sample(range(1, c.max_value + 1), count))
        hidden = dict(zip(LETTERS, rng.sample(numbers, count)))
        wanted = count - rng.randint(c.min_missing_equations, c.max_missing_equations)
        equations: list[str] = []

        def new_equation() -> str | None:  # there are count*(count-1) distinct differences alone
            equation = random_equation(rng, hidden)
            return equation if equation not in equations else None

        while len(equations) < wanted:
            equations.append(self.redraw(new_equation, "equation that is not listed yet"))
        return render(numbers, equations), {"numbers": numbers, "equations": equations}

    def check(self, answer: str, metadata: dict) -> None:
        numbers = metadata["numbers"]
        if len(answer) > MAX_ANSWER_CHARS:
            raise Incorrect("answer too long")
        values = ast.literal_eval(answer.strip())
        if not isinstance(values, (list, tuple)) or not all(
            type(v) in (int, float) and v == int(v) for v in values  # int(nan) raises: malformed, scored 0
        ):
            raise Incorrect("expected a list of whole numbers such as [3, 80, 36]")
        if len(values) != len(numbers):
            raise Incorrect(f"expected {len(numbers)} values (one per letter), got {len(values)}")
        if sorted(int(v) for v in values) != sorted(numbers):
            raise Incorrect(f"must use each of {numbers} exactly once")
        assignment = {letter: Fraction(int(v)) for letter, v in zip(LETTERS, values)}
        for i, equation in enumerate(metadata["equations"], 1):
            parsed = parse_equation(equation)
            if not holds(parsed, assignment[parsed[0]], assignment[parsed[1]]):
                raise Incorrect(f"equation {i} ({equation}) does not hold")

    def solve(self, metadata: dict) -> str:
        solution = solve_assignment(metadata["numbers"], [parse_equation(e) for e in metadata["equations"]])
        if solution is None:
            raise ValueError(f"no assignment satisfies {metadata['equations']}")
        return str(solution)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`logical_equation/sample_<letters>_<equations>_<i>/`: question.txt and solution.json (the values)."""
        question, reference = read_sample(sample)
        listed = re.search(r"one of the numbers ([\d, ]+)\. The system", question)
        equations = re.findall(r"^\d+\. (.+)$", question, re.MULTILINE)
        if not listed or not equations:
            raise ValueError("question.txt: cannot find the numbers and equations")
        numbers = [int(n) for n in listed[1].split(", ")]
        if render(numbers, equations) != question:
            raise ValueError("question.txt does not have CodeSteer's layout")
        for equation in equations:
            parse_equation(equation)  # a ValueError names the equation it cannot read
        if not (isinstance(reference, list) and all(type(v) is int for v in reference)):
            raise ValueError("solution.json is not a list of integers")
        return question, {"numbers": numbers, "equations": equations, "reference": str(reference)}


LOGICAL_EQUATION = r"""
letters = [chr(ord("A") + i) for i in range(len(numbers))]
tests = []  # (left letter, right letter, test of their values)
for eq in equations:
    if m := re.fullmatch(r"([A-Z]) ([+-]) ([A-Z]) = (-?\d+)", eq):
        sign, total = (1 if m[2] == "+" else -1), int(m[4])
        tests.append((m[1], m[3], lambda x, y, sign=sign, total=total: x + sign * y == total))
    elif m := re.fullmatch(r"([A-Z]) = (\d+(?:\.\d+)?)([A-Z])", eq):
        factor = Fraction(m[2])
        tests.append((m[1], m[3], lambda x, y, factor=factor: x == factor * y))
    elif m := re.fullmatch(r"([A-Z]) ([<>]) ([A-Z])", eq):
        tests.append((m[1], m[3], (lambda x, y: x > y) if m[2] == ">" else (lambda x, y: x < y)))
    else:
        raise ValueError(f"cannot read {eq!r}")



def ties(x, placed):
    # How many equations tie x to letters already placed, then to any letter.
    links = [t for t in tests if x in t[:2]]
    return sum(set(t[:2]) - {x} <= placed for t in links), len(links)


# Order the letters so that each one is tied by equations to letters before it, then backtrack.
order = []
while len(order) < len(letters):
    order.append(max((x for x in letters if x not in order), key=lambda x: ties(x, set(order))))
due = [[t for t in tests if order[i] in t[:2] and set(t[:2]) <= set(order[:i + 1])] for i in range(len(order))]
value = {}


def search(i, unused):
    if i == len(order):
        return True
    for v in sorted(unused):
        value[order[i]] = v
        if all(test(value[a], value[b]) for a, b, test in due[i]) and search(i + 1, unused - {v}):
            return True
    del value[order[i]]
    return False


assert search(0, set(numbers))
print([value[x] for x in letters])
"""
LOGICAL_EQUATION_CHECK = r"""
values = json.loads(answer)
assert sorted(values) == sorted(numbers), "every number must be used once"
env = {chr(ord("A") + i): Fraction(v) for i, v in enumerate(values)}
for eq in equations:  # as Python: "K = 4.0J" -> "K == Fraction('4.0') * J"
    expr = re.sub(r"(\d+\.\d+)([A-Z])", r"Fraction('\1') * \2", eq).replace(" = ", " == ")
    assert eval(expr, {"Fraction": Fraction}, env), f"{eq} does not hold"
print("check passed")
"""


# Alternatives: the letters tied by sums, differences and multiples form groups, where one letter's number fixes
# all the others; each group's possible fillings are listed, then combined without reusing a number. And a
# constraint network: each letter's candidates pruned against every equation until nothing changes (arc
# consistency), then a search that fills the letter with the fewest candidates first.
BY_GROUPS = r"""
letters = [chr(ord("A") + i) for i in range(len(numbers))]
relations = []  # (left, right, kind, constant); kind "+", "-", "*", or a comparison "=", "<", ">"
for eq in equations:
    words = eq.split()
    if len(words) == 5:
        relations.append((words[0], words[2], words[1], Fraction(words[4])))
    elif len(words[2]) == 1:
        relations.append((words[0], words[2], words[1], None))
    else:
        relations.append((words[0], words[2][-1], "*", Fraction(words[2][:-1])))


def partner(relation, letter, value):
    # the value the relation's other letter must have, or None when it only compares
    left, _, kind, c = relation
    if kind == "+":
        return c - value
    if kind == "-":
        return value - c if letter == left else value + c
    if kind == "*":
        return value / c if letter == left else value * c
    return value if kind == "=" else None


def fillings(root):
    # every way to fill root's group: root takes each number, the relations fix the rest
    options = []
    for number in numbers:
        value, todo, ok = {root: Fraction(number)}, [root], True
        while todo and ok:
            x = todo.pop()
            for rel in relations:
                if x in rel[:2] and (v := partner(rel, x, value[x])) is not None:
                    y = rel[1] if rel[0] == x else rel[0]
                    if y not in value:
                        value[y] = v
                        todo.append(y)
                    ok = ok and value[y] == v
        used = list(value.values())
        if ok and all(v in numbers for v in used) and len(set(used)) == len(used):
            options.append({x: int(v) for x, v in value.items()})
    return options


groups, grouped = [], set()
for letter in letters:
    if letter not in grouped:
        options = fillings(letter)
        groups.append(options)
        grouped |= set(options[0]) if options else {letter}


def compare(kind, a, b):
    return {"=": a == b, "<": a < b, ">": a > b}[kind]


def combine(k, chosen):
    # one filling per group, no number used twice; the comparisons checked at the end
    if k == len(groups):
        return all(compare(kind, chosen[a], chosen[b]) for a, b, kind, c in relations if c is None) and chosen
    for option in groups[k]:
        if not set(option.values()) & set(chosen.values()):
            if found := combine(k + 1, chosen | option):
                return found
    return None


values = combine(0, {})
print([values[x] for x in letters])
"""
BY_PRUNING = r"""
letters = [chr(ord("A") + i) for i in range(len(numbers))]
constraints = []  # (the two letters, the equation as a Python test of their values)
for eq in equations:
    test = re.sub(r"(\d+\.\d+)([A-Z])", r"Fraction('\1') * \2", eq).replace(" = ", " == ")
    constraints.append((re.findall(r"[A-Z]", eq), test))


def holds(test, x, y, a, b):
    return eval(test, {"Fraction": Fraction, x: a, y: b})


candidates = {x: set(numbers) for x in letters}
changed = True
while changed:  # keep a value only if the other letter of every equation has a value that agrees with it
    changed = False
    for (x, y), test in constraints:
        keep_x = {a for a in candidates[x] if any(holds(test, x, y, a, b) for b in candidates[y] if b != a)}
        keep_y = {b for b in candidates[y] if any(holds(test, x, y, a, b) for a in keep_x if a != b)}
        if keep_x != candidates[x] or keep_y != candidates[y]:
            candidates[x], candidates[y], changed = keep_x, keep_y, True


def search(value):
    if len(value) == len(letters):
        return value
    x = min((x for x in letters if x not in value), key=lambda x: len(candidates[x]))
    for a in sorted(candidates[x] - set(value.values())):
        trial = value | {x: a}
        if all(holds(test, p, q, trial[p], trial[q]) for (p, q), test in constraints if p in trial and q in trial):
            if found := search(trial):
                return found
    return None


values = search({})
print([values[x] for x in letters])
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: a backtracking of its own, letters ordered by how many equations tie them
    to letters placed before, each equation tested once both its letters are set. Another method than the
    task's `solve_assignment` (which sets every letter an equation forces along with the one it tries), kept as
    a second, simpler search; alternatives fill groups of tied letters and combine them, or prune each letter's
    candidates to arc consistency before searching; its check tests every equation exactly. No worked solution:
    a search over up to 15 letters runs long in words."""
    data = dict(numbers=meta(item, "numbers"), equations=meta(item, "equations"))
    imports = "import re\nfrom fractions import Fraction"
    return Solution(code=script(data, LOGICAL_EQUATION, imports),
                    check=script(data, LOGICAL_EQUATION_CHECK, "import json\n" + imports),
                    alternatives=(script(data, BY_GROUPS, "from fractions import Fraction"),
                                  script(data, BY_PRUNING, imports)))
