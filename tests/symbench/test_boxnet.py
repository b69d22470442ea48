import json

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.boxnet import render

TASK = get_task("symbench/boxnet")


def item_with(rows, cols, grid):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "",
            "metadata": {"rows": rows, "cols": cols, "grid": grid}}


# A 1x2 grid where the red and the blue box each sit on the other's target square.
ITEM = item_with(1, 2, {"0.5_0.5": ["box_red", "target_blue"], "0.5_1.5": ["target_red", "box_blue"]})
SWAP = {"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", "Agent[0.5, 1.5]": "move(box_blue, square[0.5, 0.5])"}
MATCH = {"Agent[0.5, 0.5]": "move(box_blue, target_blue)", "Agent[0.5, 1.5]": "move(box_red, target_red)"}


def plan(*steps):
    return json.dumps(list(steps))


@pytest.mark.parametrize("answer", [
    plan(SWAP, MATCH),
    plan({"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"}, {"Agent[0.5, 1.5]": "move(box_red, target_red)"},
         {"Agent[0.5, 1.5]": "move(box_blue, square[0.5, 0.5])"}, {"Agent[0.5, 0.5]": "move(box_blue, target_blue)"}),
    plan(SWAP, {}, MATCH),  # an idle step is harmless
    plan(SWAP, MATCH).replace('"', "'"),
    plan(SWAP, MATCH).replace("Agent[0.5, 0.5]", "Agent[0.5,0.5]").replace(", target", ",target"),
])
def test_accepts_any_legal_plan_that_matches_every_box(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        # a box moved during a step can only be acted on from the next step
        (plan({"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", "Agent[0.5, 1.5]": "move(box_red, target_red)"}),
         "step 1: there is no box_red in square[0.5, 1.5]"),
        (plan({"Agent[0.5, 0.5]": "move(box_red, target_blue)"}), "box_red cannot go to target_blue"),
        (plan({"Agent[0.5, 0.5]": "move(box_red, target_red)"}), "there is no target_red in square[0.5, 0.5]"),
        (plan({"Agent[0.5, 0.5]": "move(box_red, square[0.5, 0.5])"}), "is not adjacent"),
        (plan({"Agent[0.5, 0.5]": "move(box_red, square[1.5, 0.5])"}), "[1.5, 0.5] is not a square of the 1x2 grid"),
        (plan({"Agent[0.5, 2.5]": "move(box_red, square[0.5, 1.5])"}), "[0.5, 2.5] is not a square"),
        (plan({"Agent[1, 1]": "move(box_red, square[0.5, 1.5])"}), "is not a square"),
        (plan(SWAP), "2 boxes are not on their targets"),
        (plan(SWAP, {"Agent[0.5, 1.5]": "move(box_red, target_red)"}), "1 boxes are not on their targets"),
        ('[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", "Agent[0.5, 0.5]": "move(box_red, target_red)"}]',
         "appears twice in one step"),
        ('[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])", "Agent[0.5,0.5]": "move(box_red, target_red)"}]',
         "acts twice"),
        (plan({"Robot[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"}), "is not an agent key"),
        (plan({"Agent[0.5, 0.5]": "push(box_red, square[0.5, 1.5])"}), "is not an action"),
        (plan({"Agent[0.5, 0.5]": ["move(box_red, square[0.5, 1.5])"]}), "is not an action"),
        ('[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"}', "not a JSON list"),
        ('["move(box_red, square[0.5, 1.5])"]', "not a JSON list"),
    ],
)
def test_rejects_illegal_or_incomplete_plans(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


@pytest.mark.parametrize("answer", ["", " ", None, [], "[", "[{]", "[" * 10000 + "]" * 10000, "x" * 30000,
                                    '[{"Agent[０.5, 0.5]": "move(box_red, square[0.5, 1.5])"}]', "NaN", "1e999"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_question_lists_each_agents_options_like_codesteer():
    text = render(1, 2, ITEM["metadata"]["grid"])
    assert ("Agent[0.5, 0.5]: I am in square[0.5, 0.5], I can observe ['box_red', 'target_blue'], "
            "I can do ['move(box_red, square[0.5, 1.5])']\n") in text
    assert "Please respond in the format: <<<list of action dictionary>>>" in text


def test_codesteer_instances_load_and_are_solved(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 95  # BoxNet1_dataset and BoxNet1_dataset_SFT
    assert {o["id"].split("/")[3] for o in originals} == {"BoxNet1_dataset", "BoxNet1_dataset_SFT"}
    assert not any("reference" in o["metadata"] for o in originals)  # CodeSteer published no plans
