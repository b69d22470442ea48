"""`r1ci potential`: how much each training question can still teach the model, and the curriculum groups.

The model answers every question N times over a mix of modes and temperatures; p is the share of correct
answers and the improvement potential is Π = 4·p·(1−p): 1 when the model is right half the time, 0 when it
always or never is (GRPO's group advantage is then zero). Questions, not tasks, are sorted into groups by Π:

    G1 Π ∈ [0.64, 1]   G2 [0.48, 0.64)   G3 [0.32, 0.48)   G4 [0, 0.32)

and curriculum stage k trains on G1 ∪ … ∪ Gk (see `r1ci.rl`).

    out/samples.jsonl     one line per sample (item, mode, temperature, correct), appended: a kill resumes
    out/potential.jsonl   one line per question: the item itself, n, correct, p, potential, group
    out/potential.png     the histogram of Π with the group thresholds
"""

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from r1ci.backends import MODEL_SPECS, Sampling, load_backend
from r1ci.plots import potential_histogram
from r1ci.rollout import RolloutConfig, RolloutSettings, context_need, rollout_jobs, rollout_settings
from r1ci.records import append_record, load_results, write_atomic
from r1ci.tasks.selection import questions_in, select_items
from r1ci.runtime import Runtime
from r1ci.settings import as_table, check_positive, group, insecure_setting, setting, workers_setting
from r1ci.tasks import DataFolders, get_task

THRESHOLDS = (0.64, 0.48, 0.32)  # lower bounds of G1, G2, G3; G4 is the rest
DEFAULT_MIX = "ci:0.6:5,ci:1.0:5,text:0.6:5,text:1.0:5"


@dataclass(frozen=True)
class SampleSpec:
    mode: str
    temperature: float
    count: int


def parse_mix(text: str) -> list[SampleSpec]:
    """`mode:temperature:count,...`, e.g. `ci:1.0:10,text:0.6:10` (20 samples per question)."""
    specs = []
    for part in text.split(","):
        fields = part.strip().split(":")
        try:
            mode, temperature, count = fields[0], float(fields[1]), int(fields[2])
            RolloutConfig(mode=mode)
        except (IndexError, ValueError) as exc:
            raise ValueError(f"bad sample mix entry {part.strip()!r}: expected mode:temperature:count with mode "
                             f"ci, text or code, e.g. ci:1.0:10 ({exc})") from exc
        if len(fields) != 3 or count < 1 or temperature < 0:
            raise ValueError(f"bad sample mix entry {part.strip()!r}: expected mode:temperature:count, "
                             f"a count of at least 1 and a temperature of at least 0")
        specs.append(SampleSpec(mode, temperature, count))
    return specs


def improvement_potential(p: float) -> float:
    return 4.0 * p * (1.0 - p)


def reachable_groups(n: int, thresholds: tuple[float, ...] = THRESHOLDS) -> set[int]:
    """The groups a question sampled `n` times can land in: p is one of 0, 1/n, ..., 1."""
    return {group_of(improvement_potential(k / n), thresholds) for k in range(n + 1)}


def group_of(potential: float, thresholds: tuple[float, ...] = THRESHOLDS) -> int:
    """1 for the most promising group, len(thresholds) + 1 for the least."""
    for k, bound in enumerate(thresholds, 1):
        if potential >= bound - 1e-12:
            return k
    return len(thresholds) + 1


@dataclass
class PotentialConfig:
    model: str = setting(help=f"The model to measure (usually the SFT model): {MODEL_SPECS}.", wired="model")
    split: str = setting("train", "Tasks of this split (RL trains on train).", wired="split")
    tasks: list[str] | None = setting(None, "Task ids (default: all of the split).", wired="tasks")
    n_per_task: int = setting(50, "Questions per task (after `exclude`).")
    seed: int = setting(1, "Picks the questions (use another seed than the SFT data's) and seeds the sampling.",
                        wired="questions seed")
    exclude: list[str] = setting(help="JSONL files of questions to leave out: the SFT data's trajectories, so that "
                                      "RL questions are new to the model.", factory=list, wired="seen")
    mix: str = setting(DEFAULT_MIX, "Samples per question as mode:temperature:count, comma-separated; N is the sum.")
    thresholds: tuple[float, ...] = setting(THRESHOLDS, "Lower bounds of groups G1, G2, G3 on the potential; G4 is "
                                                        "the rest.")
    rollout: RolloutSettings = rollout_settings()
    concurrency: int = setting(64, "Samples in flight at once.")
    data: DataFolders = group(DataFolders, prefixed=False, wired="data")  # where fixed datasets are read from
    workers: int | None = workers_setting()
    insecure: bool = insecure_setting()

    def __post_init__(self):
        self.thresholds = tuple(float(b) for b in self.thresholds)
        if list(self.thresholds) != sorted(self.thresholds, reverse=True) or \
                not all(0 <= b <= 1 for b in self.thresholds):
            raise ValueError(f"thresholds must be decreasing values between 0 and 1, e.g. 0.64,0.48,0.32; got "
                             f"{','.join(map(str, self.thresholds))}")
        check_positive(self, "n_per_task", "concurrency", "workers")
        parse_mix(self.mix)

    def items(self) -> list[dict]:
        return select_items(self.split, self.tasks, self.n_per_task, self.seed, questions_in(self.exclude), self.data)

    def samples_per_question(self) -> int:
        return sum(spec.count for spec in parse_mix(self.mix))

    def sample_count_warning(self) -> str | None:
        """What is wrong with N when no question can land in some group (None when every group can fill)."""
        n, groups = self.samples_per_question(), len(self.thresholds) + 1
        empty = [k for k in range(1, groups + 1) if k not in reachable_groups(n, self.thresholds)]
        if not empty:
            return None
        enough = next(m for m in range(n + 1, 10 * n + 64) if len(reachable_groups(m, self.thresholds)) == groups)
        return (f"with {n} samples per question p is a multiple of 1/{n}, so no question can land in "
                f"{', '.join(f'G{k}' for k in empty)}, and the curriculum stage that adds a group trains on the same "
                f"questions as the stage before; {enough} samples per question (the mix's counts summed) can fill "
                "every group")


