import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.path_plan import render

TASK = get_task("symbench/path_plan")

# CodeSteer's first layout (benchmark/run_path_plan_continuous_*.py) and its ninth, where blue reaches the wall.
LAYOUT_1 = {"yellow": [-1, -0.7, -0.25, 0.5], "red": [0, 0.9, -1, -0.5], "green": [0.2, 0.7, 0.8, 1.2],
            "blue": [-0.5, 0.5, -0.5, 0.5], "pink": [-1.2, 0.0, 0.6, 0.9], "purple": [-1.0, -0.5, -1.3, -0.9],
            "orange": [0.6, 1.2, -0.5, 0.5]}
LAYOUT_9 = {"pink": [-1.3, -0.9, -0.25, 0.5], "purple": [-0.3, 0.6, -1.3, -0.7], "green": [0.1, 0.9, 0.7, 1.2],
            "blue": [-0.55, 1.4, -0.3, 0.5], "orange": [-1.2, 0.0, 0.7, 1.3], "yellow": [-1.3, -0.4, -1.3, -0.7],
            "red": [0.7, 1.2, -1.2, -0.5]}
OTHERS = ["yellow", "red", "green", "pink", "purple", "orange"]
# CodeSteer's ten instructions, as the boxes each one requires entering and avoiding.
INSTRUCTIONS = [
    ("Navigate into the green room and go to the yellow room.", ["green", "yellow"], []),
    ("Navigate into the yellow room, go to the purple room, and to the red room, and to the green room.",
     ["yellow", "purple", "red", "green"], []),
    ("Navigate into the yellow room, go to the purple room, and to the red room, and to the green room. Remember do "
     "not enter the blue area all the time.", ["yellow", "purple", "red", "green"], ["blue"]),
    ("Visit blue region during your trajectory, but never enter all the other colored boxes.", ["blue"], OTHERS),
    ("Navigate into the green room and go to the yellow room. Remember do not enter the pink area all the time.",
     ["green", "yellow"], ["pink"]),
    ("Navigate into the yellow room and go to the orange room. Remember do not enter the blue, purple, and red areas "
     "all the time.", ["yellow", "orange"], ["blue", "purple", "red"]),
    ("Navigate into the green room and go to the yellow room and go to the red room. Remember do not enter the blue "
     "area all the time.", ["green", "yellow", "red"], ["blue"]),
    ("Visit purple, orange, and pink areas, but remember never enter all the other colored areas.",
     ["purple", "orange", "pink"], ["blue", "red", "green", "yellow"]),
    ("At some point go to the yellow box, and at some point go to the red box, and enter the green box, and always "
     "do not enter the blue area.", ["yellow", "red", "green"], ["blue"]),
]


def item_with(boxes, start, end, instruction):
    text, enter, avoid = instruction
    metadata = {"boxes": boxes, "start": start, "end": end, "instruction": text, "enter": enter, "avoid": avoid}
    return {"id": "x", "task": TASK.id, "question": render(metadata), "answer": "", "metadata": metadata}


# Layout 1 from (-1.3, -1.3) to (1.3, 1.3): visit blue, touch none of the other six boxes.
ITEM = item_with(LAYOUT_1, [-1.3, -1.3], [1.3, 1.3], INSTRUCTIONS[3])
VALID = "[(-1.3, -1.3), (-1.3, -0.7), (-0.3, -0.7), (0.0, 0.0), (0.55, 0.65), (1.3, 0.65), (1.3, 1.3)]"


