"""`r1ci eval`: a model on the test or train tasks (or both) and the OOD benchmarks, with or without the
interpreter, into a resumable run directory.

    run_dir/config.json     the settings; a resumed run must use the same ones
    run_dir/results.jsonl   one finished trajectory per line, appended (and fsynced) as each finishes
    run_dir/summary.json    accuracy by task and source, code calls, turns, tokens, timeouts, self-checks, and
                            the paper's results table (per source and split, all train and all test tasks, the
                            OOD benchmarks; means over tasks) with ours beside each row it evaluated
    run_dir/report.md|html  the summary, the paper's numbers beside ours, plots and a few trajectories

A killed evaluation resumes where it stopped: items already in results.jsonl are not run again, and since
each item samples from its own seed, the final numbers are those of an uninterrupted run.
"""

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from r1ci.backends import MODEL_SPECS, Sampling, load_backend
from r1ci.rollout import (RolloutConfig, RolloutSettings, context_need, rollout_many, rollout_settings,
                          with_budget_defaults)
from r1ci.records import RunError, append_record, load_results, write_atomic
from r1ci.tasks.selection import questions_in, select_items
from r1ci.runtime import Runtime
from r1ci.settings import as_table, check_positive, group, insecure_setting, setting, table_keys, workers_setting
from r1ci.tasks import ALL, SPLITS, DataFolders, get_task, list_tasks
from r1ci.trajectory import Trajectory

# The paper's numbers (arXiv 2505.21668). "table": its results table for R1-CI-14B, (row, the tasks the row
# averages over, accuracy); "rows": the systems it compares on the 37 test tasks. The paper averages over tasks
# (each task's accuracy over its questions, then their mean), and so does every row of ours beside them.
PAPER_REFERENCE = {
    "note": "Each row is a mean over tasks (every task's accuracy over its questions, then the mean of the tasks), "
            "as in the R1-Code-Interpreter paper (arXiv 2505.21668); a row that covers only some of its tasks "
            "says how many. The overall and per-source figures elsewhere average over questions.",
    "table": [
        ("BBH test", list_tasks("test", "bbh"), 0.865),
        ("SymBench test", list_tasks("test", "symbench"), 0.656),
        ("Reasoning-Gym test", list_tasks("test", "rg"), 0.701),
        ("all 37 test tasks", list_tasks("test"), 0.724),
        ("BBH train", list_tasks("train", "bbh"), 0.919),
        ("SymBench train", list_tasks("train", "symbench"), 0.744),
        ("Reasoning-Gym train", list_tasks("train", "rg"), 0.589),
        ("all 107 train tasks", list_tasks("train"), 0.688),
        ("GPQA-Diamond", ["ood/gpqa_diamond"], 0.502),
        ("AIME 2024/25", ["ood/aime_2024", "ood/aime_2025"], 0.420),
    ],
    "compared_on": "all 37 test tasks",  # the table's row that "rows" compare with
    "rows": [["R1-CI-14B (paper)", 0.724], ["GPT-4o + Code Interpreter (paper)", 0.709],
             ["GPT-4o, text only (paper)", 0.586], ["Qwen-2.5-14B before training (paper)", 0.441]],
}
METRICS = ("code_calls", "turns", "model_tokens", "timeouts")
RUNTIME_FIELDS = ("concurrency", "workers", "insecure")  # how a run executes, not what it measures


class EvalError(RunError):
    """Bad evaluation settings, or a run directory holding another evaluation; the message says why."""


@dataclass
class EvalConfig:
    model: str = setting(help=f"The model: {MODEL_SPECS}.", wired="model")
    split: str = setting("test", "Which tasks: test (the paper's 37), train (107) or all (both splits in one run).")
    tasks: list[str] | None = setting(None, "Task ids, a subset of the split (default: all of it); the OOD benchmarks "
                                            "(ood/aime_2024, ood/aime_2025, ood/gpqa_diamond) are in no split and "
                                            "may be named with any.", wired="tasks")
    n_per_task: int = setting(10, "Questions per task (after `exclude`; fixed datasets: at most what they have).")
    mode: str = setting("ci", "ci: multi-turn with the interpreter (the paper's); text: no interpreter; code: one "
                              "program whose output is the answer.", wired="mode")
    temperature: float = setting(0.6, "Sampling temperature (0: greedy).")
    top_p: float = setting(1.0, "Nucleus sampling mass.")
    seed: int = setting(0, "Picks the questions and seeds each one's sampling.", wired="questions seed")
    rollout: RolloutSettings = rollout_settings()
    prompt_variant: int = setting(0, "Which phrasing of the mode's system prompt (r1ci.protocol).")
    exclude: list[str] = setting(help="JSONL files of questions to leave out: trajectories (SFT data) or a "
                                      "potential.jsonl (RL questions). On the train split, this keeps the score "
                                      "held out.", factory=list, wired="seen")
    concurrency: int = setting(64, "Questions in flight at once.")
    data: DataFolders = group(DataFolders, prefixed=False, wired="data")  # where fixed datasets are read from
    workers: int | None = workers_setting()
    insecure: bool = insecure_setting()

    def __post_init__(self):
        if self.split not in SPLITS + (ALL,):
            raise EvalError(f"split must be {', '.join(SPLITS)} or {ALL}, got {self.split!r}")
        check_positive(self, "n_per_task", "concurrency", "workers")
        self.rollout_config()  # checks the mode

    def measured(self) -> dict:
        skip = set(RUNTIME_FIELDS) | set(table_keys(DataFolders))  # where the data is read from is not measured
        return {k: v for k, v in as_table(self).items() if k not in skip}

    def rollout_config(self) -> RolloutConfig:
        return self.rollout.config(self.mode, Sampling(self.temperature, self.top_p, self.seed), self.prompt_variant)


