"""Rollout speed, three cases.

Overhead of code calls (default): multi-turn rollouts with code calls against plain generation of the same
tokens. The tiny model (CPU) runs every forward pass for real, but its tokens are scripted, so that both runs
generate exactly the same text: in `ci` mode the text stops at two code blocks that run in the sandbox; in
the baseline (`text` mode) it is generated straight through. The ratio of wall times is what code
execution adds once the engine hides it behind other trajectories' generation (target: <= 1.15).

Decoding speed (`--smollm2 DIR`, a checkpoint from `r1ci model smollm2`): r1ci's transformers backend
against `model.generate` on the same model, prompts and token counts (greedy, end of turn suppressed, so
every row decodes exactly `--tokens`), in float32 and, where the CPU has bf16 units, bfloat16; and against
llama.cpp on the same GGUF when `llama-cpp-python` is installed (`pip install -e ".[bench]"`), the speed
anchor on a CPU.

Engines (`--engines DIR`, needs vLLM: `bash scripts/install.sh --vllm` on a CPU): r1ci's rollouts, sampled for
real (ci mode, temperature 1, each trajectory its own seed), through the transformers backend (`DIR`) and through
vLLM (`vllm:DIR`), on the same questions with the same settings, each backend in a process of its own, one after
the other: wall time once the backend has started, model tokens, tokens per second, code calls, and the ratios.
The two engines sample different tokens (different kernels), so their token counts differ a little; tokens per
second is the measure. Use a model that writes code (an SFT checkpoint), or the rollouts are plain generation.

    .venv/bin/python benchmarks/rollout.py [--n 16] [--concurrency 16]
    .venv/bin/python benchmarks/rollout.py --smollm2 /tmp/smollm2 [--n 8] [--tokens 64]
    /path/to/vllm-venv/bin/python benchmarks/rollout.py --engines runs/sft [--n 32] [--tokens 160]
"""

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

import torch

from r1ci import protocol
from eval_backends import cpu_name, each_backend_alone
from r1ci.backends import Sampling, load_backend
from r1ci.backends.hf import HFBackend, sample
from r1ci.models import TinyModel, build_tiny
from r1ci.rollout import RolloutConfig, RolloutSettings, context_need, rollout_many
from r1ci.grading import Grader
from r1ci.runtime import Runtime
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


def measure(model_dir: Path, items: list[dict], mode: str, concurrency: int, sandbox: LocalSandbox,
            grader: Grader) -> dict:
    probe = HFBackend(str(model_dir))
    system = protocol.system_prompt("ci")  # the same prompt for both runs: only code execution differs
    config = RolloutConfig(mode=mode, budget=RolloutSettings(max_new_tokens=4096, turn_tokens=4096, max_turns=8),
                           system_prompt=system)
    scripts = {}
    for item in items:
        messages = [{"role": "system", "content": system},
                    {"role": "user", "content": item["question"]}]
        ids = [t for turn in turns_for(item) for t in probe.encode_text(turn)] + [min(probe.eos_ids)]
        scripts[tuple(probe.encode_prompt(messages))] = ids
    backend = ScriptedTokens(str(model_dir), scripts)
    task = get_task("rg/gcd")
    began = time.perf_counter()
    trajs = asyncio.run(rollout_many(items, {"rg/gcd": task}, backend, sandbox, grader, config, concurrency))
    wall = time.perf_counter() - began
    tokens = sum(t.metrics["model_tokens"] for t in trajs)
    return {"mode": mode, "wall_s": wall, "model_tokens": tokens, "tokens_per_s": tokens / wall,
            "code_calls": sum(t.metrics["code_calls"] for t in trajs), "correct": sum(t.correct for t in trajs)}


class NoEndOfTurn(HFBackend):
    """Greedy decoding that never ends a turn: every row decodes exactly its token limit."""

    def choose(self, logits, request, generator, step):
        logits = logits.clone()
        logits[list(self.eos_ids)] = float("-inf")
        return sample(logits, 0.0, 1.0, generator)


