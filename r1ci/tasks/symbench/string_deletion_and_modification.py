"""String deletion and modification: a string over a, b, c and six rewrite rules drawn from a pool of 20. At each
step the first rule (in the listed order) that applies is applied; this repeats until no rule applies. The answer
is the final string.

The process is deterministic (that is how CodeSteer computed its published answers), so the checker replays it
and compares strings after trimming whitespace and optional quotes. Rule sets that never stop are not generated."""

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, meta, script


def _drop_inner_ca(s: str) -> str | None:
    at = s.find("ca", 1)
    return s[:at] + s[at + 2:] if at != -1 else None


# Each rule returns the rewritten string, or None when it does not apply.
RULES: dict[str, Callable[[str], str | None]] = {
    "If the string prefix is 'ab', replace it with 'ca'.":
        lambda s: "ca" + s[2:] if s.startswith("ab") else None,
    "If the string suffix is 'ac', replace it with 'cb'.":
        lambda s: s[:-2] + "cb" if s.endswith("ac") else None,
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.":
        lambda s: s[2:] + "aa" if s.startswith("bc") else None,
    "If the string suffix is 'bb', delete the last two characters.":
        lambda s: s[:-2] if s.endswith("bb") else None,
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.":
        lambda s: "aa" + s[2:-1] if s.startswith("cb") else None,
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.":
        lambda s: "bb" + s[2:] + "c" if s.startswith("ca") else None,
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.":
        lambda s: "a" + s[:-2] + "b" if s.endswith("cc") else None,
    "If the string prefix is 'aa', remove the first character.":
        lambda s: s[1:] if s.startswith("aa") else None,
    "If the string contains 'abc', replace the first occurrence with 'cab'.":
        lambda s: s.replace("abc", "cab", 1) if "abc" in s else None,
    "If the string contains 'bca', delete the first occurrence entirely.":
        lambda s: s.replace("bca", "", 1) if "bca" in s else None,
    "If the string ends with 'ba', replace it with 'ab'.":
        lambda s: s[:-2] + "ab" if s.endswith("ba") else None,
    "If the string starts with 'cc', remove the first two characters.":
        lambda s: s[2:] if s.startswith("cc") else None,
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').":
        lambda s: s.replace("acb", "bca", 1) if "acb" in s else None,
    "If the string ends with 'ca', remove the last character.":
        lambda s: s[:-1] if s.endswith("ca") else None,
    "If the string starts with 'bb', remove the second character.":
        lambda s: s[0] + s[2:] if s.startswith("bb") else None,
    "If the string ends with 'aa', replace it with 'cc'.":
        lambda s: s[:-2] + "cc" if s.endswith("aa") else None,
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        _drop_inner_ca,
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        lambda s: s + "ab" if s.count("b") and s.count("b") % 2 == 0 else None,
    "If the string length is greater than 15, remove the middle character.":
        lambda s: s[:len(s) // 2] + s[len(s) // 2 + 1:] if len(s) > 15 else None,
    "If the string starts with 'ac', replace the first two characters with 'zz'.":
        lambda s: "zz" + s[2:] if s.startswith("ac") else None,
}

MAX_STEPS = 500  # rule sets still rewriting after this many steps are treated as non-terminating


@dataclass
class StringDeletionAndModificationConfig(SymbenchConfig):
    min_length: int = 10
    max_length: int = 20
    num_rules: int = 6
    min_operations: int = 4  # CodeSteer kept only instances needing at least 4 rewrites

    def validate(self) -> None:
        super().validate()
        self.require_span("length", 1, 100)
        self.require_range("num_rules", 1, len(RULES))
        self.require_range("min_operations", 0, 10, "longer runs are too rare to draw by rejection")


class StringDeletionAndModificationCurriculum(SymbenchCurriculum):
    config_cls = StringDeletionAndModificationConfig
    definitions = (span("length", [5, 10, 20, 30], "characters in the starting string"),)


def render(initial: str, rules: list[str]) -> str:
    listed = "\n".join(f"{i}. {rule}" for i, rule in enumerate(rules, 1))
    return (
        "Cycle through the following operations one at a time until no further operations can be performed:\n\n"
        f"{listed}\n\n"
        f"For the string \"{initial}\", what is the final string after performing all operations?\n\n"
        "Provide your answer as a string in the following format:\n\n"
        "<<< \"some_final_string\" >>>\n"
    )


def run(initial: str, rules: list[str]) -> list[str] | None:
    """The states from `initial` to the final string, or None if the rewriting does not stop."""
    states, seen = [initial], {initial}
    while len(states) <= MAX_STEPS:
        s = states[-1]
        for rule in rules:
            rewritten = RULES[rule](s)
            if rewritten is not None:
                break
        else:
            return states
        if rewritten in seen:
            return None  # a cycle
        states.append(rewritten)
        seen.add(rewritten)
    return None


def final_string(metadata: dict) -> str:
    states = run(metadata["initial_string"], metadata["selected_rules"])
    if states is None:
        raise ValueError(f"rewriting {metadata['initial_string']!r} does not terminate")
    return states[-1]


class StringDeletionAndModificationDataset(SymbenchDataset):
    name = "string_deletion_and_modification"
    config_cls = StringDeletionAndModificationConfig
    curriculum_cls = StringDeletionAndModificationCurriculum
    codesteer = ("string_deletion_and_modification/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> dict | None:
            initial = "".join(rng.choices("abc", k=rng.randint(c.min_length, c.max_length)))
            rules = rng.sample(list(RULES), c.num_rules)
            states = run(initial, rules)
            if states is None or len(states) - 1 < c.min_operations:
                return None
            return {"initial_string": initial, "selected_rules": rules}

        metadata = self.redraw(draw, f"string and rules that stop after {c.min_operations} rewrites or more")
        return render(metadata["initial_string"], metadata["selected_rules"]), metadata

    def check(self, answer: str, metadata: dict) -> None:
        given = answer.strip()
        if len(given) >= 2 and given[0] == given[-1] and given[0] in "\"'`":
            given = given[1:-1].strip()
        if given != final_string(metadata):
            raise Incorrect(f"wrong final string {given[:60]!r}")

    def solve(self, metadata: dict) -> str:
        return f'"{final_string(metadata)}"'

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`string_deletion_and_modification/sample_<i>/`: question.txt and solution.json (initial string, rule
        texts, final string)."""
        question, solution = read_sample(sample)
        unknown = [r for r in solution.get("selected_rules", []) if r not in RULES]
        if unknown or "initial_string" not in solution or "final_string" not in solution:
            raise ValueError(f"solution.json: unexpected content (unknown rules: {unknown})")
        metadata = {"initial_string": solution["initial_string"], "selected_rules": solution["selected_rules"],
                    "reference": f'"{solution["final_string"]}"'}
        return question, metadata


# The code of each rule of string_deletion_and_modification, keyed by the rule's text.
REWRITES = {
    "If the string prefix is 'ab', replace it with 'ca'.":
        'if s.startswith("ab"):\n    return "ca" + s[2:]',
    "If the string suffix is 'ac', replace it with 'cb'.":
        'if s.endswith("ac"):\n    return s[:-2] + "cb"',
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.":
        'if s.startswith("bc"):\n    return s[2:] + "aa"',
    "If the string suffix is 'bb', delete the last two characters.":
        'if s.endswith("bb"):\n    return s[:-2]',
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.":
        'if s.startswith("cb"):\n    return "aa" + s[2:-1]',
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.":
        'if s.startswith("ca"):\n    return "bb" + s[2:] + "c"',
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.":
        'if s.endswith("cc"):\n    return "a" + s[:-2] + "b"',
    "If the string prefix is 'aa', remove the first character.":
        'if s.startswith("aa"):\n    return s[1:]',
    "If the string contains 'abc', replace the first occurrence with 'cab'.":
        'if "abc" in s:\n    return s.replace("abc", "cab", 1)',
    "If the string contains 'bca', delete the first occurrence entirely.":
        'if "bca" in s:\n    return s.replace("bca", "", 1)',
    "If the string ends with 'ba', replace it with 'ab'.":
        'if s.endswith("ba"):\n    return s[:-2] + "ab"',
    "If the string starts with 'cc', remove the first two characters.":
        'if s.startswith("cc"):\n    return s[2:]',
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').":
        'if "acb" in s:\n    return s.replace("acb", "bca", 1)',
    "If the string ends with 'ca', remove the last character.":
        'if s.endswith("ca"):\n    return s[:-1]',
    "If the string starts with 'bb', remove the second character.":
        'if s.startswith("bb"):\n    return s[0] + s[2:]',
    "If the string ends with 'aa', replace it with 'cc'.":
        'if s.endswith("aa"):\n    return s[:-2] + "cc"',
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        'i = s.find("ca", 1)\nif i != -1:\n    return s[:i] + s[i + 2:]',
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        'if s.count("b") > 0 and s.count("b") % 2 == 0:\n    return s + "ab"',
    "If the string length is greater than 15, remove the middle character.":
        'if len(s) > 15:\n    return s[:len(s) // 2] + s[len(s) // 2 + 1:]',
    "If the string starts with 'ac', replace the first two characters with 'zz'.":
        'if s.startswith("ac"):\n    return "zz" + s[2:]',
}


# The same rules as regular expressions: (pattern, replacement) for one `re.subn(..., count=1)`.
REGEX_REWRITES = {
    "If the string prefix is 'ab', replace it with 'ca'.": (r"^ab", "ca"),
    "If the string suffix is 'ac', replace it with 'cb'.": (r"ac$", "cb"),
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.": (r"^bc(.*)$", r"\1aa"),
    "If the string suffix is 'bb', delete the last two characters.": (r"bb$", ""),
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.": (r"^cb(?:(.*).)?$", r"aa\1"),
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.": (r"^ca(.*)$", r"bb\1c"),
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.": (r"^(.*)cc$", r"a\1b"),
    "If the string prefix is 'aa', remove the first character.": (r"^a(?=a)", ""),
    "If the string contains 'abc', replace the first occurrence with 'cab'.": (r"abc", "cab"),
    "If the string contains 'bca', delete the first occurrence entirely.": (r"bca", ""),
    "If the string ends with 'ba', replace it with 'ab'.": (r"ba$", "ab"),
    "If the string starts with 'cc', remove the first two characters.": (r"^cc", ""),
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').": (r"acb", "bca"),
    "If the string ends with 'ca', remove the last character.": (r"(?<=c)a$", ""),
    "If the string starts with 'bb', remove the second character.": (r"^bb", "b"),
    "If the string ends with 'aa', replace it with 'cc'.": (r"aa$", "cc"),
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        (r"(?<=.)ca", ""),
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        (r"^((?:[^b]*b[^b]*b)+[^b]*)$", r"\1ab"),
    "If the string length is greater than 15, remove the middle character.":
        (r"^.{16,}$", None),  # None: the program removes the middle character, whose place depends on the length
    "If the string starts with 'ac', replace the first two characters with 'zz'.": (r"^ac", "zz"),
}

REWRITE_BY_REGEX = r"""
def step(s):
    # The first rule whose pattern matches, applied once; None when none does.
    for pattern, replacement in rules:
        if replacement is None:  # remove the middle character, whose place depends on the length
            if re.fullmatch(pattern, s):
                return s[:len(s) // 2] + s[len(s) // 2 + 1:]
            continue
        rewritten, count = re.subn(pattern, replacement, s, count=1)
        if count:
            return rewritten
    return None


states = [s]
while (rewritten := step(states[-1])) is not None:
    states.append(rewritten)
print(f'"{states[-1]}"')
"""
SHOWN_STEPS = 12  # steps a worked solution writes out before it only gives the count


def rewriting(initial: str, rules: list[str]) -> str:
    """In words: each step's first applicable rule and the string it leaves, up to SHOWN_STEPS of them."""
    states = run(initial, rules)
    lines = [f"Start with \"{initial}\"; at each step apply the first listed operation that applies."]
    for k, (before, after) in enumerate(list(zip(states, states[1:]))[:SHOWN_STEPS], 1):
        number = next(i for i, rule in enumerate(rules, 1) if RULES[rule](before) is not None)
        lines.append(f"Step {k}: operation {number} applies to \"{before}\", giving \"{after}\".")
    if len(states) - 1 > SHOWN_STEPS:
        lines.append(f"Going on the same way, the rewriting stops after {len(states) - 1} steps.")
    lines.append(f"No operation applies to \"{states[-1]}\" (checked against all {len(rules)}).")
    lines.append(f"So the answer is \"{states[-1]}\"")
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: the six rules the question lists, each written from its text as code
    (`REWRITES`), applied until none does; and the same rules as a table of regular expressions
    (`REGEX_REWRITES`). The task's `RULES` are functions that no script can paste, so the rules are stated
    again here; tests/test_teacher.py checks that `REWRITES` and `REGEX_REWRITES` agree with them on every rule."""
    rules = meta(item, "selected_rules")
    steps = "\n".join(f"# {i}. {rule}\n{REWRITES[rule]}" for i, rule in enumerate(rules, 1))
    step = ("def step(s):\n    \"\"\"The string after the first operation that applies, or None.\"\"\"\n"
            + "".join(f"    {line}\n" for line in steps.splitlines()) + "    return None\n\n\n")
    initial = meta(item, "initial_string")
    data = dict(s=initial)
    table = "rules = [\n" + "".join(f"    # {i}. {rule}\n    {REGEX_REWRITES[rule]!r},\n"
                                     for i, rule in enumerate(rules, 1)) + "]\n"
    run_steps = "while (rewritten := step(s)) is not None:\n    s = rewritten\nprint(f'\"{s}\"')"
    return Solution(
        code=script(data, step + run_steps),
        check=script(data, step + "assert step(answer.strip('\"')) is None, 'an operation still applies'\n"
                                  "print('check passed')"),
        worked=rewriting(initial, rules),
        alternatives=(script(data, table + REWRITE_BY_REGEX, "import re"),))
