"""SymBench's 33 tasks: 30 generators (one module each, named after the task) and 3 fixed math datasets
(mathdata.py).

`GENERATED` is read from the package: every module but `base`, `mathdata` and the `_`-prefixed helpers is a
task. So adding a task is its module, its test (tests/symbench/test_<name>.py) and its row, with its split, in
r1ci/tasks/suite.json; tests/test_suite.py names whichever is missing.

A module whose task the scripted teacher covers also defines `teacher(item)`, its program writer (conventions:
r1ci.tasks.teaching), which `SymbenchTask.teacher` finds; 22 of the train tasks have one. The data block copies
the instance's values as the question writes them; the computation is a general program for the task (where
the module's own solver is one, the program is that solver's source), so the same program solves every
instance. Answers that the question asks for on several lines (a grid, a list of moves) are printed on one
line in a form the checker accepts, since the driver takes the last printed line as the answer. No writer:
the free-form word problems (gsm_hard, math_geometry), which no single program solves, and the tasks of the
test split.

Importing this package registers the generators with reasoning-gym as `symbench_<name>`, each with its
curriculum (`reasoning_gym.create_dataset("symbench_game24", seed=0, size=10)`,
`reasoning_gym.factory.create_curriculum("symbench_game24")`).
"""

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from r1ci.tasks.base import Grade, Item, Task
from r1ci.tasks.symbench.base import Incorrect, SymbenchDataset
from r1ci.tasks.teaching import Writer

NOT_TASKS = ("base", "mathdata")  # the task model and the fixed math datasets' loader
GENERATED = sorted(module.name for module in pkgutil.iter_modules(__path__)
                   if module.name not in NOT_TASKS and not module.name.startswith("_"))


@lru_cache(maxsize=None)
def dataset_class(name: str) -> type[SymbenchDataset]:
    module = importlib.import_module(f"r1ci.tasks.symbench.{name}")
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, SymbenchDataset) and getattr(value, "name", None) == name:
            return value
    raise LookupError(f"module r1ci.tasks.symbench.{name} defines no SymbenchDataset named {name!r}")


class SymbenchTask(Task):
    """A generated SymBench task: items from its dataset class, graded by its checker."""

    def __init__(self, name: str, split: str, **config):
        super().__init__("symbench", name, split)
        self.dataset_cls = dataset_class(name)
        self.config = config  # difficulty knobs, passed to the task's config dataclass

    @property
    def teacher(self) -> Writer | None:
        """The task module's `teacher` function, where it has one."""
        return getattr(importlib.import_module(self.dataset_cls.__module__), "teacher", None)

    @lru_cache(maxsize=8)
    def dataset(self, seed: int) -> SymbenchDataset:
        return self.dataset_cls(self.dataset_cls.config_cls(seed=seed, **self.config))

    def _item(self, item_id: str, question: str, answer: str, metadata: dict) -> Item:
        return {"id": item_id, "task": self.id, "question": question, "answer": answer, "metadata": metadata}

    def item(self, index: int, seed: int = 0) -> Item:
        entry = self.dataset(seed)[index]
        return self._item(f"{self.id}/{seed}/{index}", entry["question"], entry["answer"], entry["metadata"])

    def _grade(self, answer: str, item: Item) -> Grade:
        try:
            self.dataset(0).check(answer, item["metadata"])
        except Incorrect as e:
            return Grade(0.0, str(e) or "incorrect")
        return Grade(1.0, "correct")

    def wrong_answer(self, item: Item) -> str:
        return self.dataset(0).corrupt(self.reference_answer(item), item["metadata"])

    def load_originals(self, root: Path) -> list[Item]:
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"SymBench folder not found: {root}")
        ds = self.dataset(0)
        return [self._item(f"{self.id}/codesteer/{rel}", question, ds.solve(metadata), metadata)
                for rel, question, metadata in self.dataset_cls.load_codesteer(root)]


def register_reasoning_gym() -> list[str]:
    """Register every generated SymBench task, with its curriculum, with reasoning-gym (once; this package's
    import does it); returns the reasoning-gym names."""
    from reasoning_gym.factory import DATASETS, register_dataset

    names = []
    for name in GENERATED:
        cls, rg_name = dataset_class(name), f"symbench_{name}"
        if rg_name not in DATASETS:
            register_dataset(rg_name, cls, cls.config_cls, cls.curriculum_cls)
        names.append(rg_name)
    return names


register_reasoning_gym()

