"""Statistical counting: scan a string of letters and add a letter's score once for every run of two or
more consecutive copies of it. The answer is the total score, recomputed from the string and the rules."""

import itertools
import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._arith_util import parse_integer
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

LETTERS = "ABCDEFGHIJK"


@dataclass
class StatisticalCountingConfig(SymbenchConfig):
    # CodeSteer's strings have 5 to 65 letters drawn from the first 2 to 7 letters of the alphabet.
    min_length: int = 5
    max_length: int = 65
    min_letters: int = 2
    max_letters: int = 7

    def validate(self) -> None:
        super().validate()
        self.require_span("length", 1, 10_000)
        self.require_span("letters", 1, len(LETTERS))


class StatisticalCountingCurriculum(SymbenchCurriculum):
    config_cls = StatisticalCountingConfig
    definitions = (
        span("length", [5, 20, 40, 65, 100], "letters in the string"),
        span("letters", [2, 3, 5, 7, 9], "distinct letters, each with its score"),
    )


def render(sequence: str, rules: list[dict]) -> str:
    letters = [rule["letter"] for rule in rules]
    if len(letters) == 1:
        alphabet = f"the letter {letters[0]}, "
    else:
        alphabet = f"letters {', '.join(letters[:-1])} and {letters[-1]}, "
    lines = "".join(
        f"{i}. If there are two or more consecutive {rule['letter']}'s, add {rule['score']} to the total score.\n"
        for i, rule in enumerate(rules, 1)
    )
    return (
        f"The initial total score is 0. Given a string consisting of {alphabet}scan from front to back:\n\n"
        f"{lines}\nWhat is the total score of the string {sequence}?\n"
        "Return your answer with the format <<<number>>>, like <<<5>>> means the total score is 5."
    )


def total_score(sequence: str, rules: list[dict]) -> int:
    """Each maximal run of a rule's letter at least `min_consecutive` long scores that rule once."""
    by_letter = {rule["letter"]: rule for rule in rules}
    total = 0
    for letter, run in itertools.groupby(sequence):
        rule = by_letter.get(letter)
        if rule and len(list(run)) >= rule["min_consecutive"]:
            total += rule["score"]
    return total


class StatisticalCountingDataset(SymbenchDataset):
    name = "statistical_counting"
    config_cls = StatisticalCountingConfig
    curriculum_cls = StatisticalCountingCurriculum
    codesteer = ("statistical_counting_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        alphabet = LETTERS[: rng.randint(c.min_letters, c.max_letters)]
        sequence = "".join(rng.choice(alphabet) for _ in range(rng.randint(c.min_length, c.max_length)))
        # The question's wording ("two or more") fixes min_consecutive at 2, as in CodeSteer.
        rules = [{"letter": letter, "score": i + 1, "min_consecutive": 2} for i, letter in enumerate(alphabet)]
        return render(sequence, rules), {"sequence": sequence, "rules": rules}

    def check(self, answer: str, metadata: dict) -> None:
        score = parse_integer(answer)
        if score != total_score(metadata["sequence"], metadata["rules"]):
            raise Incorrect(f"{score} is not the total score")

    def solve(self, metadata: dict) -> str:
        return str(total_score(metadata["sequence"], metadata["rules"]))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`statistical_counting_dataset/sample_<i>/`: question.txt and solution.json (sequence, rules, solution)."""
        question, data = read_sample(sample)
        metadata = {"sequence": data["sequence"], "rules": data["rules"], "reference": str(data["solution"])}
        if render(data["sequence"], data["rules"]) != question:
            raise ValueError("question.txt does not match the instance in its solution.json")
        return question, metadata


STATISTICAL_COUNTING_CHECK = r"""
runs = [m.group() for m in re.finditer(r"(.)\1+", sequence)]
assert int(answer) == sum(scores[run[0]] for run in runs), "the runs add up to another total"
print("check passed")
"""

# Alternatives: the runs as regex matches; one pass that scores a run when it reaches its second letter.
BY_REGEX = r"""
runs = [match.group() for match in re.finditer(r"(.)\1+", sequence)]
print(runs)
print(sum(scores[run[0]] for run in runs))
"""
BY_SCAN = """
total = 0
for i in range(1, len(sequence)):
    starts_a_run = sequence[i] == sequence[i - 1] and (i == 1 or sequence[i - 2] != sequence[i])
    if starts_a_run:
        total += scores[sequence[i]]
print(total)
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `total_score` of the string under the question's rules (runs of two or
    more); alternatives find the runs with a regex or score each run at its second letter in one scan; its
    check finds the runs with a regex. The worked solution splits the string into runs and adds their scores."""
    sequence = meta(item, "sequence")
    scores = {rule["letter"]: rule["score"] for rule in meta(item, "rules")}
    data = dict(sequence=sequence, scores=scores)
    runs = ["".join(run) for _, run in itertools.groupby(sequence)]
    scored = [run for run in runs if len(run) >= 2]
    total, sums = 0, []
    for run in scored:
        total += scores[run[0]]
        sums.append(f"{run} +{scores[run[0]]} = {total}")
    worked = "\n".join([f"Split the string into runs of equal letters: {' '.join(runs)}.",
                        f"The runs of two or more letters: {', '.join(scored) or 'none'}.",
                        "Adding each run's score in turn: " + ("; ".join(sums) if sums else "nothing to add") + ".",
                        f"So the total score is {total}."])
    return Solution(code=script_with_functions(
                        data, total_score,
                        last='rules = [{"letter": k, "score": v, "min_consecutive": 2} for k, v in scores.items()]\n'
                             "print(total_score(sequence, rules))"),
                    check=script(data, STATISTICAL_COUNTING_CHECK, "import re"),
                    alternatives=(script(data, BY_REGEX, "import re"), script(data, BY_SCAN)),
                    worked=worked)
