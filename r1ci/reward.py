"""The RL reward of the paper, as three parts that GRPO weighs and logs separately.

    correct   +1 when the final answer scores 1.0, else 0
    format    +1 when every turn is well formed, else -1      (weight 0.1 in the paper)
    turns     -1 when the model took more than 6 turns, else 0 (weight 0.1 in the paper)

Each part is a TRL reward function (`reward_funcs`); the weights are TRL's `reward_weights`, so
`rewards/<part>/mean` shows up in the training logs. The parts read what the rollout measured, passed along
by the rollout function as extra fields (`reward_fields`); `correct` also logs the rollout's code calls, turns
and answered share through TRL's `log_metric`, which averages them per step and across processes.
"""

from dataclasses import dataclass

from r1ci.settings import setting
from r1ci.trajectory import Trajectory


@dataclass(frozen=True)
class RewardWeights:
    correct: float = setting(1.0, "Weight of a correct answer.")
    format: float = setting(0.1, "Weight of +1 for well-formed turns, -1 otherwise.")
    turns: float = setting(0.1, "Weight of -1 for more model turns than `free_turns`.")
    free_turns: int = setting(6, "Model turns allowed before the turn penalty.")

    def as_list(self) -> list[float]:
        return [self.correct, self.format, self.turns]


def well_formed(traj: Trajectory) -> bool:
    """Every turn ends in a non-empty code block that ran, or in the final <<<answer>>>, and the last gives it.

    A script that raises is still a well-formed turn: the format is about the protocol, not the code.
    """
    return traj.stop == "answer" and all(s.status != "empty" for s in traj.segments if s.kind == "tool")


def reward_fields(traj: Trajectory) -> dict:
    """What the reward functions read about one trajectory, and the rollout measurements they log."""
    return {"correct": float(traj.correct), "well_formed": well_formed(traj), "turns": traj.turns(),
            "code_calls": traj.metrics.get("code_calls", 0), "answered": traj.answer is not None}


LOGGED = ("code_calls", "turns", "answered")  # per-step means in the training log, beside TRL's own metrics


def reward_functions(weights: RewardWeights) -> list:
    """The three parts as TRL reward functions, named for the logs, in the order of `weights.as_list()`."""
    def correct(correct: list[float], log_metric=None, **fields) -> list[float]:
        if log_metric is not None:  # TRL's public path for custom metrics: averaged per step and across processes
            for name in LOGGED:
                log_metric(name, sum(float(v) for v in fields[name]) / len(fields[name]))
        return [float(c) for c in correct]

    def format(well_formed: list[bool], **_) -> list[float]:  # noqa: A001 - the part's name in TRL's logs
        return [1.0 if ok else -1.0 for ok in well_formed]

    def turns(turns: list[int], **_) -> list[float]:
        return [-1.0 if n > weights.free_turns else 0.0 for n in turns]

    return [correct, format, turns]


def total_reward(traj: Trajectory, weights: RewardWeights = RewardWeights()) -> float:
    fields = {k: [v] for k, v in reward_fields(traj).items()}
    return sum(w * part(**fields)[0] for w, part in zip(weights.as_list(), reward_functions(weights)))
