"""Letters: how many times does a letter occur in a word, and at which (1-based) positions?

CodeSteer drew real words from a large English list and random letters when none fitted. Our list (reasoning-gym's)
stops at 10 letters, so longer "words" join a few real words (e.g. 'hasteproofbasilic'); random letters remain the
fallback. The checker parses `Count: X, Positions: [...]` and compares the count and the positions with the word's."""

import json
import random
import re
import string
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reasoning_gym.data import read_data_file

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

ANSWER = re.compile(r"count\s*:\s*(\d{1,5})\s*[,;]?\s*positions\s*:\s*\[([\d,\s]*)\]\s*\.?",
                    re.IGNORECASE | re.ASCII)
FOLDER = re.compile(r"([a-z])_(\d+)_(\d+)")
LONGEST_WORD = 10  # the longest words in reasoning-gym's list


@dataclass
class LettersConfig(SymbenchConfig):
    min_length: int = 5
    max_length: int = 25
    min_count: int = 1  # occurrences of the asked letter
    max_count: int = 5

    def validate(self) -> None:
        super().validate()
        self.require_span("length", 1, 2000)
        self.require_span("count", 1, self.max_length, "max_length at most")


class LettersCurriculum(SymbenchCurriculum):
    config_cls = LettersConfig
    definitions = (
        span("length", [5, 10, 25, 50, 100], "letters in the word"),
        span("count", [1, 2, 5, 10], "occurrences of the asked letter"),
    )


@lru_cache(maxsize=1)
def words_by_shape() -> dict[tuple[int, str, int], list[str]]:
    """Lower-case dictionary words indexed by (length, letter, count of that letter)."""
    index = defaultdict(list)
    for word in read_data_file("words3to10.txt").split():
        if word.isascii() and word.isalpha() and word.islower():
            for letter in set(word):
                index[len(word), letter, word.count(letter)].append(word)
    return index


def dictionary_word(rng: random.Random, length: int, letter: str, count: int) -> str | None:
    """Real words of about equal length joined to `length` letters with `count` copies of `letter` in all, or None."""
    index = words_by_shape()
    parts = -(-length // LONGEST_WORD)
    sizes = [length // parts + (i < length % parts) for i in range(parts)]
    for _ in range(10):  # a few ways of sharing the letter out among the parts
        counts = [0] * parts
        for _ in range(count):
            counts[rng.randrange(parts)] += 1
        options = [index.get((size, letter, n)) for size, n in zip(sizes, counts)]
        if all(options):
            return "".join(rng.choice(words) for words in options)
    return None


def render(word: str, letter: str) -> str:
    return (
        f"How many '{letter}'s are in the word '{word}' and what are their positions? "
        "The position in the word counts from 1 not 0.\n"
        "Surround the answer with <<<content>>>. "
        "Please respond in the format: <<<Count: X, Positions: [Y, Z, ...]>>>, "
        "such as <<<Count: 2, Positions: [1, 3]>>>.\n"
        "Your answer:\n"
    )


def positions(word: str, letter: str) -> list[int]:
    return [i for i, ch in enumerate(word, 1) if ch == letter]


class LettersDataset(SymbenchDataset):
    name = "letters"
    config_cls = LettersConfig
    curriculum_cls = LettersCurriculum
    codesteer = ("Letters/Letters_dataset_*/*/test_words.json",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        letter = rng.choice(string.ascii_lowercase)
        count = rng.randint(c.min_count, c.max_count)
        length = max(count, rng.randint(c.min_length, c.max_length))
        word = dictionary_word(rng, length, letter, count)
        if word is None:
            others = [ch for ch in string.ascii_lowercase if ch != letter]
            chars = [letter] * count + rng.choices(others, k=length - count)
            rng.shuffle(chars)
            word = "".join(chars)
        return render(word, letter), {"word": word, "letter": letter}

    def check(self, answer: str, metadata: dict) -> None:
        match = ANSWER.fullmatch(answer.strip().strip("\"'`").strip())
        if not match:
            raise Incorrect("answer must look like 'Count: X, Positions: [Y, Z, ...]'")
        items = [p.strip() for p in match.group(2).split(",")]
        if items == [""]:
            items = []
        if not all(p.isdigit() and len(p) <= 6 for p in items):
            raise Incorrect("positions must be a comma-separated list of integers")
        given = [int(p) for p in items]
        expected = positions(metadata["word"], metadata["letter"])
        if int(match.group(1)) != len(expected):
            raise Incorrect(f"wrong count {match.group(1)}")
        if sorted(given) != expected:
            raise Incorrect(f"wrong positions {given[:20]}")

    def solve(self, metadata: dict) -> str:
        found = positions(metadata["word"], metadata["letter"])
        return f"Count: {len(found)}, Positions: [{', '.join(map(str, found))}]"

    @classmethod
    def read_original(cls, path: Path) -> tuple[str, dict]:
        """`Letters/Letters_dataset_min_length_*_max_length_*/<letter>_<count>_<index>/test_words.json`: a JSON
        string, the word; the folder names the letter asked about and how often it occurs."""
        match = FOLDER.fullmatch(path.parent.name)
        word = json.loads(path.read_text())
        if not match or not isinstance(word, str) or word.count(match.group(1)) != int(match.group(2)):
            raise ValueError("expected a word with the letter count its folder names")
        return render(word, match.group(1)), {"word": word, "letter": match.group(1)}


POSITIONS_BY_FIND = """
found, start = [], word.find(letter)
while start != -1:
    found.append(start + 1)  # positions count from 1
    start = word.find(letter, start + 1)
print(f"Count: {len(found)}, Positions: {found}")
"""

POSITIONS_BY_REGEX = """
found = [match.start() + 1 for match in re.finditer(re.escape(letter), word)]
print(f"Count: {word.count(letter)}, Positions: {found}")
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: the letter's `positions` in the word (a comprehension over `enumerate`),
    repeated `str.find` from just past the last hit, and `re.finditer`. The worked solution numbers the
    letters of the word and picks out the matches."""
    word, letter = meta(item, "word"), meta(item, "letter")
    data = {"word": word, "letter": letter}
    found = positions(word, letter)
    numbered = " ".join(f"{i}:{ch}" for i, ch in enumerate(word, 1))
    worked = "\n".join([f"Number the {len(word)} letters of '{word}' from 1: {numbered}.",
                        f"The '{letter}'s stand at {', '.join(map(str, found)) or 'no position'}; "
                        f"that is {len(found)} of them.",
                        f"So the answer is Count: {len(found)}, Positions: {found}"])
    return Solution(code=script_with_functions(data, positions,
                                               last="found = positions(word, letter)\n"
                                                    "print(f'Count: {len(found)}, Positions: {found}')"),
                    worked=worked,
                    alternatives=(script(data, POSITIONS_BY_FIND), script(data, POSITIONS_BY_REGEX, "import re")))
