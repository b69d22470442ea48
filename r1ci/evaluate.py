"""`r1ci eval`: a model on the test tasks, with or without the interpreter, into a resumable run directory.

    run_dir/config.json     the settings; a resumed run must use the same ones
    run_dir/results.jsonl   one finished trajectory per line, appended (and fsynced) as each finishes
    run_dir/summary.json    accuracy by task and source, code calls, turns, tokens, timeouts, self-checks
    run_dir/report.md|html  the summary, the paper's numbers beside ours, plots and a few trajectories

A killed evaluation resumes where it stopped: items already in results.jsonl are not run again, and since
each item samples from its own seed, the final numbers are those of an uninterrupted run.
"""

import asyncio
import json
import os
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from r1ci.atomic import write_atomic
from r1ci.backends import Sampling, load_backend
from r1ci.rollout import RolloutConfig, rollout_many
from r1ci.sandbox import Limits, LocalSandbox
from r1ci.tasks import get_task, list_tasks
from r1ci.tasks.grading import use_insecure_grading
from r1ci.trajectory import Trajectory

PAPER_REFERENCE = {
    "note": "R1-Code-Interpreter paper, average accuracy over the 37 test tasks (arXiv 2505.21668)",
    "rows": [["R1-CI-14B (paper)", 0.724], ["GPT-4o + Code Interpreter (paper)", 0.709],
             ["GPT-4o, text only (paper)", 0.586], ["Qwen-2.5-14B before training (paper)", 0.441]],
}
METRICS = ("code_calls", "turns", "model_tokens", "timeouts")
RUNTIME_FIELDS = ("concurrency", "workers", "insecure")  # how a run executes, not what it measures


class EvalError(ValueError):
    """Bad settings or a run directory that cannot be resumed; the message says why."""


@dataclass
class EvalConfig:
    model: str
    split: str = "test"
    tasks: list[str] | None = None
    n_per_task: int = 10
    mode: str = "ci"
    temperature: float = 0.6
    top_p: float = 1.0
    seed: int = 0                 # picks the items and seeds each item's sampling
    max_new_tokens: int = 1024
    turn_tokens: int = 512
    timeout: float = 10.0         # seconds per script
    prompt_variant: int = 0
    exclude: list[str] = field(default_factory=list)  # JSONL files whose questions are left out (training data)
    concurrency: int = 64
    workers: int | None = None
    insecure: bool = False

    def measured(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in RUNTIME_FIELDS}

    def rollout(self) -> RolloutConfig:
        return RolloutConfig(mode=self.mode, max_new_tokens=self.max_new_tokens, turn_tokens=self.turn_tokens,
                             prompt_variant=self.prompt_variant,
                             sampling=Sampling(self.temperature, self.top_p, self.seed),
                             limits=Limits(timeout=self.timeout))


def select_items(split: str, tasks: list[str] | None, n_per_task: int, seed: int,
                 exclude: set[str] = frozenset()) -> list[dict]:
    """`n_per_task` items of each chosen task of the split (all of them when `tasks` is empty), none of them
    with a question in `exclude`."""
    chosen = list_tasks(split)
    if tasks:
        unknown = sorted(set(tasks) - set(chosen))
        if unknown:
            raise EvalError(f"not {split} tasks: {', '.join(unknown)} (see `r1ci tasks list --split {split}`)")
        chosen = [t for t in chosen if t in tasks]
    return [item for t in chosen for item in get_task(t).items(n_per_task, seed=seed, exclude=exclude)]


def questions_in(paths) -> set[str]:
    """The questions of JSONL files a model was trained on: trajectories (SFT data, eval results) or rows of
    a potential table (the RL questions), so that evaluation can hold them out."""
    questions = set()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise EvalError(f"{path}: no such file (--exclude takes trajectories or potential.jsonl files)")
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                questions.add(record["item"]["question"] if "item" in record else record["question"])
            except (ValueError, KeyError, TypeError) as exc:
                raise EvalError(f"{path}, line {number}: not a trajectory or potential row ({exc!r})") from exc
    return questions


def load_results(path: Path, key: str = "id") -> dict[str, dict]:
    """Finished records (trajectories, samples) by `key`. A torn last line (a kill mid-write) is dropped so
    that its work runs again."""
    if not path.exists():
        return {}
    lines = path.read_bytes().split(b"\n")
    done, good_bytes = {}, 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            good_bytes += len(line) + 1
            continue
        try:
            record = json.loads(line)
            done[record[key]] = record
        except (ValueError, KeyError, TypeError) as exc:
            if number >= len(lines) - 1:  # the last line: cut it off and redo that item
                with open(path, "r+b") as f:
                    f.truncate(good_bytes)
                break
            raise EvalError(f"{path}, line {number}, is not a record ({exc}); fix or delete that line "
                            f"(its work will run again)") from exc
        good_bytes += len(line) + 1
    return done


