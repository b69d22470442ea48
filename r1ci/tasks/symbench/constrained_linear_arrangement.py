"""Constrained linear arrangement (CodeSteer's card games): from the cards you played and each round's
result, deduce a sequence of cards your opponent could have played, each card at most once.

Three games: five elements (A-E), "Stick, Tiger, Chicken" (A-D) and Jungle-chess animals (A-H). Several
sequences often fit; the checker replays every round and accepts any sequence of distinct cards that
produces the announced results.

The rules are applied exactly as CodeSteer's generator and checker apply them, which is how every published
result was decided. In the five-elements game that means the rules are read from your card's side: your
card generates the opponent's -> you lose, yours overcomes theirs -> you win, any other pair -> draw. (A
symmetric reading, where the opponent's card generating or overcoming yours also decides the round, leaves
6 of the 13 published five-elements puzzles in the shared sample without any answer.) In "Stick, Tiger,
Chicken", rule 2's "one step apart" must mean the non-adjacent pairs, the only ones rule 1 leaves.
"""

import random
from dataclasses import dataclass
from pathlib import Path

from r1ci.tasks.symbench._lists_util import list_items
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample,
                                      span)
from r1ci.tasks.teaching import Solution, found, meta, script

PIECES = {"elements": "ABCDE", "stick_game": "ABCD", "animal": "ABCDEFGH"}
GENERATES = {"A": "B", "B": "C", "C": "D", "D": "E", "E": "A"}
OVERCOMES = {"A": "C", "C": "E", "E": "B", "B": "D", "D": "A"}
BEATS = {"A": "B", "B": "C", "C": "D", "D": "A"}  # Stick > Tiger > Chicken > Worm > Stick

RULES = {
    "elements": """Both parties, A and B, each have a set of five-element flags, with each person holding five cards representing Metal, Wood, Water, Fire, and Earth. Each card can only be used once. Both players play their cards simultaneously without seeing the opponent's card, and the referee announces the result of each round.
Rules:
1. When card 1 generates card 2, the holder of card 1 loses;
2. When card 1 overcomes card 2, the holder of card 1 wins;
3. When both cards are the same or no card generates or overcomes each other, it is a draw.
Known:
1. Generation: Wood A generates Fire B, Fire B generates Earth C, Earth C generates Metal D, Metal D generates Water E, Water E generates Wood A.
2. Overcoming: Wood A overcomes Earth C, Earth C overcomes Water E, Water E overcomes Fire B, Fire B overcomes Metal D, Metal D overcomes Wood A.""",
    "stick_game": """Both parties, A and B, are playing a game called "Stick, Tiger, Chicken." Each person has four cards: Stick (A), Tiger (B), Chicken (C), and Worm (D). Each card can only be used once. Both players play their cards simultaneously without seeing the other's card, and a referee announces the result of each round.

Rules:
1. Stick beats Tiger, Tiger eats Chicken, Chicken eats Worm, Worm beats Stick, and so on in a cycle.
2. If both players play the same card or cards that are one step apart in the cycle, it is considered a draw.""",
    "animal": """Both parties, A and B, play a game similar to Jungle Chess. Each player has 8 animal pieces, ranked from largest to smallest: Elephant (A), Lion (B), Tiger (C), Leopard (D), Wolf (E), Dog (F), Cat (G), and Mouse (H). Both players reveal their pieces simultaneously, but cannot see the opponent's piece. The referee announces the result of the match.

Rules:
1. The goal for both players is to reach the opponent's den in 5 steps. The first to accumulate 5 steps wins.
2. When a smaller piece encounters a larger piece, the smaller piece is captured, and the player with the larger piece wins.
3. Mutual capture: When pieces of the same type encounter each other, they mutually capture and the result is a draw.
4. Mouse captures Elephant: Apart from the size hierarchy, the Mouse can capture the Elephant, but the Elephant cannot capture the Mouse.
5. Each piece can only be used once.""",
}
MAX_ROUNDS = {"elements": 5, "stick_game": 4, "animal": 5}  # CodeSteer's games have at most this many rounds


@dataclass
class ConstrainedLinearArrangementConfig(SymbenchConfig):
    min_rounds: int = 3
    max_rounds: int = 5  # the four-card game is capped at 4

    def validate(self) -> None:
        super().validate()
        self.require_span("rounds", 1, 8)


class ConstrainedLinearArrangementCurriculum(SymbenchCurriculum):
    config_cls = ConstrainedLinearArrangementConfig
    definitions = (span("rounds", [2, 3, 4, 5], "rounds to deduce the opponent's cards from"),)


