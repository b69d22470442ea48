"""Permutations and combinations: shelve books A, B, C, ... in positions 1..n under constraints such as
"Book C must be adjacent to book A" or "Book F must be placed in position 4". Any arrangement that places
every book once and meets every constraint is accepted; each constraint is checked on the arrangement."""

import ast
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_ANSWER_CHARS = 2000
UNQUOTED_LABELS = re.compile(r"\s*[A-Za-z]\s*(,\s*[A-Za-z]\s*)*")  # A, C, B (inside brackets or not)

# A constraint is [kind, book, book or position]; the sentences are CodeSteer's.
SENTENCES = {
    "fixed_position": "Book {0} must be placed in position {1}.",
    "left_of": "Book {0} must be to the left of book {1}.",
    "not_in_position": "Book {0} cannot be placed in position {1}.",
    "right_of": "Book {0} must be to the right of book {1}.",
    "adjacent_to": "Book {0} must be adjacent to book {1}.",
}


@dataclass
class PermutationsAndCombinationsConfig(SymbenchConfig):
    # CodeSteer shelves 6 to 9 books under (books + 1) or (books + 2) constraints.
    min_books: int = 6
    max_books: int = 9
    min_extra_constraints: int = 1  # the number of constraints is the number of books plus this
    max_extra_constraints: int = 2

    def validate(self) -> None:
        super().validate()
        self.require_span("books", 2, 12, "the solver backtracks")
        self.require_span("extra_constraints", 1 - self.min_books, 3,
                          "more constraints make a solvable draw too rare; at least one constraint in all")


class PermutationsAndCombinationsCurriculum(SymbenchCurriculum):
    config_cls = PermutationsAndCombinationsConfig
    definitions = (span("books", [4, 6, 8, 10], "books to shelve (constraints: one or two more than books)"),)


def render(items: list[str], constraints: list[list]) -> str:
    n = len(items)
    lines = "\n".join(f"{i}. {SENTENCES[kind].format(a, b)}" for i, (kind, a, b) in enumerate(constraints, 1))
    return (
        f"Xiao Wang is a librarian responsible for shelving {n} books labeled {', '.join(items)} on a shelf with "
        f"positions 1 to {n}.\n\nThe constraints are:\n{lines}\n\nQuestion:\nBased on the above conditions, please "
        f"arrange the {n} books from left to right on the bookshelf, i.e. positions 1 through {n}. Return your "
        "answer with the format <<< a list of strings >>>, one solution is enough.for example:\n"
        '<<<["A", "B", "C"]>>>\nYour answer:\n'
    )


def parse_constraint(line: str) -> list:
    """A constraint [kind, book, book or position], from its sentence."""
    for kind, sentence in SENTENCES.items():
        pattern = re.escape(sentence).replace(r"\{0\}", "([A-Z])").replace(r"\{1\}", r"([A-Z]|\d+)")
        if m := re.fullmatch(pattern, line):
            return [kind, m[1], int(m[2]) if m[2].isdigit() else m[2]]
    raise ValueError(f"unrecognised constraint {line!r}")


def violated(constraint: list, position: dict[str, int]) -> bool:
    """Whether a constraint fails on a shelf filled from the left (book -> 1-based position). Books not yet
    placed will stand to the right of all placed ones, so some failures show before the shelf is full."""
    kind, a, b = constraint
    filled = len(position)
    if kind == "fixed_position":
        return position[a] != b if a in position else b <= filled
    if kind == "not_in_position":
        return position.get(a) == b
    if kind == "left_of":
        return b in position and (a not in position or position[a] > position[b])
    if kind == "right_of":
        return a in position and (b not in position or position[a] < position[b])
    if a in position and b in position:  # adjacent_to
        return abs(position[a] - position[b]) != 1
    placed = position.get(a, position.get(b))
    return placed is not None and placed < filled  # the unplaced one can only come at filled + 1


def arrange(items: list[str], constraints: list[list]) -> list[str] | None:
    """Backtracking, left to right, rejecting a partial shelf as soon as a constraint fails on it."""
    position: dict[str, int] = {}
    shelf: list[str] = []

    def search() -> bool:
        if len(shelf) == len(items):
            return True
        for book in items:
            if book in position:
                continue
            position[book] = len(shelf) + 1
            shelf.append(book)
            if not any(violated(c, position) for c in constraints) and search():
                return True
            shelf.pop()
            del position[book]
        return False

    return list(shelf) if search() else None