def smollm2_prompts(backend: HFBackend, n: int) -> list[list[int]]:
    tasks = ("rg/basic_arithmetic", "symbench/number_multiply", "rg/prime_factorization", "rg/gcd")
    items = [item for t in tasks for item in get_task(t).items(n // len(tasks) + 1, seed=0)][:n]
    return [backend.encode_prompt([{"role": "system", "content": protocol.system_prompt("ci")},
                                   {"role": "user", "content": item["question"]}]) for item in items]


def r1ci_decode(backend: HFBackend, prompts: list[list[int]], tokens: int) -> tuple[float, list[list[int]]]:
    async def one(p):
        with backend.track():  # as the rollout engine does: a batch waits for every request in flight
            return await backend.generate(p, tokens, (), Sampling(temperature=0.0))

    async def run():
        return await asyncio.gather(*(one(p) for p in prompts))

    began = time.perf_counter()
    gens = asyncio.run(run())
    return time.perf_counter() - began, [g.token_ids for g in gens]


def hf_generate(model, prompts: list[list[int]], tokens: int, pad_id: int) -> tuple[float, list[list[int]]]:
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    began = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, min_new_tokens=tokens,
                             do_sample=False, pad_token_id=pad_id)
    return time.perf_counter() - began, out[:, width:].tolist()


def llama_cpp_decode(gguf: Path, prompts: list[list[int]], tokens: int) -> float | None:
    """Wall time of llama.cpp decoding the same prompts one after another (its Python API has no batching)."""
    try:
        from llama_cpp import Llama
    except ImportError:
        return None
    llm = Llama(model_path=str(gguf), n_ctx=2048, n_threads=torch.get_num_threads(), verbose=False)
    eos = llm.token_eos()

    def no_eos(_, scores):
        scores[eos] = -float("inf")
        return scores

    began = time.perf_counter()
    for p in prompts:
        llm.reset()
        made = 0
        for _ in llm.generate(p, temp=0.0, logits_processor=[no_eos]):
            made += 1
            if made == tokens:
                break
    return time.perf_counter() - began


def smollm2_case(model_dir: Path, n: int, tokens: int, repeats: int) -> None:
    from r1ci.models import bf16_is_fast, smollm2_gguf

    dtypes = ["float32"] + (["bfloat16"] if bf16_is_fast() else [])
    print(f"CPU: {torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} threads; {n} prompts x "
          f"{tokens} new tokens; medians of {repeats} alternating runs")
    for dtype in dtypes:
        backend = NoEndOfTurn(str(model_dir), dtype=dtype, max_batch=n)
        prompts = smollm2_prompts(backend, n)
        r1ci_decode(backend, prompts[:2], 4), hf_generate(backend.model, prompts[:2], 4, backend.pad_id)  # warm-up
        walls = {"r1ci": [], "generate": []}
        for _ in range(repeats):
            wall, ours = r1ci_decode(backend, prompts, tokens)
            walls["r1ci"].append(wall)
            wall, theirs = hf_generate(backend.model, prompts, tokens, backend.pad_id)
            walls["generate"].append(wall)
        same = sum(a == b for a, b in zip(ours, theirs))
        median = {k: statistics.median(v) for k, v in walls.items()}
        print(f"{dtype:9} r1ci backend {n * tokens / median['r1ci']:6.1f} tokens/s, model.generate "
              f"{n * tokens / median['generate']:6.1f} tokens/s: r1ci/generate speed {median['generate'] / median['r1ci']:.2f}x "
              f"({same}/{n} rows decode the same tokens)")
        del backend
    llama = llama_cpp_decode(smollm2_gguf(), prompts, tokens)
    if llama is None:
        print("llama.cpp: not installed (pip install -e '.[bench]' adds llama-cpp-python)")
    else:
        print(f"llama.cpp (Q4_1 GGUF, one prompt at a time) {n * tokens / llama:6.1f} tokens/s")


ENGINE_TASKS = ("rg/basic_arithmetic", "symbench/number_multiply", "rg/count_bits", "rg/power_function")  # no files


def engine_rollouts(spec: str, n: int, tokens: int, concurrency: int) -> dict:
    """One backend's rollouts (in a child process: a vLLM engine and a transformers model in one process hang
    at its exit)."""
    items = [item for t in ENGINE_TASKS for item in get_task(t).items(n // len(ENGINE_TASKS) + 1, seed=0)][:n]
    tasks = {t: get_task(t) for t in ENGINE_TASKS}
    config = RolloutSettings(max_new_tokens=tokens, turn_tokens=tokens).config("ci", Sampling(1.0, 1.0, 0))
    with Runtime(workers=2) as runtime:
        started = time.perf_counter()
        backend = load_backend(spec, context_need([(item, config) for item in items]))
        start_s = time.perf_counter() - started
        asyncio.run(rollout_many(items[:2], tasks, backend, runtime.sandbox, runtime.grader, config))  # warm-up
        began = time.perf_counter()
        trajs = asyncio.run(rollout_many(items, tasks, backend, runtime.sandbox, runtime.grader, config,
                                         concurrency))
        wall = time.perf_counter() - began
    tokens_made = sum(t.metrics["model_tokens"] for t in trajs)
    return {"backend": spec, "start_s": round(start_s, 1), "wall_s": round(wall, 1), "model_tokens": tokens_made,
            "tokens_per_s": round(tokens_made / wall, 1), "code_calls": sum(t.metrics["code_calls"] for t in trajs),
            "correct": sum(t.correct for t in trajs), "trajectories": len(trajs)}


def engines_case(args) -> None:
    rows = each_backend_alone(__file__, args.engines)
    hf, vllm = rows
    print(f"CPU: {cpu_name()} ({torch.backends.cpu.get_cpu_capability()}); {args.n} rollouts in ci mode, at most "
          f"{args.tokens} model tokens each, {args.concurrency} in flight, temperature 1.0")
    for name, row in zip(("transformers", "vllm"), rows):
        print(f"{name:12}: start {row['start_s']:5.1f} s, rollouts {row['wall_s']:6.1f} s, {row['model_tokens']} "
              f"model tokens ({row['tokens_per_s']:.1f}/s), {row['code_calls']} code calls, "
              f"{row['correct']}/{row['trajectories']} correct")
    print(f"vllm/transformers: {vllm['tokens_per_s'] / hf['tokens_per_s']:.2f}x the tokens per second, "
          f"{vllm['wall_s'] / hf['wall_s']:.2f}x the wall time, {vllm['start_s'] / hf['start_s']:.1f}x the start time")
    if args.out:
        args.out.write_text(json.dumps({"cpu": cpu_name(), "settings": {k: str(v) for k, v in vars(args).items()
                                                                        if k not in ("out", "one")},
                                        "runs": rows}, indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=16, help="trajectories (or prompts) per run")
    parser.add_argument("--concurrency", type=int, default=16, help="trajectories in flight")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs of each; medians are reported")
    parser.add_argument("--smollm2", type=Path, help="a SmolLM2 checkpoint (r1ci model smollm2): the decoding case")
    parser.add_argument("--tokens", type=int, default=64, help="new tokens per prompt (decoding), model tokens per "
                                                                "rollout (engines)")
    parser.add_argument("--engines", type=Path, help="a checkpoint: r1ci's rollouts through transformers and vLLM")
    parser.add_argument("--out", type=Path, help="engines case: write its numbers here as JSON")
    parser.add_argument("--one", nargs=2, metavar=("SPEC", "DIR"), help=argparse.SUPPRESS)  # one backend, a child
    args = parser.parse_args()
    if args.one:
        row = engine_rollouts(args.one[0], args.n, args.tokens, args.concurrency)
        Path(args.one[1]).mkdir(parents=True, exist_ok=True)
        return (Path(args.one[1]) / "row.json").write_text(json.dumps(row))
    if args.engines:
        return engines_case(args)
    if args.smollm2:
        return smollm2_case(args.smollm2, args.n, args.tokens, args.repeats)
    items = get_task("rg/gcd").items(args.n, seed=0)
    runs = {"text": [], "ci": []}
    with tempfile.TemporaryDirectory() as tmp, Runtime(workers=2) as runtime:
        model_dir = build_tiny(Path(tmp) / "tiny", TinyModel(copy_steps=0))
        measure(model_dir, items[:2], "ci", 2, runtime.sandbox, runtime.grader)  # warm-up
        for _ in range(args.repeats):
            for mode in runs:
                runs[mode].append(measure(model_dir, items, mode, args.concurrency, runtime.sandbox, runtime.grader))
    for mode, rows in runs.items():
        row = sorted(rows, key=lambda r: r["wall_s"])[len(rows) // 2]
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in rows)
        print(f"{'plain generation' if mode == 'text' else 'with code calls':17}: median {row['wall_s']:5.2f} s "
              f"(runs: {walls}), {row['model_tokens']} model tokens "
              f"({row['tokens_per_s']:.0f}/s), {row['code_calls']} code calls, {row['correct']}/{args.n} correct")
    ratio = statistics.median(r["wall_s"] for r in runs["ci"]) / statistics.median(r["wall_s"] for r in runs["text"])
    print(f"overhead of code execution: {ratio:.3f}x the time of plain generation (target <= 1.15)")


if __name__ == "__main__":  # vLLM starts its engine in a spawned process, which imports this module
    main()
