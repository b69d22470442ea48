"""Cryptanalysis: deduce a lock code of two distinct digits and two distinct letters from guesses and their
feedback (how many symbols are right and in place, right but misplaced, and whether wrong ones are too small /
too large, or too early / too late in the alphabet, compared with both secret symbols).

The checker is constraint-based: an answer is correct when it is a well-formed code and every guess, scored
against it, gives exactly the stated feedback. Generated instances (and CodeSteer's) have a unique solution;
any code consistent with all the clues is accepted either way."""

import ast
import itertools
import json
import random
import re
import string
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample,
                                      span)

DIGITS = string.digits
LETTERS = string.ascii_uppercase
CONDITION = re.compile(r"^\d+\. Guess: (\d\d[A-Z][A-Z]), Feedback: (.+)$", re.MULTILINE)


@dataclass
class CryptanalysisConfig(SymbenchConfig):
    # Clues are added until the code is unique; a puzzle needing more than a drawn cap in
    # [min_guesses, max_guesses] is redrawn (CodeSteer drew caps from 4 to 18).
    min_guesses: int = 4
    max_guesses: int = 18

    def validate(self) -> None:
        super().validate()
        self.require_span("guesses", 2, 40)


class CryptanalysisCurriculum(SymbenchCurriculum):
    config_cls = CryptanalysisConfig
    definitions = (span("guesses", [6, 10, 14, 18, 24], "the most clues a puzzle may need to fix the code"),)


def describe(secret: str, guess: str, kind: str) -> str:
    """Feedback on one half of a guess (`kind` is "number" or "letter"), worded exactly as CodeSteer words it.

    Digits and capital letters both compare in their natural order, so one function serves both halves."""
    low, high = ("too small", "too large") if kind == "number" else ("too early in the alphabet",
                                                                      "too late in the alphabet")
    placed = sum(g == s for g, s in zip(guess, secret))
    misplaced = sum(g != s and g in secret for g, s in zip(guess, secret))
    wrong = [low if g < min(secret) else high if g > max(secret) else "incorrect" for g in guess if g not in secret]
    parts = []
    if placed == 1:
        parts.append(f"one {kind} is correct and in the correct position")
    elif placed == 2:
        parts.append(f"both {kind}s are correct and in the correct positions")
    if misplaced == 1:
        parts.append(f"one {kind} is correct but in the wrong position")
    elif misplaced == 2:
        parts.append(f"both {kind}s are correct but in the wrong positions")
    if len(wrong) == 1:
        parts.append(f"one {kind} is incorrect and {wrong[0]}")
    elif len(wrong) == 2:
        same = wrong[0] == wrong[1] != "incorrect"
        parts.append(f"both {kind}s are incorrect" + (f" and {wrong[0]}" if same else ""))
    return "; ".join(parts)


def feedback(code: str, guess: str) -> str:
    return f"{describe(code[:2], guess[:2], 'number')}; {describe(code[2:], guess[2:], 'letter')}."


def split_feedback(text: str) -> tuple[str, str]:
    """The numbers half and the letters half of a feedback sentence."""
    parts = text.strip().rstrip(".").split("; ")
    return "; ".join(p for p in parts if " number" in p), "; ".join(p for p in parts if " letter" in p)


NUMBER_PAIRS = ["".join(p) for p in itertools.permutations(DIGITS, 2)]
LETTER_PAIRS = ["".join(p) for p in itertools.permutations(LETTERS, 2)]


def narrow(pairs: list[str], guessed: str, said: str, kind: str) -> list[str]:
    return [p for p in pairs if describe(p, guessed, kind) == said]


def candidates(conditions: list[dict]) -> tuple[list[str], list[str]]:
    """Digit pairs and letter pairs consistent with every condition (the two halves are independent)."""
    numbers, letters = NUMBER_PAIRS, LETTER_PAIRS
    for c in conditions:
        said_numbers, said_letters = split_feedback(c["feedback"])
        numbers = narrow(numbers, c["guess"][:2], said_numbers, "number")
        letters = narrow(letters, c["guess"][2:], said_letters, "letter")
    return numbers, letters