def random_constraint(rng: random.Random, items: list[str]) -> list:
    kind = rng.choice(list(SENTENCES))
    if kind in ("fixed_position", "not_in_position"):
        return [kind, rng.choice(items), rng.randint(1, len(items))]
    a, b = rng.sample(items, 2)
    return [kind, a, b]


def parse_arrangement(answer: str) -> list[str]:
    """`["A", "C", "B"]`, `['A', 'C', 'B']` or `[A, C, B]` -> the book labels, in order."""
    text = answer.strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise Incorrect("answer too long")
    inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if UNQUOTED_LABELS.fullmatch(inner):
        return [label.strip() for label in inner.split(",")]
    books = ast.literal_eval(text)
    if not isinstance(books, (list, tuple)) or not all(isinstance(b, str) for b in books):
        raise Incorrect('expected a list of book labels such as ["A", "B", "C"]')
    return [b.strip() for b in books]


class PermutationsAndCombinationsDataset(SymbenchDataset):
    name = "permutations_and_combinations"
    config_cls = PermutationsAndCombinationsConfig
    curriculum_cls = PermutationsAndCombinationsCurriculum
    codesteer = ("permutations_and_combinations/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        items = list(LETTERS[: rng.randint(c.min_books, c.max_books)])
        count = len(items) + rng.randint(c.min_extra_constraints, c.max_extra_constraints)

        def draw() -> list[list] | None:  # the defaults need 3 to 4 draws on average, rarely more than 20
            constraints = [random_constraint(rng, items) for _ in range(count)]
            return constraints if arrange(items, constraints) else None

        # as CodeSteer: draw constraints until some arrangement meets them all
        constraints = self.redraw(draw, f"solvable set of {count} constraints on {len(items)} books")
        return render(items, constraints), {"items": items, "constraints": constraints}

    def check(self, answer: str, metadata: dict) -> None:
        books, items = parse_arrangement(answer), metadata["items"]
        if sorted(books) != sorted(items):
            raise Incorrect(f"must place each of the books {', '.join(items)} exactly once, got {books}"[:200])
        position = {book: i for i, book in enumerate(books, 1)}
        for i, constraint in enumerate(metadata["constraints"], 1):
            if violated(constraint, position):
                raise Incorrect(f"constraint {i} fails: {SENTENCES[constraint[0]].format(*constraint[1:])}")

    def solve(self, metadata: dict) -> str:
        books = arrange(metadata["items"], metadata["constraints"])
        if books is None:
            raise ValueError("no arrangement meets all the constraints")
        return json.dumps(books)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """A swap of two books that breaks a constraint (answers have no digits for the default to change)."""
        books = parse_arrangement(answer)
        for i in range(len(books)):
            for j in range(i + 1, len(books)):
                swapped = list(books)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                position = {book: k for k, book in enumerate(swapped, 1)}
                if any(violated(c, position) for c in metadata["constraints"]):
                    return json.dumps(swapped)
        return json.dumps(books[:-1] + books[:1])  # every swap still fits: repeat a book instead

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`permutations_and_combinations/sample_<i>/`: question.txt and solution.json (items, constraints_text,
        correct_solution)."""
        question, data = read_sample(sample)
        items, lines = data["items"], data["constraints_text"].split("\n")
        constraints = [parse_constraint(line.split(". ", 1)[1]) for line in lines]
        if render(items, constraints) != question:
            raise ValueError("question.txt does not match its solution.json")
        return question, {"items": items, "constraints": constraints, "reference": json.dumps(data["correct_solution"])}


PERMUTATIONS_AND_COMBINATIONS_CHECK = r"""
rules = []  # (kind, book, book or position)
for text in constraints:
    m = re.fullmatch(r"Book (\w) (must be placed in|cannot be placed in|must be to the left of|"
                     r"must be to the right of|must be adjacent to) (?:position|book) (\w+)\.", text)
    rules.append((m[2], m[1], int(m[3]) if m[3].isdigit() else m[3]))

shelf = json.loads(answer)
assert sorted(shelf) == sorted(books), "every book must be placed once"
at = {book: i + 1 for i, book in enumerate(shelf)}
holds = {
    "must be placed in": lambda a, b: at[a] == b,
    "cannot be placed in": lambda a, b: at[a] != b,
    "must be to the left of": lambda a, b: at[a] < at[b],
    "must be to the right of": lambda a, b: at[a] > at[b],
    "must be adjacent to": lambda a, b: abs(at[a] - at[b]) == 1,
}
for (kind, a, b), text in zip(rules, constraints):
    assert holds[kind](a, b), text
print("check passed")
"""


RULES_FROM_SENTENCES = r"""
import re

tests = {  # what each kind of sentence asks of the positions `at` (book -> 1-based position)
    "must be placed in": lambda at, a, b: at[a] == b,
    "cannot be placed in": lambda at, a, b: at[a] != b,
    "must be to the left of": lambda at, a, b: at[a] < at[b],
    "must be to the right of": lambda at, a, b: at[a] > at[b],
    "must be adjacent to": lambda at, a, b: abs(at[a] - at[b]) == 1,
}
rules = []
for text in constraints:
    m = re.fullmatch(r"Book (\w) (.+) (?:position|book) (\w+)\.", text)
    rules.append((tests[m[2]], m[1], int(m[3]) if m[3].isdigit() else m[3]))
"""

ARRANGE_BY_PERMUTATIONS = """
for shelf in itertools.permutations(books):
    at = {book: i for i, book in enumerate(shelf, 1)}
    if all(test(at, a, b) for test, a, b in rules):
        print(json.dumps(list(shelf)))
        break
"""

ARRANGE_BY_DOMAINS = """
# The positions each book may take after the one-book rules, then the most constrained book first.
domains = {book: set(range(1, len(books) + 1)) for book in books}
for test, a, b in rules:
    if isinstance(b, int):
        domains[a] = {p for p in domains[a] if test({a: p}, a, b)}
pairs = [(test, a, b) for test, a, b in rules if not isinstance(b, int)]


def place(at):
    if len(at) == len(books):
        return at
    book = min((book for book in books if book not in at), key=lambda book: len(domains[book]))
    for p in sorted(domains[book] - set(at.values())):
        at[book] = p
        if all(test(at, a, b) for test, a, b in pairs if a in at and b in at) and place(at):
            return at
        del at[book]
    return None


at = place({})
print(json.dumps(sorted(books, key=at.get)))
"""


def arrangement_in_words(items: list[str], constraints: list[list], shelf: list[str]) -> str:
    """In words: the positions the one-book rules leave each book, the shelf a left-to-right search finds, and
    each constraint checked on it."""
    n = len(items)
    allowed = {book: set(range(1, n + 1)) for book in items}
    for kind, a, b in constraints:
        if kind == "fixed_position":
            allowed[a] &= {b}
        elif kind == "not_in_position":
            allowed[a] -= {b}
    narrowed = [f"{book}: {', '.join(map(str, sorted(allowed[book])))}" for book in items
                if len(allowed[book]) < n]
    at = {book: i for i, book in enumerate(shelf, 1)}
    checks = []
    for kind, a, b in constraints:
        if kind == "fixed_position":
            checks.append(f"{a} is at {at[a]}")
        elif kind == "not_in_position":
            checks.append(f"{a} is at {at[a]}, not {b}")
        elif kind == "adjacent_to":
            checks.append(f"{a} at {at[a]} and {b} at {at[b]} are neighbours")
        else:
            checks.append(f"{a} at {at[a]} {'<' if kind == 'left_of' else '>'} {b} at {at[b]}")
    lines = [f"Positions 1-{n}. The rules about single positions leave: {'; '.join(narrowed) or 'every book free'}.",
             "Filling the shelf from the left, taking at each place the first book (in alphabetical order) that "
             "breaks no constraint so far, and stepping back where a place cannot be filled, gives "
             f"{', '.join(shelf)}.",
             "Check each constraint in turn: " + "; ".join(f"{i}. {check}" for i, check in enumerate(checks, 1))
             + ". All hold.",
             f"So the answer is {json.dumps(shelf)}"]
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `arrange` the books under the constraints, read from their sentences
    (left-to-right backtracking); every permutation of the books tested against the rules; and each book's
    possible positions narrowed by the one-book rules, then the most constrained book placed first. Its check
    tests each constraint on the shelf."""
    items, kinds = meta(item, "items"), meta(item, "constraints")
    constraints = [SENTENCES[kind].format(a, b) for kind, a, b in kinds]
    data = dict(books=items, constraints=constraints)
    return Solution(
        code=script_with_functions(
            data, parse_constraint, violated, arrange, imports="import json",
            last="print(json.dumps(arrange(books, [parse_constraint(text) for text in constraints])))"),
        check=script(data, PERMUTATIONS_AND_COMBINATIONS_CHECK, "import json\nimport re"),
        worked=arrangement_in_words(items, kinds, arrange(items, kinds)),
        alternatives=(script(data, RULES_FROM_SENTENCES + ARRANGE_BY_PERMUTATIONS, "import itertools\nimport json"),
                      script(data, RULES_FROM_SENTENCES + ARRANGE_BY_DOMAINS, "import json")))
