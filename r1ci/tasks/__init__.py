"""The task suite: 144 tasks (33 SymBench, 27 BIG-Bench Hard, 84 Reasoning-Gym) and the frozen split; and,
outside it, the paper's out-of-distribution benchmarks (`ood/aime_2024`, `ood/aime_2025`, `ood/gpqa_diamond`).

    from r1ci.tasks import get_task
    task = get_task("symbench/game24")
    item = task.item(0, seed=0)
    task.check("<answer>", item)   # a Grade: score 1.0 only when correct

`check` runs the checker in the calling process, unbounded; a model's answers are graded in a sandbox by
`r1ci.grading.Grader` (`grader.grade(task, answer, item)`), which runs `check` there.

`task.teacher` is the scripted teacher's program writer for the task (None where it has none; see
r1ci.tasks.teaching), and `tasks_with_teacher()` lists the tasks that have one.

The OOD benchmarks are in neither split: `list_tasks()` and every split's list leave them out (so no run that
takes a split's tasks draws on them), `list_tasks(source="ood")` lists them, and an evaluation names them.
"""

import json
from functools import lru_cache
from importlib.resources import files

from r1ci.tasks.base import Grade, Item, Task
from r1ci.tasks.data import DataFolders

SOURCES = ("symbench", "bbh", "rg")
SPLITS = ("train", "test")
ALL = "all"  # both splits: the whole suite
OOD = "ood"  # the source, and the split, of the OOD benchmarks (r1ci/tasks/ood.py)
OOD_TASKS = ("ood/aime_2024", "ood/aime_2025", "ood/gpqa_diamond")


@lru_cache(maxsize=1)
def suite() -> dict[str, str]:
    """Task id -> split, frozen in suite.json (never recomputed at run time)."""
    return {row["id"]: row["split"] for row in json.loads(files("r1ci.tasks").joinpath("suite.json").read_text())}


def list_tasks(split: str | None = None, source: str | None = None) -> list[str]:
    """The suite's tasks of `split` (train, test, or all/None: both) and `source`; source "ood": the OOD
    benchmarks, which belong to no split (so only with no split given)."""
    if split is not None and split not in SPLITS + (ALL,):
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS + (ALL,))}")
    if source is not None and source not in SOURCES + (OOD,):
        raise ValueError(f"unknown source {source!r}; choose from {', '.join(SOURCES + (OOD,))}")
    if source == OOD:
        return list(OOD_TASKS) if split is None else []
    return [t for t, s in suite().items() if split in (None, ALL, s) and (source is None or t.startswith(source + "/"))]


def task_split(task_id: str) -> str:
    """train or test for a task of the suite, ood for an OOD benchmark; KeyError for any other id."""
    if task_id in OOD_TASKS:
        return OOD
    return suite()[task_id]


def get_task(task_id: str, data: DataFolders | None = None) -> Task:
    """The task with id `source/name`, e.g. `bbh/snarks`, reading its files from `data` (default: the folder
    settings' defaults, r1ci/tasks/data.py)."""
    return _task(task_id, data or DataFolders())


@lru_cache(maxsize=None)
def _task(task_id: str, data: DataFolders) -> Task:
    if task_id in OOD_TASKS:
        from r1ci.tasks import ood

        return ood.task(task_id.split("/", 1)[1], data)
    if task_id not in suite():
        close = [t for t in (*suite(), *OOD_TASKS) if task_id.split("/")[-1] in t]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; `r1ci tasks list` shows them all"
        raise KeyError(f"unknown task {task_id!r}{hint}")
    source, name = task_id.split("/", 1)
    split = suite()[task_id]
    if source == "symbench":
        from r1ci.tasks import symbench

        if name in symbench.GENERATED:
            return symbench.SymbenchTask(name, split)
        from r1ci.tasks.symbench.mathdata import MathDataTask

        return MathDataTask(name, split, data)
    if source == "bbh":
        from r1ci.tasks.bbh import BBHTask

        return BBHTask(name, split, data)
    from r1ci.tasks.rg import ReasoningGymTask

    return ReasoningGymTask(name, split)


def tasks_with_teacher() -> list[str]:
    """The suite's tasks that the scripted teacher has a program writer for (`Task.teacher`), in suite order."""
    return [t for t in list_tasks() if get_task(t).teacher is not None]


__all__ = ["DataFolders", "Grade", "Item", "Task", "get_task", "list_tasks", "suite", "task_split", "tasks_with_teacher", "SOURCES",
           "SPLITS", "ALL", "OOD", "OOD_TASKS"]
