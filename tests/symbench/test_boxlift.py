import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.boxlift import greedy_plan

TASK = get_task("symbench/boxlift")

BOXES, LIFTERS = [50, 30, 20, 40], [30, 25, 20]


def item_with(boxes, lifters, max_steps):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "",
            "metadata": {"boxes": boxes, "lifters": lifters, "max_steps": max_steps}}


ITEM = item_with(BOXES, LIFTERS, 3)


def test_step_budget_is_codesteers_greedy_estimate():
    # heaviest first, each box takes the first free lifters until their capacities cover it
    assert greedy_plan(BOXES, LIFTERS) == [[(50, [0, 1]), (20, [2])], [(40, [0, 1])], [(30, [0])]]


@pytest.mark.parametrize("answer", [
    "Step 1: [(50, [0, 1]), (20, [2])]\nStep 2: [(40, [0, 1])]\nStep 3: [(30, [0])]",
    "Step 1: [(50, [0, 2]), (20, [1])]\nStep 2: [(40, [2, 0])]\nStep 3: [(30, [0])]",  # another team, same budget
    "Step 1: [(30, [0]), (20, [2])]\nStep 2: [(50, [0, 1])]\nStep 3: [(40, [1, 2])]",
    "Step 1: [[50, [0, 1]], [20, [2]]] Step 2: [(40, (0, 1))] Step 3: (30, [0])",
    "step 1: [(50, [0, 1]), (20, 2)]\\nstep 2: [(40, [0, 1])]\\nstep 3: [(30, [0])]",
])
def test_accepts_any_legal_plan_within_the_budget(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("Step 1: [(50, [0, 1])]\nStep 2: [(40, [0, 1])]\nStep 3: [(30, [0])]\nStep 4: [(20, [2])]",
         "uses 4 steps, more than the allowed 3"),
        ("Step 1: [(50, [0]), (20, [2])]\nStep 2: [(40, [0, 1])]\nStep 3: [(30, [0])]", "cannot lift 50"),
        ("Step 1: [(50, [0, 1]), (20, [1])]\nStep 2: [(40, [0, 1])]\nStep 3: [(30, [0])]", "used more than once"),
        ("Step 1: [(50, [0, 0]), (20, [2])]", "used more than once"),
        ("Step 1: [(50, [0, 1]), (20, [2])]\nStep 2: [(20, [0])]", "no box of weight 20 left"),
        ("Step 1: [(60, [0, 1, 2])]", "no box of weight 60"),
        ("Step 1: [(50, [0, 3])]", "lifter indices must be in 0..2"),
        ("Step 1: [(50, [])]", "no lifter is assigned"),
        ("Step 1: [(50, [0, 1]), (20, [2])]\nStep 2: [(40, [0, 1])]", "1 boxes are never lifted: [30]"),
        ("Answer: Step 1: [(50, [0, 1])]", "unexpected text before the first step"),
        ("[(50, [0, 1])]", "no 'Step k: [...]' lines"),
        ("Step 1: [(50, [0, 1]), (20, [2])", "step 1 is not a list"),
        ("Step 1: [(50.0, [0, 1])]", "not a (box weight, [lifter indices]) pair"),
    ],
)
def test_rejects_illegal_or_incomplete_plans(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


@pytest.mark.parametrize("answer", ["", "  ", None, 3.5, "Step", "Step 1: [(", "Step 1: " + "[" * 5000,
                                    "Step 1: [(" + "9" * 6000 + ", [0])]", "Ｓｔｅｐ １: [(50, [0, 1])]",
                                    "x" * 30000])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generated_questions_state_the_step_budget():
    for i in range(30):
        item = TASK.item(i)
        assert f"less than or equal to {item['metadata']['max_steps']} steps" in item["question"]


def test_codesteer_instances_load_and_are_solved(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 112  # BoxLift_dataset and BoxLift_dataset_SFT
    assert {o["id"].split("/")[3] for o in originals} == {"BoxLift_dataset", "BoxLift_dataset_SFT"}
    assert not any("reference" in o["metadata"] for o in originals)  # CodeSteer published no plans