def append_record(sink, record: dict) -> None:
    """One JSON line, flushed and fsynced: a kill loses at most the line being written."""
    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    sink.flush()
    os.fsync(sink.fileno())


def scores(run_dir: Path) -> dict:
    """Accuracy of a finished evaluation, overall and by task, from its summary."""
    summary = json.loads((Path(run_dir) / "summary.json").read_text())
    n, accuracy = summary["overall"]["n"], summary["overall"].get("accuracy", 0.0)
    return {"questions": n, "correct": round(accuracy * n), "accuracy": accuracy,
            "code_calls": summary["overall"].get("code_calls", 0.0),
            "by_task": {t: row["accuracy"] for t, row in summary["by_task"].items()}}


def prepare_run_dir(out: Path, config: EvalConfig) -> None:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.json"
    if path.exists():
        try:
            before = json.loads(path.read_text())
        except ValueError as exc:
            raise EvalError(f"{path} is not JSON ({exc}); delete it or use another --out") from exc
        changed = {k: (before.get(k), v) for k, v in config.measured().items() if before.get(k) != v}
        if changed:
            detail = "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changed.items())
            raise EvalError(f"{out} holds a run with other settings ({detail}); use another --out to start "
                            f"a new run, or the same settings to resume this one")
    else:
        write_atomic(path, json.dumps(config.measured(), indent=1))


def aggregate(records: list[dict]) -> dict:
    n = len(records)
    if not n:
        return {"n": 0}
    row = {"n": n, "accuracy": sum(r["score"] >= 1.0 for r in records) / n}
    for name in METRICS:
        row["tokens" if name == "model_tokens" else name] = sum(r["metrics"].get(name, 0) for r in records) / n
    row["self_check_rate"] = sum(bool(r["metrics"].get("self_check")) for r in records) / n
    return row


def summarize(config: EvalConfig, records: list[dict]) -> dict:
    by_task, by_source = defaultdict(list), defaultdict(list)
    for r in records:
        by_task[r["task"]].append(r)
        by_source[r["task"].split("/")[0]].append(r)
    return {"model": config.model, "mode": config.mode, "split": config.split, "temperature": config.temperature,
            "n_items": len(records), "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "overall": aggregate(records),
            "by_source": {k: aggregate(v) for k, v in sorted(by_source.items())},
            "by_task": {k: aggregate(v) for k, v in sorted(by_task.items())},
            "code_calls_histogram": {str(k): v for k, v in sorted(Counter(
                r["metrics"].get("code_calls", 0) for r in records).items())},
            "stops": dict(Counter(r.get("stop") for r in records)),
            "reference": PAPER_REFERENCE if config.split == "test" else {}, "config": config.measured()}


def evaluate(config: EvalConfig, out: Path, show_progress: bool = True) -> dict:
    """Run what is left of the evaluation, then write the summary and the reports. Returns the summary."""
    from r1ci.report import write_report

    out = Path(out)
    items = select_items(config.split, config.tasks, config.n_per_task, config.seed, questions_in(config.exclude))
    prepare_run_dir(out, config)
    results_path = out / "results.jsonl"
    done = load_results(results_path)
    todo = [item for item in items if item["id"] not in done]
    if todo:
        backend = load_backend(config.model)
        tasks = {item["task"]: get_task(item["task"]) for item in todo}
        use_insecure_grading(config.insecure)
        with LocalSandbox(config.workers, insecure=config.insecure) as sandbox, \
                open(results_path, "a") as sink, Progress(len(items), done, show_progress) as progress:
            def record(traj: Trajectory) -> None:
                append_record(sink, traj.to_dict())
                done[traj.id] = traj.to_dict()
                progress.advance(traj.correct)

            asyncio.run(rollout_many(todo, tasks, backend, sandbox, config.rollout(), config.concurrency,
                                     on_done=record))
    wanted = {item["id"] for item in items}
    records = sorted((r for r in done.values() if r["id"] in wanted), key=lambda r: r["id"])
    summary = summarize(config, records)
    write_atomic(out / "summary.json", json.dumps(summary, indent=1))
    write_report(out, summary, records)
    return summary


class Progress:
    """Items done, accuracy so far and throughput, on a rich progress bar."""

    def __init__(self, total: int, done: dict, show: bool):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, \
            TimeElapsedColumn

        self.correct = sum(r["score"] >= 1.0 for r in done.values())
        self.count, self.new, self.started = len(done), 0, time.monotonic()
        self.bar = RichProgress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                TimeElapsedColumn(), disable=not show)
        self.task = self.bar.add_task("eval", total=total, completed=self.count, info="")

    def advance(self, correct: bool) -> None:
        self.count += 1
        self.new += 1
        self.correct += correct
        rate = self.new / max(1e-9, time.monotonic() - self.started)
        self.bar.update(self.task, advance=1, info=f"accuracy {self.correct / self.count:.1%}  {rate:.2f} items/s")

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        self.bar.__exit__(*exc)