def render(conditions: list[dict]) -> str:
    lines = "".join(f"{i}. Guess: {c['guess']}, Feedback: {c['feedback']}\n" for i, c in enumerate(conditions, 1))
    return (
        f"Please deduce the correct password based on the following {len(conditions)} known conditions:\n"
        "A certain combination lock consists of two numbers and two letters, with neither the numbers nor the "
        f"letters repeating.\n{lines}"
        "Please provide your answer in the format <<< [\"X\", \"Y\", \"Z\", \"W\"] >>> where X and Y are the "
        "numbers and Z and W are the letters of the password.\n"
    )


def parse_code(answer: str) -> str:
    """`["3", "9", "C", "W"]` (quotes optional, digits may be integers) or a bare `39CW` / `3 9 C W`."""
    text = answer.strip()
    if text.startswith("["):
        try:
            symbols = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError):
            raise Incorrect("the answer is not a valid list") from None
        if not isinstance(symbols, list) or not all(isinstance(s, (str, int)) for s in symbols):
            raise Incorrect("the answer must be a list of four symbols")
        symbols = [str(s).strip() for s in symbols]
        if len(symbols) != 4 or not all(len(s) == 1 for s in symbols):
            raise Incorrect("the answer must be a list of four single symbols")
        code = "".join(symbols)
    else:
        code = re.sub(r"[\s,\"']", "", text)
    code = code.upper()
    if not re.fullmatch(r"[0-9]{2}[A-Z]{2}", code):
        raise Incorrect("the code must be two digits followed by two letters")
    if code[0] == code[1] or code[2] == code[3]:
        raise Incorrect("the numbers and the letters must not repeat")
    return code


class CryptanalysisDataset(SymbenchDataset):
    name = "cryptanalysis"
    config_cls = CryptanalysisConfig
    curriculum_cls = CryptanalysisCurriculum
    codesteer = ("cryptanalysis/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config

        def draw() -> list[dict] | None:
            cap = rng.randint(c.min_guesses, c.max_guesses)
            code = "".join(rng.sample(DIGITS, 2) + rng.sample(LETTERS, 2))
            conditions, numbers, letters = [], NUMBER_PAIRS, LETTER_PAIRS

            def new_guess() -> str | None:
                guess = "".join(rng.sample(DIGITS, 2) + rng.sample(LETTERS, 2))
                return None if guess == code or any(guess == old["guess"] for old in conditions) else guess

            while len(conditions) < cap:
                guess = self.redraw(new_guess, "guess that is neither the code nor an earlier guess")
                conditions.append({"guess": guess, "feedback": feedback(code, guess)})
                numbers = narrow(numbers, guess[:2], describe(code[:2], guess[:2], "number"), "number")
                letters = narrow(letters, guess[2:], describe(code[2:], guess[2:], "letter"), "letter")
                if len(numbers) == 1 and len(letters) == 1:
                    return conditions
            return None

        conditions = self.redraw(draw, f"code that {c.max_guesses} guesses or fewer make unique")
        return render(conditions), {"conditions": conditions}

    def check(self, answer: str, metadata: dict) -> None:
        code = parse_code(answer)
        for i, condition in enumerate(metadata["conditions"], 1):
            if feedback(code, condition["guess"]) != condition["feedback"].strip():
                raise Incorrect(f"{code} contradicts condition {i} (guess {condition['guess']})")

    def solve(self, metadata: dict) -> str:
        numbers, letters = candidates(metadata["conditions"])
        if not numbers or not letters:
            raise ValueError("no code satisfies all the conditions")
        return json.dumps(list(numbers[0] + letters[0]))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`cryptanalysis/sample_<i>/`: the guesses and feedback are parsed from question.txt; solution.json has
        the code as a list of four strings."""
        question, solution = read_sample(sample)
        conditions = [{"guess": g, "feedback": f.strip()} for g, f in CONDITION.findall(question)]
        stated = re.search(r"following (\d+) known conditions", question)
        if not conditions or not stated or int(stated.group(1)) != len(conditions):
            raise ValueError("cannot parse the conditions in question.txt")
        metadata = {"conditions": conditions}
        if "answer" in solution:
            metadata["reference"] = json.dumps(solution["answer"])
        return question, metadata
