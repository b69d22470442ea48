"""Which questions a run takes: `n_per_task` of each chosen task of a split, none a model has already seen.

SFT data, RL questions and evaluation draw with different seeds, and each leaves out the questions of the files
written before it (`questions_in`: trajectories or a potential table), so that no two phases share a question.
Not here: how a task makes its items (r1ci/tasks/base.py, `Task.items`).
"""

import json
from pathlib import Path

from r1ci.records import RunError
from r1ci.tasks import ALL, OOD_TASKS, DataFolders, get_task, list_tasks


def select_items(split: str, tasks: list[str] | None, n_per_task: int, seed: int,
                 exclude: set[str] = frozenset(), data: DataFolders | None = None) -> list[dict]:
    """`n_per_task` items of each chosen task of the split (train, test or all; all of its tasks when `tasks` is
    empty), none of them with a question in `exclude`. The OOD benchmarks are in no split: named in `tasks`,
    they are chosen whatever the split (`--tasks ood/aime_2024` evaluates AIME alone). Fixed datasets are read
    from `data`'s folders."""
    chosen = list_tasks(split)
    if tasks:
        unknown = sorted(set(tasks) - set(chosen) - set(OOD_TASKS))
        if unknown:
            what, listing = ("suite or OOD", "") if split == ALL else (split, f" --split {split}")
            raise RunError(f"not {what} tasks: {', '.join(unknown)} (see `r1ci tasks list{listing}` and "
                           f"`r1ci tasks list --source ood`)")
        chosen = [t for t in chosen if t in tasks] + [t for t in OOD_TASKS if t in tasks]
    return [item for t in chosen for item in get_task(t, data).items(n_per_task, seed=seed, exclude=exclude)]


def questions_in(paths) -> set[str]:
    """The questions of JSONL files a model was trained on: trajectories (SFT data, eval results) or rows of
    a potential table (the RL questions), so that evaluation can hold them out."""
    questions = set()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise RunError(f"{path}: no such file (--exclude takes trajectories or potential.jsonl files)")
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                questions.add(record["item"]["question"] if "item" in record else record["question"])
            except (ValueError, KeyError, TypeError) as exc:
                raise RunError(f"{path}, line {number}: not a trajectory or potential row ({exc!r})") from exc
    return questions
