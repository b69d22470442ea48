"""Items generated and scored per second for every task, and the slowest tasks.

Baselines measured in the same run: for Reasoning-Gym tasks, reasoning-gym itself (create_dataset, __getitem__,
score_answer) on the same number of items, so the ratio shows what r1ci's wrapper adds; for scoring, the
checker run in this process (`Task.check`, unbounded, how r1ci scored before grading moved into the
sandbox) against grading in the sandbox, batched (`Grader.grade_many`, how `tasks check` grades) and one
answer at a time (`Grader.grade`, how a rollout grades). Every task is also shown against the suite's median
generation rate.

    .venv/bin/python benchmarks/tasks.py [--n 30] [--source rg] [--top 10]
"""

import argparse
import io
import os
import statistics
import time
from contextlib import redirect_stdout
from pathlib import Path

import reasoning_gym

from r1ci.grading import Grader
from r1ci.tasks import get_task, list_tasks
from r1ci.tasks.rg import SIZE, DEFAULT_SIZE, DEFAULTS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
os.environ.setdefault("R1CI_BBH_DIR", str(SHARED / "bbh"))
os.environ.setdefault("R1CI_SYMBENCH_DIR", str(SHARED / "symbench-codesteer"))


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def measure(task_id: str, n: int, grader: Grader) -> dict:
    task = get_task(task_id)
    task.item(0)  # load data files / build the dataset outside the timing
    start = time.perf_counter()
    items = [task.item(i) for i in range(1, n + 1)]
    generated = time.perf_counter() - start
    start = time.perf_counter()
    with redirect_stdout(io.StringIO()):  # some reasoning-gym scorers print on wrong answers
        for item in items:
            task.check(item["answer"], item)
    in_process = time.perf_counter() - start
    start = time.perf_counter()
    grader.grade_many([(task, item["answer"], item) for item in items])
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for item in items[:5]:
        grader.grade(task, item["answer"], item)
    single = (time.perf_counter() - start) / min(5, n)
    row = {"task": task_id, "gen_per_s": rate(n, generated), "score_per_s": rate(n, in_process),
           "sandbox_per_s": rate(n, batched), "single_ms": 1000 * single}
    if task_id.startswith("rg/"):
        name = task_id.split("/")[1]
        ds = reasoning_gym.create_dataset(name, seed=1, size=SIZE.get(name, DEFAULT_SIZE), **DEFAULTS.get(name, {}))
        ds[0]  # warm up the same way
        start = time.perf_counter()
        for i in range(1, n + 1):
            ds[i]
        raw_generated = time.perf_counter() - start
        row["wrapper_ratio"] = rate(n, generated) / rate(n, raw_generated)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30, help="items generated and scored per task")
    parser.add_argument("--source", choices=["symbench", "bbh", "rg"], help="only this source")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest tasks to name")
    args = parser.parse_args()

    with Grader() as grader:
        rows = [measure(t, args.n, grader) for t in list_tasks(source=args.source)]
    median = statistics.median(r["gen_per_s"] for r in rows)
    print(f"{'task':45s} {'items/s':>10s} {'scores/s':>10s} {'sandbox/s':>10s} {'1 grade':>9s} {'vs median':>10s} "
          f"{'vs raw rg':>10s}")
    for r in rows:
        vs_rg = f"{r['wrapper_ratio']:.2f}x" if "wrapper_ratio" in r else "-"
        print(f"{r['task']:45s} {r['gen_per_s']:10.1f} {r['score_per_s']:10.1f} {r['sandbox_per_s']:10.1f} "
              f"{r['single_ms']:7.1f}ms {r['gen_per_s'] / median:9.2f}x {vs_rg:>10s}")
    ratios = [r["wrapper_ratio"] for r in rows if "wrapper_ratio" in r]
    print(f"\nsuite median: {median:.1f} items/s over {len(rows)} tasks")
    if ratios:
        print(f"r1ci wrapper vs raw reasoning-gym generation: median ratio {statistics.median(ratios):.2f}x (1.00 = no overhead)")
    total = {k: sum(1 / r[k] for r in rows) for k in ("score_per_s", "sandbox_per_s")}
    print(f"scoring one item of every task: {1000 * total['score_per_s']:.0f} ms in process, "
          f"{1000 * total['sandbox_per_s']:.0f} ms batched in the grading sandbox "
          f"({total['sandbox_per_s'] / total['score_per_s']:.2f}x); one answer at a time: median "
          f"{statistics.median(r['single_ms'] for r in rows):.1f} ms per grade")
    print("slowest to generate: " + ", ".join(f"{r['task']} ({r['gen_per_s']:.1f}/s)"
                                            for r in sorted(rows, key=lambda r: r["gen_per_s"])[: args.top]))
    print("slowest to score: " + ", ".join(f"{r['task']} ({r['score_per_s']:.1f}/s)"
                                         for r in sorted(rows, key=lambda r: r["score_per_s"])[: args.top]))


if __name__ == "__main__":
    main()
