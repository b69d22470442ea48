"""The studies whose numbers the README reports; each re-runs end to end and resumes.

`r1ci study code-vs-text` (tiny models): two models from the same random weights and token budget, one trained
on the scripted teacher's code-interpreter trajectories, one on their text-mode counterparts, evaluated on
held-out questions of the same tasks, each in its own mode.

`r1ci study curriculum`: after one finished pipeline's SFT, plain GRPO against the 4-stage curriculum by
improvement potential, the same number of steps; the held-out gain over the SFT model.

`r1ci study learning`: the paper's claims on a real model, in the record format of
results/learning-smollm2-broad.json: SFT on every task the teacher covers, evaluated on held-out questions of
them and on the unseen test tasks (less those a trained program already solves); code against a token-matched
text arm that reasons; the untrained model and the majority answer as baselines; plain and curriculum GRPO
after the SFT; every comparison paired on the same questions, with intervals (r1ci.stats).

Not here: the steps themselves (r1ci.pipeline, r1ci.sft, r1ci.rl, r1ci.evaluate).
"""

import json
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from r1ci.evaluate import EvalConfig, evaluate, question_outcomes, scores
from r1ci.models import TinyModel, build_tiny
from r1ci.potential import table_summary
from r1ci.records import write_atomic
from r1ci.rollout import RolloutSettings, rollout_settings
from r1ci.runtime import Runtime
from r1ci.sandbox import Limits
from r1ci.settings import as_table, check_positive, group, setting
from r1ci.sft import SFTSettings, build_dataset, train
from r1ci.stats import compare, wilson
from r1ci.synth import synthesize_pairs, write_trajectories
from r1ci.tasks import DataFolders, task_split, tasks_with_teacher
from r1ci.trajectory import Trajectory

# Two tasks whose code route a copy-pretrained tiny model can learn (copy the expression into a print), and two
# whose route needs numbers copied into named slots, which it did not learn in our budgets (see the README).
TASKS = ("bbh/boolean_expressions", "bbh/multistep_arithmetic_two", "symbench/number_multiply",
         "rg/prime_factorization")


@dataclass
class StudySettings:
    tasks: tuple[str, ...] = setting(TASKS, "Train tasks the scripted teacher solves (r1ci.tasks.tasks_with_teacher).")
    seeds: int = setting(3, "Seeds (model initialisations); the spread is over these.")
    per_task: int = setting(150, "Training questions per task (BBH tasks have 250 in all).")
    eval_per_task: int = setting(100, "Evaluated questions per task, none of them seen in training (fixed "
                                      "datasets: at most what is left).")
    ci_steps: int = setting(400, "Training steps of the code-interpreter model (the text model gets as many "
                                 "tokens).")
    batch_size: int = setting(8, "Trajectories per step.")
    learning_rate: float = setting(2e-3, "Peak learning rate of both models.")
    model: TinyModel = group(lambda: TinyModel(copy_steps=400))  # the shared starting weights
    rollout: RolloutSettings = rollout_settings(max_new_tokens=256)  # of the evaluations
    data: DataFolders = group(DataFolders, prefixed=False)  # where fixed datasets are read from

    def __post_init__(self):
        check_positive(self, "seeds", "per_task", "eval_per_task", "ci_steps", "batch_size", "learning_rate")
        known = tasks_with_teacher()
        unknown = sorted(set(self.tasks) - set(known))
        if unknown or not self.tasks:
            raise ValueError(f"the scripted teacher does not solve {', '.join(unknown) or 'an empty task list'}; "
                             f"it solves {', '.join(sorted(known))}")


def mean_tokens(trajectories: list[Trajectory], tokenizer) -> float:
    rows = build_dataset(trajectories, tokenizer, multi_turn_weight=1)
    return statistics.mean(len(ids) for ids in rows["input_ids"])


