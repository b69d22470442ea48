"""Mahjong pattern: a hand of 13 letter cards changes over a few rounds (add a card, judge it, remove a
card); give the judgement of the final round: 1 "Peng" (the hand already holds two of the new card),
2 "Chi" (two cards in hand form a run of three consecutive letters with it; only in instances whose
rules include Chi), else 0 "Pass". The checker replays the rounds and judges the last card itself.
"""

import random
import re
import string
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import expect_count, list_items
from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample, span
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

PASS, PENG, CHI = 0, 1, 2
NAMES = {"pass": PASS, "peng": PENG, "chi": CHI}
HAND_SIZE = 13
LETTERS = string.ascii_uppercase


@dataclass
class MahjongPatternConfig(SymbenchConfig):
    min_rounds: int = 1
    max_rounds: int = 5
    chi_from_rounds: int = 3  # as in CodeSteer, the Chi rule is part of instances with at least this many rounds

    def validate(self) -> None:
        super().validate()
        self.require_span("rounds", 1, 50)


class MahjongPatternCurriculum(SymbenchCurriculum):
    config_cls = MahjongPatternConfig
    definitions = (span("rounds", [1, 2, 3, 5, 8], "rounds to replay; from 3 on, the rules include Chi"),)


def render(initial_cards: str, rounds: list[dict], chi: bool) -> str:
    rules = [
        "1. Initially, there are 13 cards.",
        "2. Each time, a new card is added, and a result is determined. Then, one card is removed.",
        '3. When there are two identical cards in hand, and the newly added card is the same as these two cards, '
        'the result is determined as "Peng," represented by the number 1.',
    ]
    if chi:
        rules += [
            '4. If two cards in hand and the new card can form a consecutive letter sequence, the result is '
            'determined as "Chi," represented by the number 2. For example, ABC, OPQ, etc.',
            '5. If the new card does not meet the conditions of 3 and 4, the result is determined as "Pass," '
            'represented by the number 0.',
            '6. "Peng" takes precedence over "Chi."',
            "7. The card that is removed does not affect the result determination.",
        ]
    else:
        rules += [
            '4. If the newly added card does not meet the condition in rule 3, the result is determined as "Pass," '
            'represented by the number 0.',
            "5. The removed card does not affect the result determination.",
        ]
    lines = [f"Round {i}: Add a {r['add']} card" + (f" and remove a {r['remove']} card." if i < len(rounds) else "")
             for i, r in enumerate(rounds, 1)]
    nl = "\n"
    return (
        f"There are several letter cards, and the game rules are as follows:{nl.join(rules)}\n"
        f"Given the initial cards:{initial_cards}\n\n{nl.join(lines)}\n\n"
        "Based on the above information, determine the number judged in the final round.\n"
        "Return your answer with the format <<<x>>>, where x is 0 for Pass, "
        f"1 for Peng{', or 2 for Chi' if chi else ''}."
    )


def judge(hand: Counter, card: str, chi: bool) -> int:
    """The result for `card` joining `hand` (the hand before the card is added)."""
    if hand[card] >= 2:
        return PENG
    if chi and card in LETTERS:
        i = LETTERS.index(card)
        for start in range(max(0, i - 2), i + 1):  # the runs of three consecutive letters that hold the card
            run = LETTERS[start:start + 3]
            if len(run) == 3 and all(hand[other] > 0 for other in run.replace(card, "")):
                return CHI
    return PASS


def final_judgement(initial_cards: str, added: list[str], removed: list[str], chi: bool) -> int:
    """Replay the rounds: each added card is judged against the hand, joins it, and the round's card to remove
    leaves (the last round removes none that matters); the answer is the last card's judgement."""
    hand = Counter(initial_cards)
    result = PASS
    for i, card in enumerate(added):
        result = judge(hand, card, chi)
        hand[card] += 1
        if i < len(removed):
            hand[removed[i]] -= 1
    return result


def final_result(metadata: dict) -> int:
    """`final_judgement` of an instance: the cards each round adds, and those it removes before the last."""
    rounds = metadata["rounds"]
    return final_judgement(metadata["initial_cards"], [r["add"] for r in rounds],
                           [r["remove"] for r in rounds[:-1]], metadata["chi"])


def card_for(hand: Counter, outcome: int, chi: bool, rng: random.Random) -> str:
    """A card that gives `outcome` against `hand`, or any card if none does."""
    cards = [c for c in LETTERS if judge(hand, c, chi) == outcome]
    return rng.choice(cards or LETTERS)