def scores(run_dir: Path) -> dict:
    """Accuracy of a finished evaluation, overall and by task, from its summary, and the rows of the paper's table
    it has tasks of (`paper_comparison`)."""
    summary = json.loads((Path(run_dir) / "summary.json").read_text())
    n, accuracy = summary["overall"]["n"], summary["overall"].get("accuracy", 0.0)
    return {"questions": n, "correct": round(accuracy * n), "accuracy": accuracy,
            "code_calls": summary["overall"].get("code_calls", 0.0),
            "by_task": {t: row["accuracy"] for t, row in summary["by_task"].items()},
            "paper_rows": summary.get("reference", {}).get("table", [])}


def question_outcomes(run_dir: Path) -> dict[str, int]:
    """Each evaluated question's outcome by item id: 1 right, 0 not (what paired tests compare)."""
    return {i: int(r["score"] >= 1.0) for i, r in sorted(load_results(Path(run_dir) / "results.jsonl").items())}


def prepare_run_dir(out: Path, config: EvalConfig) -> None:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.json"
    if path.exists():
        try:
            before = json.loads(path.read_text())
        except ValueError as exc:
            raise EvalError(f"{path} is not JSON ({exc}); delete it or use another --out") from exc
        before = with_budget_defaults(before)
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


def paper_comparison(by_task: dict[str, dict]) -> dict:
    """This run beside the paper: every row of its results table that the run evaluated a task of, as a mean over
    the row's evaluated tasks, and the systems the paper compares on the test tasks when the run has that row.
    Empty when no row applies."""
    table = []
    for row, tasks, paper in PAPER_REFERENCE["table"]:
        done = [by_task[t] for t in tasks if by_task.get(t, {}).get("n")]
        if done:
            table.append({"row": row, "tasks": len(done), "of": len(tasks), "questions": sum(t["n"] for t in done),
                          "accuracy": sum(t["accuracy"] for t in done) / len(done), "paper": paper})
    if not table:
        return {}
    ours = [r for r in table if r["row"] == PAPER_REFERENCE["compared_on"]]
    rows = PAPER_REFERENCE["rows"] + [[f"this run ({ours[0]['tasks']} of {ours[0]['of']} test tasks)",
                                       ours[0]["accuracy"]]] if ours else []
    return {"note": PAPER_REFERENCE["note"], "table": table, "rows": rows}


def summarize(config: EvalConfig, records: list[dict]) -> dict:
    by_task, by_source = defaultdict(list), defaultdict(list)
    for r in records:
        by_task[r["task"]].append(r)
        by_source[r["task"].split("/")[0]].append(r)
    task_rows = {k: aggregate(v) for k, v in sorted(by_task.items())}
    return {"model": config.model, "mode": config.mode, "split": config.split, "temperature": config.temperature,
            "n_items": len(records), "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "overall": aggregate(records),
            "by_source": {k: aggregate(v) for k, v in sorted(by_source.items())},
            "by_task": task_rows,
            "code_calls_histogram": {str(k): v for k, v in sorted(Counter(
                r["metrics"].get("code_calls", 0) for r in records).items())},
            "stops": dict(Counter(r.get("stop") for r in records)),
            "reference": paper_comparison(task_rows), "config": config.measured()}


def evaluate(config: EvalConfig, out: Path, show_progress: bool = True) -> dict:
    """Run what is left of the evaluation, then write the summary and the reports. Returns the summary."""
    from r1ci.report import write_report

    out = Path(out)
    items = select_items(config.split, config.tasks, config.n_per_task, config.seed, questions_in(config.exclude),
                         config.data)
    prepare_run_dir(out, config)
    results_path = out / "results.jsonl"
    done = load_results(results_path)
    todo = [item for item in items if item["id"] not in done]
    if todo:
        rollout = config.rollout_config()
        backend = load_backend(config.model, context_need([(item, rollout) for item in todo]))
        tasks = {item["task"]: get_task(item["task"], config.data) for item in todo}
        with Runtime(config.workers, config.insecure) as runtime, \
                open(results_path, "a") as sink, Progress(len(items), done, show_progress) as progress:
            def record(traj: Trajectory) -> None:
                append_record(sink, traj.to_dict())
                done[traj.id] = traj.to_dict()
                progress.advance(traj.correct)

            asyncio.run(rollout_many(todo, tasks, backend, runtime.sandbox, runtime.grader, rollout,
                                     config.concurrency, on_done=record))
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