def outcome(game: str, mine: str, theirs: str) -> str:
    """The result of one round for the player who played `mine`."""
    if game == "elements":
        return "loss" if GENERATES[mine] == theirs else "win" if OVERCOMES[mine] == theirs else "draw"
    if game == "stick_game":
        return "win" if BEATS[mine] == theirs else "loss" if BEATS[theirs] == mine else "draw"
    if mine == theirs:
        return "draw"
    if (mine, theirs) in (("H", "A"), ("A", "H")):  # the mouse captures the elephant
        return "win" if mine == "H" else "loss"
    return "win" if mine < theirs else "loss"  # A (Elephant) is the largest, H (Mouse) the smallest


def render(game: str, moves: list[str], results: list[str]) -> str:
    rounds = "".join(f"Round {i}: {move}, {result}.\n" for i, (move, result) in enumerate(zip(moves, results), 1))
    return (
        f"{RULES[game]}\n\nAssuming you are one of the players, deduce what cards your opponent played each round "
        f"based on the cards you played and the results of each round.\n\nRounds:\n{rounds}"
        "\nUse a list of letters to show your answer. For example, <<<A,B,C>>>."
    )


def deduce(game: str, moves: list[str], results: list[str]) -> list[str] | None:
    """Opponent cards, all different, that give every announced result (depth-first search)."""
    cards: list[str] = []

    def step(i: int) -> bool:
        if i == len(moves):
            return True
        for card in PIECES[game]:
            if card not in cards and outcome(game, moves[i], card) == results[i]:
                cards.append(card)
                if step(i + 1):
                    return True
                cards.pop()
        return False

    return cards if step(0) else None


