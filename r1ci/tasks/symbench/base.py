"""The SymBench task model: a config dataclass, a deterministic generator, a checker, a solver, a curriculum.

Each SymBench task is a reasoning-gym `ProceduralDataset` with a `BaseCurriculum`, registered with
reasoning-gym as `symbench_<name>` when `r1ci.tasks.symbench` is imported, so
`reasoning_gym.create_dataset("symbench_game24", ...)` works after `import r1ci.tasks.symbench`. The instance
lives in `metadata`; the question is its rendering in CodeSteer's style; `check` and `solve` work from the
metadata alone, which is what lets the CodeSteer loaders and the generators share one checker.

The parts every task shares live here: the loop over CodeSteer's original layout (a task names its
instances with globs and turns one of them into metadata), the bounded redraw that rejection sampling goes
through, and the helpers that declare a curriculum's levels.
"""

import json
import random
import re
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, TypeVar

from reasoning_gym.coaching import BaseCurriculum, RangeAttributeDefinition, ScalarAttributeDefinition
from reasoning_gym.dataset import ProceduralDataset

from r1ci.protocol import extract_answer

T = TypeVar("T")
MAX_DRAWS = 1000  # redraw budget: the defaults need tens of draws at most; a config that uses them all cannot fit


class Incorrect(Exception):
    """Raised by checkers for a well-formed answer that is wrong; the message is the reason."""


def require(condition: bool, message: str) -> None:
    """A config check that also holds under `python -O` (where an `assert` vanishes): a ValueError with `message`,
    which names the field, its value and what is allowed, when `condition` fails."""
    if not condition:
        raise ValueError(message)


@dataclass
class SymbenchConfig:
    """Fields shared by every SymBench config; tasks subclass it and add their difficulty knobs.

    `validate` (which reasoning-gym calls when it builds a dataset) raises a ValueError that names the field, its
    value and what is allowed; tasks extend it with `require_range`, `require_span` and `require`."""

    seed: int | None = None
    size: int = 500

    def validate(self) -> None:
        self.require_range("size", 1, None)

    def require_range(self, name: str, low, high, why: str = "") -> None:
        """The field `name` lies in [low, high]; None leaves that side open."""
        value = getattr(self, name)
        allowed = f"in [{low}, {high}]" if high is not None else f"at least {low}"
        require((low is None or low <= value) and (high is None or value <= high),
                f"{name} must be {allowed}{f' ({why})' if why else ''}, got {value!r}")

    def require_span(self, name: str, low, high, why: str = "") -> None:
        """The fields `min_<name>` and `max_<name>` satisfy low <= min_<name> <= max_<name> <= high; None leaves
        that side open."""
        smallest, largest = getattr(self, f"min_{name}"), getattr(self, f"max_{name}")
        bounds = " <= ".join(str(part) for part in (low, f"min_{name}", f"max_{name}", high) if part is not None)
        require((low is None or low <= smallest) and smallest <= largest and (high is None or largest <= high),
                f"min_{name} and max_{name} must satisfy {bounds}{f' ({why})' if why else ''}, "
                f"got min_{name}={smallest!r}, max_{name}={largest!r}")


def natural_key(text: str) -> list:
    """Sort key that reads digit runs as numbers, so `sample_2` comes before `sample_10`."""
    parts = re.split(r"([0-9]+)", text)  # text, digits, text, ...: odd places hold the digit runs
    return [int(part) if i % 2 else part for i, part in enumerate(parts)]


def read_sample(folder: Path) -> tuple[str, Any]:
    """A CodeSteer `sample_<i>` folder's question.txt and its parsed solution.json."""
    return (folder / "question.txt").read_text(), json.loads((folder / "solution.json").read_text())


class SymbenchCurriculum(BaseCurriculum):
    """A reasoning-gym curriculum declared by class attributes: the config it builds and the definitions of
    its attributes (see `span` and `knob`), whose levels run from easiest to hardest."""

    config_cls: ClassVar[type[SymbenchConfig]]
    definitions: ClassVar[tuple[RangeAttributeDefinition | ScalarAttributeDefinition, ...]]

    def __init__(self):
        super().__init__(name=type(self).__name__, config_cls=self.config_cls)
        self._define_attributes(*self.definitions)


def span(name: str, levels: list, description: str) -> RangeAttributeDefinition:
    """A curriculum attribute for the config's `min_<name>` / `max_<name>` pair."""
    return RangeAttributeDefinition(name=name, levels=levels, description=description,
                                    lower_field_name=f"min_{name}", upper_field_name=f"max_{name}")


