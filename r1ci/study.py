"""`r1ci study code-vs-text`: does learning to use the interpreter beat learning to answer directly?

Two tiny models per seed start from the same random weights and train on the same questions with the same
token budget: one on code-interpreter trajectories from the scripted teacher, one on text-only ones
(question -> answer). Both are then evaluated with `r1ci eval` on held-out questions of the same tasks
(another seed; no question seen in training is drawn), each in its own mode. Reported: accuracy per
seed, mean and spread.
"""

import json
import statistics
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from r1ci import protocol
from r1ci.atomic import write_atomic
from r1ci.evaluate import EvalConfig, evaluate, scores
from r1ci.models import build_tiny
from r1ci.sandbox import LocalSandbox
from r1ci.sft import SFTSettings, build_dataset, train
from r1ci.synth import synthesize_scripted, write_trajectories
from r1ci.trajectory import Segment, Trajectory

# Two tasks whose code route a copy-pretrained tiny model can learn (copy the expression into a print), and two
# whose route needs numbers copied into named slots, which it did not learn in our budgets (see the README).
TASKS = ("bbh/boolean_expressions", "bbh/multistep_arithmetic_two", "symbench/number_multiply",
         "rg/prime_factorization")


@dataclass
class StudySettings:
    tasks: tuple[str, ...] = TASKS  # tasks the scripted teacher solves (r1ci.synth.PROGRAMS)
    seeds: int = 3
    per_task: int = 150          # training questions per task (BBH tasks have 250 in all)
    eval_per_task: int = 100     # evaluated questions per task, none of them seen in training
    ci_steps: int = 400          # optimizer steps of the code-interpreter model; the text model gets equal tokens
    batch_size: int = 8
    learning_rate: float = 2e-3
    hidden: int = 128
    layers: int = 4
    copy_steps: int = 400        # copy pretraining of the shared starting weights (r1ci.models.pretrain_copying)
    max_new_tokens: int = 256


def text_twin(traj: Trajectory) -> Trajectory:
    """The same question answered directly: the text-mode prompt, then only the final answer."""
    system = protocol.system_prompt("text")
    return Trajectory(id=traj.id, task=traj.task, mode="text", question=traj.question, reference=traj.reference,
                      system=system, segments=[Segment("prompt", system + "\n\n" + traj.question),
                                               Segment("model", f"<<<{traj.answer}>>>")],
                      answer=traj.answer, score=traj.score, stop="answer", metrics={"code_calls": 0})


def mean_tokens(trajectories: list[Trajectory], tokenizer) -> float:
    rows = build_dataset(trajectories, tokenizer, multi_turn_weight=1)
    return statistics.mean(len(ids) for ids in rows["input_ids"])


def run_study(out: Path, settings: StudySettings, workers: int | None = None) -> dict:
    from transformers import AutoTokenizer

    out = Path(out)
    runs = []
    with LocalSandbox(workers) as sandbox:
        ci_data = synthesize_scripted(list(settings.tasks), settings.per_task, sandbox, seed=1000)
    text_data = [text_twin(t) for t in ci_data]
    write_trajectories(ci_data, out / "data" / "ci.jsonl")
    write_trajectories(text_data, out / "data" / "text.jsonl")
    for seed in range(settings.seeds):
        base = build_tiny(out / f"seed{seed}" / "init", hidden=settings.hidden, layers=settings.layers,
                          copy_steps=settings.copy_steps, seed=seed)
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
                                max_new_tokens=settings.max_new_tokens, exclude=[str(out / "data" / "ci.jsonl")],
                                concurrency=64, workers=workers), model_dir / "eval", show_progress=False)
            score = scores(model_dir / "eval")
            runs.append({"seed": seed, "mode": mode, "steps": steps, "train_loss": sft["train_loss"],
                         "train_tokens_per_example": tokens[mode], "accuracy": score["accuracy"],
                         "held_out": score["questions"], "by_task": score["by_task"]})
            write_atomic(out / "study.json", json.dumps({"settings": asdict(settings), "runs": runs}, indent=1))
    result = {"settings": asdict(settings), "runs": runs, "summary": {}}
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
    from r1ci.rl import RLSettings, train_rl

    pipeline_dir, out = Path(pipeline_dir), Path(out)
    pipeline = Pipeline(pipeline_dir / "config.toml", pipeline_dir)
    if not pipeline.done("potential"):
        raise ValueError(f"{pipeline_dir} has no finished SFT and potential steps; run `r1ci pipeline` first")
    config = pipeline.config
    sft_model = str(pipeline_dir / "sft")
    rows = read_table(pipeline_dir / "potential")
    base_rl = {"seed": config.seed, **config.rl}
    planned = RLSettings(**base_rl)
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
            settings = RLSettings(**{**base_rl, "seed": seed, "workers": workers, **overrides})
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
