"""`r1ci eval` through the transformers backend (`--model DIR`) and then through vLLM (`--model vllm:DIR`), one
after the other, each in a process of its own, on the same questions with the same settings. For each: how long the backend took to start (model load; for vLLM the whole
engine start), the evaluation's wall time after that (generation, code runs, grading, report), the model tokens
it generated, tokens per second of that wall time, and accuracy; and the CPU's name. Needs vLLM installed
(`bash scripts/install.sh --vllm` on a CPU).

    python benchmarks/eval_backends.py --model models/smollm2 --tasks rg/gcd --n-per-task 16 --temperature 1.0 \
        --out results/vllm-cpu-eval-smollm2.json
"""

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import r1ci.evaluate as evaluation
from r1ci.evaluate import EvalConfig


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def each_backend_alone(script: str, model) -> list[dict]:
    """Run `script` again with `--one SPEC DIR` for transformers (`model`), then for vLLM (`vllm:model`), each in a
    process of its own (a vLLM engine and a transformers model in one process hang at its exit); the rows the
    children wrote to DIR/row.json, in that order."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in (("hf", str(model)), ("vllm", f"vllm:{model}")):
            folder = Path(tmp) / name
            subprocess.run([sys.executable, script, *sys.argv[1:], "--one", spec, str(folder)], check=True)
            rows.append(json.loads((folder / "row.json").read_text()))
    return rows


def run(spec: str, args, out: Path) -> dict:
    """One evaluation; `load_backend` is timed where r1ci.evaluate calls it."""
    load, times = evaluation.load_backend, {}

    def timed(*a, **k):
        started = time.monotonic()
        backend = load(*a, **k)
        times["start_s"], times["ready"] = time.monotonic() - started, time.monotonic()
        return backend

    evaluation.load_backend = timed
    try:
        summary = evaluation.evaluate(EvalConfig(model=spec, split=args.split, tasks=args.tasks,
                                                 n_per_task=args.n_per_task, mode=args.mode,
                                                 temperature=args.temperature), out, show_progress=False)
    finally:
        evaluation.load_backend = load
    seconds = time.monotonic() - times["ready"]
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    tokens = sum(r["metrics"]["model_tokens"] for r in records)
    return {"model": spec, "start_s": round(times["start_s"], 1), "eval_s": round(seconds, 1),
            "model_tokens": tokens, "tokens_per_s": round(tokens / seconds, 1),
            "accuracy": summary["overall"]["accuracy"], "stops": summary["stops"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a local checkpoint folder")
    parser.add_argument("--tasks", type=lambda s: s.split(","), default=["rg/gcd"])
    parser.add_argument("--split", default="test")
    parser.add_argument("--n-per-task", type=int, default=8)
    parser.add_argument("--mode", default="ci")
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--out", type=Path, help="write the numbers here as JSON")
    parser.add_argument("--one", nargs=2, metavar=("SPEC", "DIR"), help=argparse.SUPPRESS)  # one run, as a child
    args = parser.parse_args()
    if args.one:
        (Path(args.one[1]) / "row.json").write_text(json.dumps(run(args.one[0], args, Path(args.one[1]))))
        return
    rows = each_backend_alone(__file__, args.model)
    hf, vllm = rows
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "one")}
    numbers = {"cpu": cpu_name(), "settings": settings, "runs": rows,
               "vllm_over_hf": {"tokens_per_s": round(vllm["tokens_per_s"] / hf["tokens_per_s"], 2),
                                "eval_s": round(vllm["eval_s"] / hf["eval_s"], 2)}}
    print(json.dumps(numbers, indent=1))
    if args.out:
        args.out.write_text(json.dumps(numbers, indent=1) + "\n")


if __name__ == "__main__":  # vLLM starts its engine in a spawned process, which imports this module
    main()
