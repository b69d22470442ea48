"""The suite: 144 tasks, the frozen DESIGN.md split, the registry and the contract every task keeps."""

import json
import re
from pathlib import Path

import pytest

from r1ci.tasks import get_task, list_tasks, suite
from r1ci.tasks.selfcheck import MALFORMED

DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"
# The 37 test tasks of DESIGN.md §2, frozen here so that the check needs nothing outside the repo.
TEST_SPLIT = {f"{source}/{name}" for source, names in {
    "symbench": "boxlift boxnet cryptanalysis eight_queens game24 logic_puzzle math_counting_probability new_operator "
                "standard_sudoku",
    "bbh": "dyck_languages logical_deduction_seven_objects penguins_in_a_table snarks "
           "tracking_shuffled_objects_five_objects tracking_shuffled_objects_three_objects word_sorting",
    "rg": "chain_sum cryptarithm dice fraction_simplification game_of_life gcd gsm_symbolic intermediate_integration "
          "knights_knaves lcm manipulate_matrix mini_sudoku palindrome_partitioning rush_hour self_reference "
          "shortest_path simple_geometry spell_backward syllogism tower_of_hanoi tsumego",
}.items() for name in names.split()}


def design_test_split() -> set[str]:
    """The 37 test tasks exactly as DESIGN.md §2 lists them."""
    text = DESIGN.read_text().split("**The 37 test tasks**")[1].split("**Task contract.**")[0]
    tasks = set()
    for source, names in re.findall(r"- (symbench|bbh|rg): ([^-]+?)(?=\n- |\n\n)", text, re.DOTALL):
        tasks |= {f"{source}/{n.strip()}" for n in names.replace("\n", " ").split(",")}
    return tasks


def test_suite_has_144_tasks_split_107_37():
    assert len(suite()) == 144
    assert len(list_tasks("train")) == 107 and len(list_tasks("test")) == 37
    assert [len(list_tasks(source=s)) for s in ("symbench", "bbh", "rg")] == [33, 27, 84]


def test_test_split_is_the_frozen_one():
    assert len(TEST_SPLIT) == 37 and set(list_tasks("test")) == TEST_SPLIT


@pytest.mark.skipif(not DESIGN.exists(), reason="DESIGN.md not beside the checkout (the frozen split is checked above)")
def test_the_frozen_split_is_still_designs():
    assert TEST_SPLIT == design_test_split()


def test_suite_json_lists_exactly_the_symbench_tasks_the_package_has():
    """A SymBench task is a module of r1ci/tasks/symbench (or one of mathdata's fixed datasets), its test and its
    suite.json row: none may be missing."""
    from r1ci.tasks.symbench import GENERATED
    from r1ci.tasks.symbench.mathdata import SOURCES

    listed = {task_id.split("/", 1)[1] for task_id in list_tasks(source="symbench")}
    present = set(GENERATED) | set(SOURCES)
    row = '{"id": "symbench/%s", "split": "train"}  (or "test")'
    assert not present - listed, "r1ci/tasks/suite.json has no row for these SymBench tasks; add " + \
        ", ".join(row % name for name in sorted(present - listed))
    assert not listed - present, (f"r1ci/tasks/suite.json lists SymBench tasks with no module: "
                                  f"{', '.join(sorted(listed - present))}; add r1ci/tasks/symbench/<name>.py "
                                  "(or drop the row)")
    untested = [name for name in GENERATED if not (Path(__file__).parent / "symbench" / f"test_{name}.py").exists()]
    assert not untested, f"SymBench tasks without their test: add {', '.join(f'tests/symbench/test_{n}.py' for n in untested)}"


def test_every_task_is_constructible():
    for task_id in suite():
        task = get_task(task_id)
        assert task.id == task_id and task.split == suite()[task_id]


def test_unknown_task_and_bad_filters_have_clear_errors():
    with pytest.raises(KeyError, match="did you mean symbench/game24"):
        get_task("game24")
    with pytest.raises(ValueError, match="unknown split"):
        list_tasks("dev")
    with pytest.raises(ValueError, match="unknown source"):
        list_tasks(source="mmlu")


@pytest.mark.parametrize("task_id", sorted(suite()))
def test_task_contract(task_id, grader):
    """Deterministic items with the contract's keys; reference scores 1, a wrong answer < 1, garbage 0."""
    task = get_task(task_id)
    item = task.item(1, seed=0)
    assert set(item) == {"id", "task", "question", "answer", "metadata"} and item["task"] == task_id
    assert item == task.item(1, seed=0)
    json.dumps(item)  # items are plain JSON
    assert grader.grade(task, task.reference_answer(item), item).score == 1.0
    assert grader.grade(task, task.wrong_answer(item), item).score < 1.0
    for bad, grade in zip(MALFORMED, grader.grade_many([(task, bad, item) for bad in MALFORMED])):
        assert grade.score == 0.0 and grade.reason, (bad, grade)
    if task.size() is None:
        assert task.item(1, seed=1)["question"] != item["question"] or task.item(2, seed=1)["question"] != task.item(2, seed=0)["question"]