class ConstrainedLinearArrangementDataset(SymbenchDataset):
    name = "constrained_linear_arrangement"
    config_cls = ConstrainedLinearArrangementConfig
    curriculum_cls = ConstrainedLinearArrangementCurriculum
    codesteer = ("constrained_linear_arrangement/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        game = rng.choice(sorted(PIECES))
        cap = MAX_ROUNDS[game]
        rounds = rng.randint(min(self.config.min_rounds, cap), min(self.config.max_rounds, cap))
        moves = rng.sample(PIECES[game], rounds)
        opponent = rng.sample(PIECES[game], rounds)
        results = [outcome(game, mine, theirs) for mine, theirs in zip(moves, opponent)]
        return render(game, moves, results), {"game_type": game, "player_moves": moves, "results": results}

    def check(self, answer: str, metadata: dict) -> None:
        game, moves, results = metadata["game_type"], metadata["player_moves"], metadata["results"]
        cards = [c.upper() for c in list_items(answer)]
        if len(cards) != len(moves):
            raise Incorrect(f"gives {len(cards)} cards for {len(moves)} rounds")
        for card in cards:
            if len(card) != 1 or card not in PIECES[game]:
                raise Incorrect(f"{card[:10]!r} is not a card of this game ({', '.join(PIECES[game])})")
        if len(set(cards)) != len(cards):
            raise Incorrect("the opponent plays a card twice, but each card can only be used once")
        for i, (mine, theirs, result) in enumerate(zip(moves, cards, results), 1):
            if (got := outcome(game, mine, theirs)) != result:
                raise Incorrect(f"round {i}: {theirs} against {mine} gives a {got}, not a {result}")

    def solve(self, metadata: dict) -> str:
        if metadata.get("reference"):
            return metadata["reference"]
        cards = deduce(metadata["game_type"], metadata["player_moves"], metadata["results"])
        if cards is None:
            raise ValueError("no opponent cards fit the results")
        return ",".join(cards)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`constrained_linear_arrangement/sample_<i>/`: the question, and solution.json with `game_type`,
        `player_moves`, `results` and the opponent's cards as `solution`."""
        question, data = read_sample(sample)
        if data["game_type"] not in PIECES or len(data["player_moves"]) != len(data["results"]):
            raise ValueError("solution.json: unknown game or rounds without results")
        metadata = {"game_type": data["game_type"], "player_moves": data["player_moves"],
                    "results": data["results"], "reference": ",".join(data["solution"])}
        return question, metadata


OPPONENT_SEARCH = r"""

def deduce(i, used):
    # Opponent cards for rounds i..: all different, each giving the announced result.
    if i == len(played):
        return []
    for card in deck:
        if card not in used and result(played[i], card) == results[i]:
            rest = deduce(i + 1, used | {card})
            if rest is not None:
                return [card] + rest
    return None


print(",".join(deduce(0, set())))
"""
OPPONENT_CHECK = r"""

cards = answer.split(",")
assert len(cards) == len(played) and len(set(cards)) == len(cards), "one card per round, each once"
for mine, theirs, announced in zip(played, cards, results):
    assert theirs in deck and result(mine, theirs) == announced, (mine, theirs, announced)
print("check passed")
"""


CARD_GAMES = {  # each game's rules, from its question: the deck and the result of a round for your card
    "elements": r"""
generates = dict(re.findall(r"\w+ (\w) generates \w+ (\w)", generation))
overcomes = dict(re.findall(r"\w+ (\w) overcomes \w+ (\w)", overcoming))
deck = sorted(generates)


def result(mine, theirs):
    if generates[mine] == theirs:  # rule 1: the holder of the generating card loses
        return "loss"
    if overcomes[mine] == theirs:  # rule 2: the holder of the overcoming card wins
        return "win"
    return "draw"
""",
    "stick_game": r"""
beats = {cards[a]: cards[b] for a, b in re.findall(r"(\w+) (?:beats|eats) (\w+)", cycle)}
deck = sorted(beats)


def result(mine, theirs):
    if beats[mine] == theirs:
        return "win"
    if beats[theirs] == mine:
        return "loss"
    return "draw"  # the same card, or cards two steps apart
""",
    "animal": r"""
deck = ranking  # largest first


def result(mine, theirs):
    if mine == theirs:
        return "draw"
    if {mine, theirs} == {ranking[0], ranking[-1]}:  # the Mouse captures the Elephant
        return "win" if mine == ranking[-1] else "loss"
    return "win" if ranking.index(mine) < ranking.index(theirs) else "loss"
""",
}


OPPONENT_PERMUTATIONS = r"""
for cards in itertools.permutations(deck, len(played)):  # distinct cards, in order of their letters
    if all(result(mine, theirs) == announced for mine, theirs, announced in zip(played, cards, results)):
        print(",".join(cards))
        break
"""
OPPONENT_CANDIDATES = r"""
# The cards that give each round's result, then one from each round, none twice.
candidates = [[card for card in deck if result(mine, card) == announced] for mine, announced in zip(played, results)]
choices = (cards for cards in itertools.product(*candidates) if len(set(cards)) == len(cards))
print(",".join(next(choices)))
"""


VERBS = {"win": "wins", "loss": "loses", "draw": "draws"}


def reasoning(game: str, moves: list[str], results: list[str]) -> str:
    """In words: each round's candidates (the opponent's cards that give the announced result), then a
    depth-first choice of one card per round, none twice, with each dead end it meets."""
    deck = PIECES[game]
    lines, candidates = [], []
    for i, (mine, announced) in enumerate(zip(moves, results), 1):
        by_result = {r: [c for c in deck if outcome(game, mine, c) == r] for r in ("win", "loss", "draw")}
        spread = ", ".join(f"{VERBS[r]} against {', '.join(cards)}" for r, cards in by_result.items() if cards)
        candidates.append(by_result[announced])
        lines.append(f"Round {i}: my {mine} {spread}. It was a {announced}, so the opponent played "
                     f"{' or '.join(by_result[announced])}.")
    lines.append("Each card is used once, so take for each round, in order, the first candidate not used yet.")
    chosen: list[str] = []

    def choose(i: int) -> bool:
        if i == len(moves):
            return True
        for card in candidates[i]:
            if card not in chosen:
                chosen.append(card)
                if choose(i + 1):
                    return True
                chosen.pop()
        taken = f"With {', '.join(chosen)} taken for the rounds before, round {i + 1}"
        if set(candidates[i]) <= set(chosen):
            lines.append(f"{taken} has no unused candidate left; go back.")
        else:
            lines.append(f"{taken} has no candidate that leads on; go back.")
        return False

    choose(0)
    lines.append(f"So the answer is {','.join(chosen)}")
    return "\n".join(lines)


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: each game's rules read from the question's own text (what generates and
    overcomes what, the cycle of who beats whom), then a depth-first search for the opponent's cards, a scan of
    the permutations of the deck, or the product of each round's candidates. The task decides rounds from fixed
    tables instead (`outcome`), so no program is its solver; the check replays every round."""
    question, game = item["question"], meta(item, "game_type")
    if game == "elements":
        rules = dict(generation=found(r"Generation: (.*?)\.\n", question),
                     overcoming=found(r"Overcoming: (.*?)\.", question))
    elif game == "stick_game":
        rules = dict(cards={"Stick": "A", "Tiger": "B", "Chicken": "C", "Worm": "D"},
                     cycle=found(r"1\. (.*?), and so on", question))
    else:
        rules = dict(ranking=list("ABCDEFGH"))
    moves, results = meta(item, "player_moves"), meta(item, "results")
    data = rules | dict(played=moves, results=results)
    imports = "import re" if game != "animal" else ""
    with_itertools = "\n".join(filter(None, ["import itertools", imports]))
    return Solution(code=script(data, CARD_GAMES[game] + OPPONENT_SEARCH, imports),
                    check=script(data, CARD_GAMES[game] + OPPONENT_CHECK, imports),
                    worked=reasoning(game, moves, results),
                    alternatives=(script(data, CARD_GAMES[game] + OPPONENT_PERMUTATIONS, with_itertools),
                                  script(data, CARD_GAMES[game] + OPPONENT_CANDIDATES, with_itertools)))
