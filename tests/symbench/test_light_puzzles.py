import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/light_puzzles")

METADATA = {  # CodeSteer's sample_1
    "n": 5,
    "initial_state": [[1, 0, 0, 0, 0], [1, 0, 0, 1, 0], [0, 0, 1, 0, 0], [1, 1, 0, 0, 1], [0, 1, 0, 1, 0]],
    "buttons": {
        "A": [[2, 2], [5, 1], [3, 3], [5, 3], [1, 2], [2, 4], [2, 3]],
        "B": [[2, 2], [1, 2], [5, 4], [4, 2], [4, 1], [3, 2], [2, 3]],
        "C": [[3, 1], [4, 3], [1, 1], [4, 1], [5, 4], [2, 5], [3, 3], [4, 2], [5, 2]],
    },
    "operations": ["C", "C", "C", "A"],
}
FINAL = "0,1,0,0,0,1,1,1,0,1,1,0,1,0,0,0,0,1,0,1,1,0,1,0,0"


def item_with(metadata=METADATA):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": metadata}


def test_solver_replays_the_presses():
    assert TASK.dataset(0).solve(METADATA) == FINAL


@pytest.mark.parametrize(
    "answer",
    [FINAL, FINAL.replace(",", ", "), f"[{FINAL}]", FINAL.replace(",", " "), "01000\n11101\n10100\n00101\n10100"],
)
def test_accepts_the_final_state_in_any_list_style(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("1" + FINAL[1:], "1 of the 25 lights are wrong, the first at row 1, column 1"),
        (FINAL[:-1] + "1", "the first at row 5, column 5"),
        ("1,0,0,0,0,1,0,0,1,0,0,0,1,0,0,1,1,0,0,1,0,1,0,1,0", "lights are wrong"),  # the initial state
        (FINAL[:-2], "gives 24 lights, expected 25"),
        (FINAL + ",0", "gives 26 lights, expected 25"),
        (FINAL[:-1] + "2", "must be 0 or 1"),
        (f"[{FINAL}", "unbalanced brackets"),
    ],
)
def test_rejects_wrong_states_with_the_reason(answer, reason, grader):
    grade = grader.grade(TASK, answer, item_with())
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "[[", "0," * 9000, None, 0, "０,１", "fully unlit"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.light_puzzles import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 52
    for item in originals:
        meta = item["metadata"]
        assert render(meta["n"], meta["initial_state"], meta["buttons"], meta["operations"]) == item["question"]
