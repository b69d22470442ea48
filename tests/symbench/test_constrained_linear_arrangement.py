import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/constrained_linear_arrangement")


def item_with(game="animal", moves=("F", "A", "B"), results=("loss", "win", "win")):  # sample_105
    metadata = {"game_type": game, "player_moves": list(moves), "results": list(results)}
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


@pytest.mark.parametrize("answer", ["D,E,C", "A,B,C", "C, G, H", "[E, D, C]", "['B', 'C', 'D']", "d,e,c"])
def test_accepts_any_consistent_sequence(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("G,E,C", "round 1: G against F gives a win, not a loss"),
        ("D,H,C", "round 2: H against A gives a loss, not a win"),  # the mouse captures the elephant
        ("D,E,A", "round 3: A against B gives a loss, not a win"),
        ("D,D,C", "can only be used once"),
        ("D,E", "gives 2 cards for 3 rounds"),
        ("D,E,C,B", "gives 4 cards for 3 rounds"),
        ("D,E,Z", "'Z' is not a card of this game"),
        ("D,E,CD", "'CD' is not a card of this game"),
        ("[D,E,C", "unbalanced brackets"),
    ],
)
def test_rejects_inconsistent_sequences_with_the_reason(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


def test_five_elements_rules_are_read_from_your_card(grader):
    """Your card generating theirs loses, yours overcoming theirs wins, every other pair draws (CodeSteer's rule)."""
    item = item_with("elements", ["A", "A"], ["loss", "win"])  # cards are used once: two rounds of A for brevity
    assert grader.grade(TASK, "B,C", item).correct  # A generates B, A overcomes C
    assert "gives a draw, not a win" in grader.grade(TASK, "B,E", item).reason  # E generating A is no win for A
    draws = item_with("elements", ["A", "B", "C"], ["draw", "draw", "draw"])
    assert grader.grade(TASK, "A,B,C", draws).correct and grader.grade(TASK, "E,A,B", draws).correct
    assert "gives a loss, not a draw" in grader.grade(TASK, "B,A,C", draws).reason


def test_stick_game_draws_on_non_adjacent_cards(grader):
    item = item_with("stick_game", ["A", "B", "C", "D"], ["win", "draw", "draw", "loss"])
    assert grader.grade(TASK, "B,D,C,C", item).reason == ("the opponent plays a card twice, but each card can only be "
                                                          "used once")
    assert grader.grade(TASK, "B,D,A,C", item).correct
    assert "gives a win, not a draw" in grader.grade(TASK, "B,C,A,D", item).reason


@pytest.mark.parametrize("answer", ["", "   ", "[[", "A," * 8000, None, 3, "Ａ,Ｂ,Ｃ", "no answer"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_generator_is_varied_and_covers_every_game_type():
    items = [TASK.item(i) for i in range(400)]
    assert len({item["question"] for item in items}) >= 200
    assert {item["metadata"]["game_type"] for item in items} == {"elements", "stick_game", "animal"}


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.constrained_linear_arrangement import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 49
    for item in originals:
        meta = item["metadata"]
        assert render(meta["game_type"], meta["player_moves"], meta["results"]) == item["question"], item["id"]
