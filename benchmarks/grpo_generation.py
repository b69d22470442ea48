"""GRPO with its rollouts sampled by transformers (`--generation hf`) and by a colocated vLLM engine
(`--generation vllm`): the same `r1ci rl` run twice, from the same checkpoint, on the same potential table with
the same settings, one after the other, each in a process of its own. Needs vLLM (`bash scripts/install.sh --vllm`
on a CPU); run it with that environment's python, which runs both.

For each run, from its metrics.jsonl: seconds per optimizer step (TRL's `step_time`; `rollout_seconds` of it
went to sampling the trajectories) and steps per hour, the reward per step, and for vLLM the gap between the
engine's sampling logprobs and the trainer's on the same tokens at every step (TRL's
`sampling/sampling_logp_difference/mean` and `/max`) and the seconds each weight sync took. To show what the gap
would be without a working sync, `drift` is the mean absolute change of the per-token logprobs from the starting
model to each run's final one, over the tokens of `--drift-texts` SFT trajectories (transformers, float32).

A killed run resumes: run the same command again (each `r1ci rl` run folder under --work resumes).

    /root/venv-vllm/bin/python benchmarks/grpo_generation.py --model runs/sft --potential runs/potential \
        --sft-data runs/sft-data.jsonl --work runs/grpo-generation --out results/grpo-vllm-cpu-smollm2.json
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import torch

from eval_backends import cpu_name
from r1ci.rl import read_metrics

SETTINGS = ["--stages", "1", "--steps-per-stage", "20", "--num-generations", "4", "--prompts-per-step", "4",
            "--learning-rate", "1e-5", "--beta", "0", "--temperature", "1.0", "--max-new-tokens", "160",
            "--save-steps", "5"]


def drift(start: str, final: Path, texts: list[list[int]]) -> float:
    """Mean |logprob change| of each next token, start model against final model."""
    from transformers import AutoModelForCausalLM

    models = [AutoModelForCausalLM.from_pretrained(p, dtype=torch.float32).eval() for p in (start, final)]
    changes = []
    with torch.no_grad():
        for ids in texts:
            ids_t = torch.tensor([ids])
            before, after = (torch.log_softmax(m(input_ids=ids_t).logits[0, :-1], -1) for m in models)
            picked = ids_t[0, 1:, None]
            changes += (before.gather(1, picked) - after.gather(1, picked)).abs()[:, 0].tolist()
    return sum(changes) / len(changes)


def sft_texts(path: Path, model: str, n: int) -> list[list[int]]:
    from transformers import AutoTokenizer

    from r1ci.sft import tokenize
    from r1ci.synth import read_trajectories

    tokenizer = AutoTokenizer.from_pretrained(model)
    return [tokenize(traj, tokenizer)["input_ids"] for traj in read_trajectories(path)[:n]]


def summary(rows: list[dict]) -> dict:
    times = [r["step_time"] for r in rows]
    out = {"steps": len(rows), "mean_step_s": round(statistics.mean(times), 1),
           "steps_per_hour": round(3600 / statistics.mean(times), 1),
           "reward_first5": round(statistics.mean(r["reward"] for r in rows[:5]), 3),
           "reward_last5": round(statistics.mean(r["reward"] for r in rows[-5:]), 3)}
    if all("rollout_seconds" in r for r in rows):
        out["mean_rollout_s"] = round(statistics.mean(r["rollout_seconds"] for r in rows), 1)
    gaps = [r["sampling/sampling_logp_difference/mean"] for r in rows if "sampling/sampling_logp_difference/mean" in r]
    if gaps:
        out |= {"logp_gap_mean_over_steps": round(statistics.mean(gaps), 4), "logp_gap_largest_step_mean":
                round(max(gaps), 4), "sync_s_mean": round(statistics.mean(r["vllm/sync_seconds"] for r in rows), 3)}
    return out


PER_STEP = ("step", "step_time", "rollout_seconds", "reward", "reward_std", "rewards/correct/mean", "code_calls",
            "completions/mean_length", "sampling/sampling_logp_difference/mean",
            "sampling/sampling_logp_difference/max", "vllm/sync_seconds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="the checkpoint GRPO starts from (an SFT model)")
    parser.add_argument("--potential", required=True, type=Path, help="an `r1ci potential` folder")
    parser.add_argument("--sft-data", required=True, type=Path, help="SFT trajectories (JSONL): texts for `drift`")
    parser.add_argument("--drift-texts", type=int, default=16, help="how many SFT trajectories `drift` reads")
    parser.add_argument("--work", required=True, type=Path, help="folder of the two run folders (resumable)")
    parser.add_argument("--out", type=Path, help="write the numbers here as JSON")
    args = parser.parse_args()
    r1ci = str(Path(sys.executable).with_name("r1ci"))  # this environment's
    texts = sft_texts(args.sft_data, args.model, args.drift_texts)
    runs = {}
    for generation in ("hf", "vllm"):
        out = args.work / generation
        subprocess.run([r1ci, "rl", "--model", args.model, "--potential", str(args.potential), "--out", str(out),
                        "--generation", generation, *SETTINGS], check=True)
        rows = [r for r in read_metrics(out / "metrics.jsonl") if "loss" in r]
        runs[generation] = {**summary(rows), "drift": round(drift(args.model, out / "model", texts), 4),
                            "per_step": [{k: r[k] for k in PER_STEP if k in r} for r in rows]}
    numbers = {"cpu": f"{cpu_name()} ({torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} threads)",
               "model": args.model, "settings": " ".join(SETTINGS), "runs": runs,
               "vllm_over_hf_steps_per_hour": round(runs["vllm"]["steps_per_hour"] / runs["hf"]["steps_per_hour"],
                                                    2)}
    print(json.dumps({k: v for k, v in numbers.items() if k != "runs"} |
                     {g: {k: v for k, v in r.items() if k != "per_step"} for g, r in runs.items()}, indent=1))
    if args.out:
        args.out.write_text(json.dumps(numbers, indent=1) + "\n")


if __name__ == "__main__":  # vLLM's engine workers import this module again
    main()
