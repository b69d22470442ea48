"""Rollout overhead: multi-turn rollouts with code calls against plain generation of the same tokens.

The tiny model (CPU) runs every forward pass for real, but its tokens are scripted, so that both runs
generate exactly the same text: in `ci` mode the text stops at two code blocks that run in the sandbox; in
the baseline (`text` mode) it is generated straight through. The ratio of wall times is what code
execution adds once the engine hides it behind other trajectories' generation (target: <= 1.15).

    .venv/bin/python benchmarks/rollout.py [--n 16] [--concurrency 16]
"""

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import torch

from r1ci import protocol
from r1ci.backends.hf import HFBackend
from r1ci.models import build_tiny
from r1ci.rollout import RolloutConfig, rollout_many
from r1ci.sandbox import LocalSandbox
from r1ci.tasks import get_task

REASONING = ("To find the greatest common divisor I will first write down both numbers and think about the "
             "Euclidean algorithm, which repeatedly replaces the larger number by its remainder. ")


def turns_for(item: dict) -> list[str]:
    a, b = (int(n) for n in re.findall(r"\d+", item["question"])[:2])
    return [REASONING + f"Let me compute it.\n```python\nimport math\nprint(math.gcd({a}, {b}))\n```\n",
            REASONING + f"Let me check it another way.\n```python\na, b = {a}, {b}\nwhile b:\n    a, b = b, a % b\n"
                        f"print(a)\n```\n",
            REASONING + f"Both agree, so the answer is <<<{item['answer']}>>>"]


class ScriptedTokens(HFBackend):
    """Real forward passes, scripted tokens: each request continues its item's script where it left off."""

    def __init__(self, path: str, scripts: dict[tuple, list[int]]):
        super().__init__(path)
        self.scripts = scripts  # prompt ids -> the model tokens of the whole trajectory, in order
        self.lengths = {len(k) for k in scripts}
        self.served = {k: 0 for k in scripts}
        self.rows = {}

    def run_batch(self, requests, deliver=None):
        for r in requests:
            key = next(k for k in (tuple(r.context[:n]) for n in self.lengths) if k in self.scripts)
            self.rows[id(r)] = (key, self.served[key])
        out = super().run_batch(requests, deliver)
        for r, gen in zip(requests, out):
            key, _ = self.rows.pop(id(r))
            self.served[key] += len(gen.token_ids)
        return out

    def choose(self, logits, request, generator, step):
        key, start = self.rows[id(request)]
        script = self.scripts[key]
        token = script[start + step] if start + step < len(script) else min(self.eos_ids)
        return token, float(torch.log_softmax(logits, -1)[token])


def measure(model_dir: Path, items: list[dict], mode: str, concurrency: int, sandbox: LocalSandbox) -> dict:
    probe = HFBackend(str(model_dir))
    system = protocol.system_prompt("ci")  # the same prompt for both runs: only code execution differs
    config = RolloutConfig(mode=mode, max_new_tokens=4096, turn_tokens=4096, max_turns=8, system_prompt=system)
    scripts = {}
    for item in items:
        messages = [{"role": "system", "content": system},
                    {"role": "user", "content": item["question"]}]
        ids = [t for turn in turns_for(item) for t in probe.encode_text(turn)] + [min(probe.eos_ids)]
        scripts[tuple(probe.encode_prompt(messages))] = ids
    backend = ScriptedTokens(str(model_dir), scripts)
    task = get_task("rg/gcd")
    began = time.perf_counter()
    trajs = asyncio.run(rollout_many(items, {"rg/gcd": task}, backend, sandbox, config, concurrency))
    wall = time.perf_counter() - began
    tokens = sum(t.metrics["model_tokens"] for t in trajs)
    return {"mode": mode, "wall_s": wall, "model_tokens": tokens, "tokens_per_s": tokens / wall,
            "code_calls": sum(t.metrics["code_calls"] for t in trajs), "correct": sum(t.correct for t in trajs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=16, help="trajectories per run")
    parser.add_argument("--concurrency", type=int, default=16, help="trajectories in flight")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs of each; medians are reported")
    args = parser.parse_args()
    items = get_task("rg/gcd").items(args.n, seed=0)
    runs = {"text": [], "ci": []}
    with tempfile.TemporaryDirectory() as tmp, LocalSandbox(workers=2) as sandbox:
        model_dir = build_tiny(Path(tmp) / "tiny", copy_steps=0)
        measure(model_dir, items[:2], "ci", 2, sandbox)  # warm-up
        for _ in range(args.repeats):
            for mode in runs:
                runs[mode].append(measure(model_dir, items, mode, args.concurrency, sandbox))
    for mode, rows in runs.items():
        row = sorted(rows, key=lambda r: r["wall_s"])[len(rows) // 2]
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in rows)
        print(f"{'plain generation' if mode == 'text' else 'with code calls':17}: median {row['wall_s']:5.2f} s "
              f"(runs: {walls}), {row['model_tokens']} model tokens "
              f"({row['tokens_per_s']:.0f}/s), {row['code_calls']} code calls, {row['correct']}/{args.n} correct")
    ratio = statistics.median(r["wall_s"] for r in runs["ci"]) / statistics.median(r["wall_s"] for r in runs["text"])
    print(f"overhead of code execution: {ratio:.3f}x the time of plain generation (target <= 1.15)")


if __name__ == "__main__":
    main()