@pytest.mark.parametrize("answer", [
    VALID,
    "[(-1.3, -1.3), (-0.3, -1.35), (-0.3, -0.7), (0, 0), (0.55, 0.65), (1.3, 0.65), (1.3, 1.3)]",  # another route
    "[[-1.3, -1.3], [-1.3, -0.7], [-0.3, -0.7], [0.0, 0.0], [0.55, 0.65], [1.3, 0.65], [1.3, 1.3]]",
    VALID.strip("[]"),  # a bare sequence of pairs
    "[(-1.3, -1.3), (-1.3, -0.7), (-0.3, -0.7), (-0.3, -0.5), (0.55, 0.65), (1.3, 0.65), (1.3, 1.3)]",  # grazes blue
])
def test_accepts_any_trajectory_meeting_the_instruction(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("[(-1.3, -1.3), (0.0, 0.0), (1.3, 1.3)]", "enters the purple box, which it must avoid"),
        # running along purple's bottom edge (y = -1.3) touches it, and touching counts as entering
        ("[(-1.3, -1.3), (-0.3, -1.3), (-0.3, -0.7), (0.0, 0.0), (0.55, 0.65), (1.3, 0.65), (1.3, 1.3)]",
         "enters the purple box"),
        ("[(-1.3, -1.3), (-1.3, 1.3), (1.3, 1.3)]", "never enters the blue box"),
        ("[(-1.3, -1.3), (-1.3, -0.7), (-0.3, -0.7), (0.0, 0.0), (0.55, 0.65), (1.4, 0.65), (1.3, 1.3)]",
         "touches the black walls at (1.4, 0.65)"),
        ("[(-1.2, -1.3), (-1.3, -0.7), (-0.3, -0.7), (0.0, 0.0), (0.55, 0.65), (1.3, 0.65), (1.3, 1.3)]",
         "first waypoint must be the starting position"),
        ("[(-1.3, -1.3), (-1.3, -0.7), (-0.3, -0.7), (0.0, 0.0), (0.55, 0.65), (1.3, 0.65)]",
         "last waypoint must be the ending position"),
        ("[(-1.3, -1.3)]", "at least two waypoints"),
        ("[(-1.3, -1.3, 0), (1.3, 1.3)]", "is not an (x, y) pair"),
        ("[(True, False), (1.3, 1.3)]", "is not an (x, y) pair"),
        ("[(1e999, 0), (1.3, 1.3)]", "is not an (x, y) pair"),
        ("[(-1.3, -1.3)" + ", (0.0, 0.0)" * 300 + ", (1.3, 1.3)]", "too many waypoints"),
        ("[(-1.3, -1.3), (1.3, 1.3)", "not a list of (x, y) waypoints"),
    ],
)
def test_rejects_trajectories_breaking_the_instruction(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason, grade.reason


def test_geometry_is_exact_at_corners(grader):
    # the segment (-0.6, -0.8) -> (-0.4, -1.0) passes exactly through purple's corner (-0.5, -0.9)
    item = item_with(LAYOUT_1, [-0.6, -0.8], [-0.4, -1.0], ("Visit purple.", ["purple"], []))
    assert grader.grade(TASK, "[(-0.6, -0.8), (-0.4, -1.0)]", item).correct
    item = item_with(LAYOUT_1, [-0.6, -0.8], [-0.4, -1.0], ("Avoid purple.", [], ["purple"]))
    assert "enters the purple box" in grader.grade(TASK, "[(-0.6, -0.8), (-0.4, -1.0)]", item).reason


@pytest.mark.parametrize("answer", ["", "  ", None, 1.5, "[(", "[[[[" * 2000, "__import__('os').system('true')",
                                    "x" * 30000, "[(－1.3, －1.3), (1.3, 1.3)]", "{'a': 1}"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


@pytest.mark.parametrize("layout, start, end", [(LAYOUT_1, [-1.3, -1.3], [1.3, 1.3]),
                                                (LAYOUT_9, [1.35, 1.35], [-1.35, -1.35])])
@pytest.mark.parametrize("instruction", INSTRUCTIONS)
def test_solver_handles_codesteers_layouts(layout, start, end, instruction, grader):
    item = item_with(layout, start, end, instruction)
    assert grader.grade(TASK, TASK.dataset(0).solve(item["metadata"]), item).correct


def test_generated_questions_state_the_instruction():
    for i in range(30):
        item = TASK.item(i)
        assert item["metadata"]["instruction"] in item["question"]


def test_codesteer_published_no_path_planning_folder(symbench_dir):
    assert TASK.load_originals(symbench_dir) == []