def knob(name: str, levels: list, description: str) -> ScalarAttributeDefinition:
    """A curriculum attribute for the config field `name`."""
    return ScalarAttributeDefinition(name=name, levels=levels, description=description, field_name=name)


class SymbenchDataset(ProceduralDataset):
    name: ClassVar[str]  # task name, e.g. "game24"
    config_cls: ClassVar[type[SymbenchConfig]]
    curriculum_cls: ClassVar[type[SymbenchCurriculum] | None] = None
    # Globs, under CodeSteer's `dataset_gather` folder, of the task's original instances: `sample_<i>`
    # folders, or files where a task's layout has none. No globs: the task has no published instances.
    codesteer: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: SymbenchConfig | None = None):
        config = config if config is not None else self.config_cls()
        super().__init__(config=config, seed=config.seed if config.seed is not None else 0, size=config.size)

    def __getitem__(self, idx: int) -> dict[str, Any]:
        rng = random.Random(f"symbench/{self.name}/{self.seed}/{idx}")
        question, metadata = self.generate(rng)
        metadata = {**metadata, "source_dataset": f"symbench_{self.name}", "source_index": idx}
        return {"question": question, "answer": self.solve(metadata), "metadata": metadata}

    def redraw(self, draw: Callable[[], T | None], what: str, attempts: int = MAX_DRAWS) -> T:
        """The first draw that is not None, for rejection sampling: a config that cannot produce an item
        (an unreachable target, say) fails with a ValueError after `attempts` draws instead of looping forever.
        """
        for _ in range(attempts):
            found = draw()
            if found is not None:
                return found
        raise ValueError(f"symbench_{self.name}: no {what} in {attempts} draws; can {self.config} produce one?")

    def score_answer(self, answer: str | None, entry: dict[str, Any]) -> float:
        """reasoning-gym's scoring entry point; accepts a bare answer or text with `<<<...>>>`."""
        if not isinstance(answer, str):
            return 0.0
        inner = extract_answer(answer)
        try:
            self.check(inner if inner is not None else answer, entry["metadata"])
        except Exception:
            return 0.0
        return 1.0

    # What each task implements -------------------------------------------------------------------

    @abstractmethod
    def generate(self, rng: random.Random) -> tuple[str, dict[str, Any]]:
        """A solvable instance drawn with `rng` only: (question text, JSON-serialisable metadata)."""

    @abstractmethod
    def check(self, answer: str, metadata: dict[str, Any]) -> None:
        """Return if `answer` (the text inside `<<<...>>>`) is correct; raise Incorrect(reason) if not.

        Any other exception means the answer is malformed; the caller scores it 0 with that message.
        """

    @abstractmethod
    def solve(self, metadata: dict[str, Any]) -> str:
        """An answer string that `check` accepts."""

    def corrupt(self, answer: str, metadata: dict[str, Any]) -> str:
        """A near-miss of a correct answer that `check` rejects; override when a digit change may pass."""
        from r1ci.tasks.base import perturb

        return perturb(answer)

    @classmethod
    def load_codesteer(cls, root: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Original instances under a CodeSteer `dataset_gather` folder: (relative path, question, metadata),
        in natural order of their paths (`sample_2` before `sample_10`).

        The metadata has the generator's schema, so `check`/`solve` apply unchanged; a published reference
        solution that `check` accepts is stored as `metadata["reference"]` (an answer string).
        """
        for path in cls.codesteer_paths(root):
            rel = str(path.relative_to(root))
            try:
                found = cls.read_original(path)
            except (KeyError, IndexError, TypeError, ValueError) as e:
                raise ValueError(f"{rel}: {e}") from e
            if found is not None:
                yield rel, *found

    @classmethod
    def codesteer_paths(cls, root: Path) -> list[Path]:
        """The paths that `codesteer` matches under `root`, each once, in natural order."""
        paths = {path for pattern in cls.codesteer for path in root.glob(pattern)}
        return sorted(paths, key=lambda path: natural_key(str(path.relative_to(root))))

    @classmethod
    def read_original(cls, path: Path) -> tuple[str, dict[str, Any]] | None:
        """One original instance, from a path that `codesteer` matches: (question, metadata), or None to
        leave out an instance that cannot be answered correctly. Malformed data raises (KeyError, ValueError,
        ...); the loader adds the path to the message."""
        raise NotImplementedError(f"{cls.__name__} names CodeSteer instances but cannot read them")