def run_study(out: Path, settings: StudySettings, workers: int | None = None) -> dict:
    from transformers import AutoTokenizer

    out = Path(out)
    runs = []
    with Runtime(workers) as runtime:
        ci_data, text_data = synthesize_pairs(list(settings.tasks), settings.per_task, runtime.sandbox,
                                              runtime.grader, seed=1000, data=settings.data)
    write_trajectories(ci_data, out / "data" / "ci.jsonl")
    write_trajectories(text_data, out / "data" / "text.jsonl")
    for seed in range(settings.seeds):
        base = build_tiny(out / f"seed{seed}" / "init", replace(settings.model, seed=seed))
        tokenizer = AutoTokenizer.from_pretrained(base)
        tokens = {"ci": mean_tokens(ci_data, tokenizer), "text": mean_tokens(text_data, tokenizer)}
        for mode, data, steps in (("ci", ci_data, settings.ci_steps),
                                  ("text", text_data, round(settings.ci_steps * tokens["ci"] / tokens["text"]))):
            model_dir = out / f"seed{seed}" / mode
            sft = train(str(base), data, model_dir, SFTSettings(
                max_steps=steps, batch_size=settings.batch_size, learning_rate=settings.learning_rate,
                multi_turn_weight=1, save_steps=max(50, steps // 4), logging_steps=25, seed=seed, max_length=1024))
            evaluate(EvalConfig(model=str(model_dir), split="train", tasks=list(settings.tasks),
                                n_per_task=settings.eval_per_task, mode=mode, temperature=0.0, seed=5000 + seed,
                                rollout=settings.rollout, data=settings.data, exclude=[str(out / "data" / "ci.jsonl")],
                                concurrency=64, workers=workers), model_dir / "eval", show_progress=False)
            score = scores(model_dir / "eval")
            runs.append({"seed": seed, "mode": mode, "steps": steps, "train_loss": sft["train_loss"],
                         "train_tokens_per_example": tokens[mode], "accuracy": score["accuracy"],
                         "held_out": score["questions"], "by_task": score["by_task"]})
            write_atomic(out / "study.json", json.dumps({"settings": as_table(settings), "runs": runs}, indent=1))
    result = {"settings": as_table(settings), "runs": runs, "summary": {}}
    for mode in ("ci", "text"):
        accs = [r["accuracy"] for r in runs if r["mode"] == mode]
        result["summary"][mode] = {"mean": statistics.mean(accs), "stdev": statistics.stdev(accs) if len(accs) > 1
                                   else 0.0, "per_seed": accs}
    write_atomic(out / "study.json", json.dumps(result, indent=1))
    return result


# `r1ci study curriculum`: the paper's key comparison at tiny scale.

VARIANTS = {"plain": {"stages": 1}, "curriculum": {}, "difficulty": {"order": "difficulty"}}


def run_curriculum_study(pipeline_dir: Path, out: Path, seeds: int = 3, variants: tuple[str, ...] = ("plain", "curriculum"),
                         workers: int | None = None, log=print) -> dict:
    """After the same SFT (a finished `r1ci pipeline` run's), GRPO as one stage over all questions ("plain")
    against the multi-stage curriculum by improvement potential, with the same number of steps; each seed
    re-runs both from the SFT model. Reported: the held-out gain over the SFT model, per seed, mean, spread."""
    from r1ci.pipeline import Pipeline
    from r1ci.potential import read_table
    from r1ci.rl import train_rl

    pipeline_dir, out = Path(pipeline_dir), Path(out)
    pipeline = Pipeline(pipeline_dir / "config.toml", pipeline_dir)
    if not pipeline.done("potential"):
        raise ValueError(f"{pipeline_dir} has no finished SFT and potential steps; run `r1ci pipeline` first")
    sft_model = str(pipeline.written("sft"))
    rows = read_table(pipeline.written("potential").parent)
    planned = pipeline.settings("rl")
    total_steps = planned.stages * planned.steps_per_stage

    def accuracy(model: str, run_dir: Path) -> float:
        evaluate(replace(pipeline.eval_config(model, "ci"), workers=workers), run_dir, show_progress=False)
        return scores(run_dir)["accuracy"]

    sft_accuracy = accuracy(sft_model, out / "sft-eval")
    runs = []
    for seed in range(seeds):
        for variant in variants:
            overrides = dict(VARIANTS[variant])
            if overrides.get("stages") == 1:
                overrides["steps_per_stage"] = total_steps
            settings = replace(planned, seed=seed, workers=workers, **overrides)
            run_dir = out / f"seed{seed}" / variant
            result = train_rl(sft_model, rows, run_dir / "rl", settings)
            acc = accuracy(str(run_dir / "rl" / "model"), run_dir / "eval")
            runs.append({"seed": seed, "variant": variant, "steps": result["steps"], "stages": result["stages"],
                         "accuracy": acc, "gain": acc - sft_accuracy})
            log(f"seed {seed} {variant}: {acc:.1%} (gain {acc - sft_accuracy:+.1%})")
            write_atomic(out / "study.json", json.dumps({"sft_accuracy": sft_accuracy, "runs": runs}, indent=1))
    summary = {}
    for variant in variants:
        gains = [r["gain"] for r in runs if r["variant"] == variant]
        summary[variant] = {"mean_gain": statistics.mean(gains),
                            "stdev": statistics.stdev(gains) if len(gains) > 1 else 0.0, "per_seed": gains}
    result = {"pipeline": str(pipeline_dir), "sft_accuracy": sft_accuracy, "total_steps": total_steps,
              "runs": runs, "summary": summary}
    write_atomic(out / "study.json", json.dumps(result, indent=1))
    return result


# `r1ci study learning`: the paper's claims on a real model (results/learning-smollm2-broad.json): breadth of
# tasks, code against reasoning in text, RL that adds to SFT, each comparison paired on the same questions.

COMPARISONS = (  # (name, (model, mode) of a, (model, mode) of b, question set): b against a, paired
    ("sft-ci vs untrained (ci)", ("untrained", "ci"), ("sft-ci", "ci"), "test-unseen"),
    ("sft-ci vs untrained (text)", ("untrained", "text"), ("sft-ci", "ci"), "test-unseen"),
    ("sft-ci vs sft-text", ("sft-text", "text"), ("sft-ci", "ci"), "test-unseen"),
    ("sft-ci vs untrained (ci), trained tasks", ("untrained", "ci"), ("sft-ci", "ci"), "train-heldout"),
    ("sft-ci vs sft-text, trained tasks", ("sft-text", "text"), ("sft-ci", "ci"), "train-heldout"),
    ("sft-ci vs majority answer", ("majority", "-"), ("sft-ci", "ci"), "test-unseen"),
    ("sft-text vs majority answer", ("majority", "-"), ("sft-text", "text"), "test-unseen"),
    ("grpo-plain vs sft-ci", ("sft-ci", "ci"), ("grpo-plain", "ci"), "train-heldout"),
    ("grpo-curriculum vs sft-ci", ("sft-ci", "ci"), ("grpo-curriculum", "ci"), "train-heldout"),
    ("grpo-curriculum vs grpo-plain", ("grpo-plain", "ci"), ("grpo-curriculum", "ci"), "train-heldout"),
    ("grpo-plain vs sft-ci, test", ("sft-ci", "ci"), ("grpo-plain", "ci"), "test-unseen"),
    ("grpo-curriculum vs sft-ci, test", ("sft-ci", "ci"), ("grpo-curriculum", "ci"), "test-unseen"),
)
NEAR_TRAINED_SHARE = 0.5  # a test task is near-trained when a train task's program solves this share of its items


def seed_config(config_path: Path, seed: int, out: Path) -> Path:
    """The pipeline config with its top-level `seed` set (written beside the seed's run)."""
    import re

    text = Path(config_path).read_text()
    line = f"seed = {seed}"
    text = re.sub(r"(?m)^seed\s*=\s*\d+\s*$", line, text) if re.search(r"(?m)^seed\s*=", text) else line + "\n" + text
    write_atomic(out / "config.toml", text)
    return out / "config.toml"


def eval_record(run_dir: Path, **fields) -> dict:
    """One evaluation as counts and per-question outcomes: {..., n, correct, per_task: {task: [n, correct]},
    questions: {item id: 0 or 1}}."""
    summary = json.loads((Path(run_dir) / "summary.json").read_text())
    per_task = {t: [row["n"], round(row["accuracy"] * row["n"])] for t, row in summary["by_task"].items()}
    questions = question_outcomes(Path(run_dir))
    n, correct = sum(n for n, _ in per_task.values()), sum(c for _, c in per_task.values())
    if (len(questions), sum(questions.values())) != (n, correct):
        raise ValueError(f"{run_dir}: results.jsonl does not match summary.json; re-run the evaluation")
    return {**fields, "n": n, "correct": correct, "per_task": per_task, "questions": questions}


def near_trained(train_tasks: list[str], test_tasks: list[str], sandbox, grader, per_task: int = 10,
                 seed: int = 77, data: DataFolders | None = None) -> dict[str, dict]:
    """Which test tasks a train task's teacher already solves: every program of every train task's writer, run on
    `per_task` items of each test task (where the writer makes a program from the item at all), graded by the
    test task's checker. Returns, per test task, the best (train task, share solved); a share of at least
    NEAR_TRAINED_SHARE makes the test task near-trained, not unseen."""
    import asyncio

    from r1ci.tasks import get_task

    runs = []  # (test task, train task, program number, item, code)
    for test_id in test_tasks:
        items = get_task(test_id, data).items(per_task, seed=seed)
        for train_id in train_tasks:
            writer = get_task(train_id, data).teacher
            for item in items:
                try:
                    programs = writer(item).programs
                except Exception:  # a writer that cannot read another task's item makes no program for it
                    continue
                runs += [(test_id, train_id, k, item, code) for k, code in enumerate(programs)]

    async def graded(test_id, item, code):
        lines = (await sandbox.arun(code, Limits(timeout=10))).stdout.strip().splitlines()
        return lines and (await grader.agrade(get_task(test_id, data), lines[-1], item)).correct

    async def run_all():
        return await asyncio.gather(*(graded(test_id, item, code) for test_id, _, _, item, code in runs))

    solved = {}
    for (test_id, train_id, k, _, _), correct in zip(runs, asyncio.run(run_all())):
        solved[(test_id, train_id, k)] = solved.get((test_id, train_id, k), 0) + bool(correct)
    best = {}
    for test_id in test_tasks:
        rates = {(train_id, k): count / per_task for (t, train_id, k), count in solved.items() if t == test_id}
        (train_id, k), share = max(rates.items(), key=lambda kv: kv[1], default=((None, None), 0.0))
        best[test_id] = {"solved_by": train_id, "program": k, "share": share,
                         "near_trained": share >= NEAR_TRAINED_SHARE}
    return best


def majority_outcomes(items: list[dict], grader, seed: int = 99, draws: int = 50,
                      data: DataFolders | None = None) -> tuple[dict[str, int], dict[str, str]]:
    """The per-task majority baseline: each task's most frequent answer over `draws` items of another seed (never
    the evaluated ones), graded on every evaluated item. Returns the outcomes by item id and each task's answer."""
    from collections import Counter

    from r1ci.tasks import get_task

    answers = {}
    for task_id in sorted({item["task"] for item in items}):
        task = get_task(task_id, data)
        counts = Counter(str(task.reference_answer(it)) for it in task.items(draws, seed=seed))
        answers[task_id] = counts.most_common(1)[0][0]
    outcomes = {item["id"]: int(grader.grade(get_task(item["task"], data), answers[item["task"]], item).correct)
                for item in items}
    return outcomes, answers


def majority_baselines(result: dict) -> dict[str, float]:
    """Each evaluated task's majority-answer accuracy, over its questions of every seed."""
    by_task = {}
    for table in result.get("majority", {}).values():
        for item_id, value in table["questions"].items():
            by_task.setdefault(task_of(item_id), []).append(value)
    return {task: round(sum(values) / len(values), 4) for task, values in sorted(by_task.items())}


def run_learning_study(config_path: Path, out: Path, seeds: int = 2, log=print) -> dict:
    """Per seed (each draws its own SFT, RL and evaluation questions): the pipeline up to the potential table,
    with its text arm (`text_arm`: the same questions, as many supervised tokens); the untrained model, both SFT
    models, in every mode of [eval], on held-out questions of the trained tasks and on [eval]'s unseen
    test tasks; then GRPO by the 4-stage curriculum (the pipeline's [rl]) and plain GRPO (one stage, the same
    steps), evaluated on the same questions. Once: which test tasks a trained program solves already, and the
    majority-answer baseline. Every piece marks itself done, so a killed study resumes where it stopped, and
    `learning.json` is rewritten after each piece."""
    from r1ci.pipeline import Pipeline
    from r1ci.potential import read_table
    from r1ci.rl import train_rl
    from r1ci.tasks.selection import questions_in, select_items

    out = Path(out)
    command = f"r1ci study learning --config {config_path} --out {out} --seeds {seeds}"
    result = {"config": Path(config_path).read_text(), "command": command, "runs": []}
    first = Pipeline(seed_config(config_path, 0, out / "seed0"), out / "seed0" / "pipeline")
    unseen = first.config.eval.unseen_tasks
    if not unseen:
        raise ValueError(f"{config_path}: [eval] unseen_tasks is empty; the study evaluates on unseen test tasks")
    if not first.config.text_arm:
        raise ValueError(f"{config_path}: set `text_arm = true`; the study compares SFT with code against the text arm")
    checked = out / "near-trained.json"
    if not checked.exists():
        with Runtime(first.config.workers) as runtime:
            write_atomic(checked, json.dumps(near_trained(first.config.tasks, unseen, runtime.sandbox, runtime.grader,
                                                          data=first.config.data), indent=1))
    result["near_trained_check"] = json.loads(checked.read_text())
    result["near_trained"] = sorted(t for t, row in result["near_trained_check"].items() if row["near_trained"])

    def save():
        from r1ci.report import learning_report

        result["summary"] = learning_summary(result)
        result["baselines"] = majority_baselines(result)
        write_atomic(out / "learning.json", json.dumps(result, indent=1))
        write_atomic(out / "learning.md", learning_report(result["summary"]))

    def evaluated(pipeline, seed_dir, seed, study, model, path, modes):
        for mode in modes:
            for is_unseen, tasks in ((False, "train-heldout"), (True, "test")):
                run_dir = seed_dir / "eval" / Pipeline.eval_name(model, mode, is_unseen)
                evaluate(pipeline.eval_config(path, mode, is_unseen), run_dir, show_progress=False)
                record = eval_record(run_dir, study=study, seed=seed, model=model, mode=mode, tasks=tasks,
                                     command=command)
                named = lambda r: tuple(r[k] for k in KEYS)
                result["runs"] = [r for r in result["runs"] if named(r) != named(record)] + [record]
                log(f"seed {seed} {model} {mode} {tasks}: {record['correct']}/{record['n']}")
        save()

    modes = first.config.eval.modes
    for seed in range(seeds):
        seed_dir = out / f"seed{seed}"
        pipeline = Pipeline(seed_config(config_path, seed, seed_dir), seed_dir / "pipeline")
        pipeline.until = "potential"
        pipeline.run(log=log)
        text_arm = json.loads((pipeline.written("sft_text") / "result.json").read_text())
        result.setdefault("sft", {})[f"seed{seed}"] = text_arm["matched"]
        for model, path in (("untrained", pipeline.base), ("sft-ci", str(pipeline.written("sft"))),
                            ("sft-text", str(pipeline.written("sft_text")))):
            evaluated(pipeline, seed_dir, seed, "code-vs-text", model, path, modes)
        majority = seed_dir / "eval" / "majority.json"
        if not majority.exists():
            items = [item for is_unseen in (False, True) for config in [pipeline.eval_config("-", "ci", is_unseen)]
                     for item in select_items(config.split, config.tasks, config.n_per_task, config.seed,
                                              questions_in(config.exclude), config.data)]
            with Runtime(pipeline.config.workers) as runtime:
                outcomes, answers = majority_outcomes(items, runtime.grader, data=pipeline.config.data)
            write_atomic(majority, json.dumps({"answers": answers, "questions": outcomes}, indent=1))
        result.setdefault("majority", {})[f"seed{seed}"] = json.loads(majority.read_text())
        save()
        pipeline.until = "rl"
        pipeline.run(log=log)
        planned = pipeline.settings("rl")
        plain = replace(planned, stages=1, steps_per_stage=planned.stages * planned.steps_per_stage)
        potential = read_table(pipeline.written("potential").parent)
        train_rl(str(pipeline.written("sft")), potential, seed_dir / "grpo-plain", plain)
        result.setdefault("potential", {})[f"seed{seed}"] = table_summary(potential)
        for model, path in (("sft-ci", str(pipeline.written("sft"))), ("grpo-curriculum", str(pipeline.written("rl"))),
                            ("grpo-plain", str(seed_dir / "grpo-plain" / "model"))):
            evaluated(pipeline, seed_dir, seed, "grpo", model, path, ["ci"])
        result.setdefault("grpo", {})[f"seed{seed}"] = {
            arm: grpo_log(rl_dir) for arm, rl_dir in (("grpo-curriculum", pipeline.written("rl").parent),
                                                      ("grpo-plain", seed_dir / "grpo-plain"))}
        save()
        log(f"seed {seed} done")
    return result


KEYS = ("study", "seed", "model", "mode", "tasks")  # what names one evaluation record


def grpo_log(rl_dir: Path) -> dict:
    """A GRPO run's plan (questions and steps per stage), its mean training reward at each step, and its seconds
    per step (r1ci.rl's settings.json and metrics.jsonl, replayed steps once)."""
    from r1ci.rl import read_metrics

    rows = [row for row in read_metrics(Path(rl_dir) / "metrics.jsonl") if "reward" in row]
    seconds = [row["step_time"] for row in rows if "step_time" in row]
    return {"plan": json.loads((Path(rl_dir) / "settings.json").read_text())["plan"],
            "reward": [round(row["reward"], 4) for row in rows],
            "seconds_per_step": round(statistics.mean(seconds), 1) if seconds else None}


def outcomes(result: dict, model: str, mode: str, tasks: str, seed: int | None = None) -> dict[str, int]:
    """Per-question outcomes keyed `seed:item id`, pooled over seeds (or one seed's). `tasks` is train-heldout,
    test, or test-unseen (the test tasks that no trained program solves already). Model "majority": the
    per-task majority-answer baseline on those questions."""
    recorded = "test" if tasks == "test-unseen" else tasks
    records = [r for r in result["runs"] if (r["model"], r["mode"], r["tasks"]) == (model, mode, recorded)
               and (seed is None or r["seed"] == seed)] if model != "majority" else []
    if model == "majority":
        for key, table in result.get("majority", {}).items():
            if seed is None or key == f"seed{seed}":
                split = "test" if tasks.startswith("test") else "train"
                records.append({"seed": int(key[4:]), "questions": {
                    i: v for i, v in table["questions"].items() if task_split(task_of(i)) == split}})
    near = set(result.get("near_trained", [])) if tasks == "test-unseen" else set()
    return {f"{r['seed']}:{i}": v for r in records for i, v in r["questions"].items()
            if task_of(i) not in near}


def task_of(item_id: str) -> str:
    """The task of an item id as r1ci writes them (`rg/gcd/1/3`, `bbh/navigate/17`): its source and name."""
    return "/".join(item_id.split("/")[:2])


def accuracy_row(values: dict[str, int]) -> dict:
    """Accuracy over the questions with its Wilson interval, and the paper's figure: the mean of the tasks'
    accuracies."""
    n, correct = len(values), sum(values.values())
    low, high = wilson(correct, n) if n else (0.0, 0.0)
    by_task = {}
    for key, value in values.items():
        by_task.setdefault(task_of(key.split(":", 1)[1]), []).append(value)
    mean_over_tasks = statistics.mean(sum(v) / len(v) for v in by_task.values()) if by_task else None
    return {"n": n, "correct": correct, "accuracy": round(correct / n, 4) if n else None,
            "interval": [round(low, 4), round(high, 4)], "tasks": len(by_task),
            "mean_over_tasks": round(mean_over_tasks, 4) if by_task else None}


def learning_summary(result: dict) -> dict:
    """Everything the README reports, recomputed from the records' per-question outcomes: each accuracy with its
    95 % interval (overall and per source, pooled over seeds and per seed), the paired comparisons (difference
    with a paired-bootstrap interval, exact McNemar p) and the issue's targets, each met or missed."""
    accuracy = {}
    for model, mode, tasks in sorted({(r["model"], r["mode"], r["tasks"]) for r in result["runs"]}):
        sets = [tasks] + (["test-unseen"] if tasks == "test" else [])
        for name in sets:
            values = outcomes(result, model, mode, name)
            row = accuracy_row(values)
            row["by_source"] = {s: accuracy_row({k: v for k, v in values.items() if k.split(":", 1)[1].startswith(s)})
                                for s in ("bbh", "symbench", "rg")}
            row["per_seed"] = {f"seed{s}": accuracy_row(outcomes(result, model, mode, name, s))["accuracy"]
                               for s in sorted({r["seed"] for r in result["runs"]})}
            accuracy[f"{model} {mode} {name}"] = row
    for name in ("train-heldout", "test", "test-unseen"):
        accuracy[f"majority - {name}"] = accuracy_row(outcomes(result, "majority", "-", name))
    comparisons = {}
    for name, a, b, tasks in COMPARISONS:
        first, second = outcomes(result, *a, tasks), outcomes(result, *b, tasks)
        if set(first) & set(second):
            comparisons[name] = {"a": " ".join(a), "b": " ".join(b), "tasks": tasks, **rounded(compare(first, second))}
    targets = {}

    def target(name, comparison, points):
        row = comparisons.get(comparison)
        if row:
            targets[name] = {"difference": row["difference"], "interval": row["interval"], "p_value": row["p_value"],
                             "met": row["difference"] >= points / 100 and row["p_value"] < 0.05}

    for mode in ("ci", "text"):
        target(f"sft-ci >= untrained ({mode}) + 10 points on unseen test tasks, p < 0.05",
               f"sft-ci vs untrained ({mode})", 10)
    target("sft-ci >= sft-text + 10 points on unseen test tasks, p < 0.05", "sft-ci vs sft-text", 10)
    target("grpo-plain > sft-ci on held-out questions, p < 0.05", "grpo-plain vs sft-ci", 1e-9)
    target("grpo-curriculum > sft-ci on held-out questions, p < 0.05", "grpo-curriculum vs sft-ci", 1e-9)
    return {"accuracy": accuracy, "comparisons": comparisons, "targets": targets}


def rounded(row: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else [round(x, 4) for x in v] if isinstance(v, tuple) else v)
            for k, v in row.items()}