def sample_jobs(items: list[dict], config: PotentialConfig) -> list[tuple[dict, RolloutConfig]]:
    """One (item, rollout config) per sample. Each sample's item id is `id#spec#k`: it keys the sample on disk
    and, since the engine seeds each turn from the id, makes every sample draw its own tokens."""
    jobs = []
    for s, spec in enumerate(parse_mix(config.mix)):
        rollout = config.rollout.config(spec.mode, Sampling(spec.temperature, 1.0, seed=config.seed))
        jobs += [({**item, "id": f"{item['id']}#{s}#{k}"}, rollout) for k in range(spec.count) for item in items]
    return jobs


def estimate(config: PotentialConfig, out: Path, backend=None) -> list[dict]:
    """Sample what is left, then write the table and the histogram. Returns the table's rows."""
    items = config.items()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "config.json", json.dumps(as_table(config), indent=1))
    samples_path = out / "samples.jsonl"
    done = load_results(samples_path, key="key")
    todo = [(item, rollout) for item, rollout in sample_jobs(items, config) if item["id"] not in done]
    if todo:
        backend = backend or load_backend(config.model, context_need(todo))
        tasks = {item["task"]: get_task(item["task"], config.data) for item, _ in todo}
        with Runtime(config.workers, config.insecure) as runtime, open(samples_path, "a") as sink:
            def record(traj):
                done[traj.id] = {"key": traj.id, "id": traj.id.split("#")[0], "mode": traj.mode,
                                 "correct": traj.correct, "code_calls": traj.metrics.get("code_calls", 0)}
                append_record(sink, done[traj.id])

            asyncio.run(rollout_jobs(todo, tasks, backend, runtime.sandbox, runtime.grader, config.concurrency,
                                     on_done=record))
    rows = table(items, done.values(), config.thresholds)
    write_atomic(out / "potential.jsonl", "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    write_atomic(out / "potential.png", potential_histogram([r["potential"] for r in rows], config.thresholds,
                                                           group_sizes(rows, len(config.thresholds) + 1)))
    return rows


def table(items: list[dict], samples, thresholds: tuple[float, ...] = THRESHOLDS) -> list[dict]:
    """One row per item: its samples' count, correct count, p, Π and group (with p per mode)."""
    by_item = defaultdict(list)
    for sample in samples:
        by_item[sample["id"]].append(sample)
    rows = []
    for item in items:
        mine = by_item[item["id"]]
        n, correct = len(mine), sum(bool(s["correct"]) for s in mine)
        p = correct / n if n else 0.0
        potential = improvement_potential(p)
        modes = defaultdict(list)
        for s in mine:
            modes[s["mode"]].append(bool(s["correct"]))
        rows.append({"id": item["id"], "task": item["task"], "n": n, "correct": correct, "p": p,
                     "potential": potential, "group": group_of(potential, thresholds),
                     "p_by_mode": {m: sum(v) / len(v) for m, v in sorted(modes.items())}, "item": item})
    return rows


def read_table(path: Path) -> list[dict]:
    path = Path(path)
    if path.is_dir():
        path = path / "potential.jsonl"
    try:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the potential table {path}: {exc}; re-run `r1ci potential`") from exc
    missing = [k for k in ("id", "p", "potential", "group", "item") if rows and k not in rows[0]]
    if not rows or missing:
        raise ValueError(f"{path} is not a potential table (empty, or no {', '.join(missing)} field); "
                         f"re-run `r1ci potential`")
    return rows


def group_sizes(rows: list[dict], groups: int = len(THRESHOLDS) + 1) -> list[int]:
    return [sum(r["group"] == k for r in rows) for k in range(1, groups + 1)]


def table_summary(rows: list[dict], groups: int = len(THRESHOLDS) + 1) -> dict:
    return {"questions": len(rows), "groups": group_sizes(rows, groups),
            "mean_p": sum(r["p"] for r in rows) / max(1, len(rows))}
