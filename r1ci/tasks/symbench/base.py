"""The SymBench task model: a config dataclass, a deterministic generator, a checker and a solver.

Each SymBench task is a reasoning-gym `ProceduralDataset`, so it can be used through reasoning-gym
(`reasoning_gym.create_dataset("symbench_game24", ...)` after `import r1ci.tasks.symbench`). The instance
lives in `metadata`; the question is its rendering in CodeSteer's style; `check` and `solve` work from the
metadata alone, which is what lets the CodeSteer loaders and the generators share one checker.
"""

import random
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Iterator

from reasoning_gym.dataset import ProceduralDataset

from r1ci.protocol import extract_answer


class Incorrect(Exception):
    """Raised by checkers for a well-formed answer that is wrong; the message is the reason."""


@dataclass
class SymbenchConfig:
    """Fields shared by every SymBench config; tasks subclass it and add their difficulty knobs."""

    seed: int | None = None
    size: int = 500

    def validate(self) -> None:
        assert self.size > 0, "size must be positive"


class SymbenchDataset(ProceduralDataset):
    name: ClassVar[str]  # task name, e.g. "game24"
    config_cls: ClassVar[type[SymbenchConfig]]

    def __init__(self, config: SymbenchConfig | None = None):
        config = config if config is not None else self.config_cls()
        super().__init__(config=config, seed=config.seed if config.seed is not None else 0, size=config.size)

    def __getitem__(self, idx: int) -> dict[str, Any]:
        rng = random.Random(f"symbench/{self.name}/{self.seed}/{idx}")
        question, metadata = self.generate(rng)
        metadata = {**metadata, "source_dataset": f"symbench_{self.name}", "source_index": idx}
        return {"question": question, "answer": self.solve(metadata), "metadata": metadata}

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
        """Original instances under a CodeSteer `dataset_gather` folder: (relative path, question, metadata).

        The metadata has the generator's schema, so `check`/`solve` apply unchanged; a published reference
        solution, when there is one, is stored as `metadata["reference"]` (an answer string).
        """
        return iter(())