class MahjongPatternDataset(SymbenchDataset):
    name = "mahjong_pattern"
    config_cls = MahjongPatternConfig
    curriculum_cls = MahjongPatternCurriculum
    codesteer = ("mahjong_pattern_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        n_rounds = rng.randint(c.min_rounds, c.max_rounds)
        chi = n_rounds >= c.chi_from_rounds
        initial = "".join(rng.sample(LETTERS * 2, HAND_SIZE))  # each letter at most twice
        hand, rounds = Counter(initial), []
        for _ in range(n_rounds):
            # aim each card at an outcome drawn uniformly, so Peng and Chi are as common as Pass
            add = card_for(hand, rng.choice([PASS, PENG, CHI] if chi else [PASS, PENG]), chi, rng)
            hand[add] += 1
            remove = rng.choice(sorted(hand.elements()))
            hand[remove] -= 1
            rounds.append({"add": add, "remove": remove})
        return render(initial, rounds, chi), {"initial_cards": initial, "rounds": rounds, "chi": chi}

    def check(self, answer: str, metadata: dict) -> None:
        items = list_items(answer)
        expect_count(items, 1)
        token = items[0].lower()
        if token not in NAMES and token not in ("0", "1", "2"):
            raise Incorrect(f"{items[0][:20]!r} is not one of 0 (Pass), 1 (Peng), 2 (Chi)")
        given = NAMES.get(token) if token in NAMES else int(token)
        if given == CHI and not metadata["chi"]:
            raise Incorrect("these rules have no Chi (2)")
        if given != final_result(metadata):
            raise Incorrect(f"{given} is not the final round's result")

    def solve(self, metadata: dict) -> str:
        return str(final_result(metadata))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`mahjong_pattern_dataset/sample_N/`: question.txt and solution.json (initial_cards, rounds,
        solution, complexity). Whether the rules include Chi is read from the question."""
        question, data = read_sample(sample)
        metadata = {"initial_cards": data["initial_cards"],
                    "rounds": [{"add": r["add"], "remove": r["remove"]} for r in data["rounds"]],
                    "chi": '"Chi,"' in question}
        cards = [*metadata["initial_cards"], *(c for r in metadata["rounds"] for c in (r["add"], r["remove"]))]
        if len(metadata["initial_cards"]) != HAND_SIZE or not all(re.fullmatch(r"\S", c) for c in cards):
            raise ValueError("solution.json: cards must be single characters, 13 to start with")
        # CodeSteer's generator looked for Chi three cards at a time in the sorted hand, so a duplicate
        # (M N N O) hid a run, and it compared character codes, so the '[' cards it dealt after 'Z' made
        # "Y Z [" a run, though '[' is no letter. Its published `solution` is kept as the reference only
        # where it follows the rules that the question states; where it does not, it is wrong.
        if data.get("solution") == final_result(metadata):
            metadata["reference"] = str(data["solution"])
        return question, metadata


# Alternatives: the hand as a sorted list of cards (count the new card, look for the runs in a set); the hand
# as 26 counts indexed by letter, every round judged and printed.
AS_LIST = """
hand = sorted(cards)
for card, gone in zip(added[:-1], removed):
    hand.append(card)
    hand.remove(gone)
last = added[-1]
print("hand before the last card:", "".join(sorted(hand)))
held = set(hand)
runs = ["".join(chr(ord(last) + k) for k in range(start, start + 3)) for start in (-2, -1, 0)]
has_run = any(all(c in held for c in run if c != last) and run.isalpha() and run.isupper() for run in runs)
if hand.count(last) >= 2:
    print(1)
elif chi_rule and has_run:
    print(2)
else:
    print(0)
"""
AS_COUNTS = """
counts = [0] * 26
for card in cards:
    counts[ord(card) - ord("A")] += 1
for round_, card in enumerate(added):
    i = ord(card) - ord("A")
    result = 0
    if counts[i] >= 2:
        result = 1
    elif chi_rule and any(0 <= j and j + 2 < 26 and all(counts[k] for k in range(j, j + 3) if k != i)
                          for j in range(i - 2, i + 1)):
        result = 2
    print(f"round {round_ + 1}: {card} -> {result}")
    counts[i] += 1
    if round_ < len(removed):
        counts[ord(removed[round_]) - ord("A")] -= 1
print(result)
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `final_judgement` of the rounds as the question lists them; alternatives
    keep the hand as a sorted list or as 26 letter counts. The worked solution replays the rounds, then judges
    the final card."""
    rounds, cards, chi = meta(item, "rounds"), meta(item, "initial_cards"), meta(item, "chi")
    added, removed = [r["add"] for r in rounds], [r["remove"] for r in rounds[:-1]]
    data = dict(cards=cards, added=added, removed=removed, chi_rule=chi)
    hand = Counter(cards)
    lines = [f"Start: {' '.join(sorted(hand.elements()))}."]
    for i, (card, gone) in enumerate(zip(added, removed), 1):
        hand[card] += 1
        hand[gone] -= 1
        lines.append(f"Round {i}: add {card}, remove {gone}: {' '.join(sorted(hand.elements()))}.")
    last = added[-1]
    runs = ["".join(chr(ord(last) + d) for d in range(k, k + 3)) for k in (-2, -1, 0)]
    runs = [run for run in runs if run.isalpha() and run.isupper() and all(hand[x] > 0 for x in run if x != last)]
    answer = final_judgement(cards, added, removed, chi)
    reason = {PENG: f"the hand already holds {hand[last]} {last} cards: Peng",
              CHI: f"the hand holds {hand[last]} {last} card(s), fewer than two, but {runs[0] if runs else ''} "
                   "forms a run with it: Chi",
              PASS: f"the hand holds {hand[last]} {last} card(s), fewer than two"
                    f"{', and no two cards make a run of three with it' if chi else ''}: Pass"}[answer]
    lines.append(f"Round {len(added)}: the new card is {last}; {reason}.")
    lines.append(f"So the answer is {answer}")
    return Solution(
        code=script_with_functions(data, judge, final_judgement,
                                   last="print(final_judgement(cards, added, removed, chi_rule))"),
        alternatives=(script(data, AS_LIST), script(data, AS_COUNTS)),
        worked="\n".join(lines))
