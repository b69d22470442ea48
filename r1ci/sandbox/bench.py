"""The sandbox benchmark (`r1ci sandbox bench`, benchmarks/sandbox.py): our pool against `python -c`.

For a trivial script and one importing numpy and sympy, at each concurrency: p50/p99 latency and scripts/s
of LocalSandbox and of the baseline `subprocess.run([python, "-c", code])`, measured in the same run, and
their ratios. The soak runs many consecutive scripts and reports pool memory and leftover processes.
"""

import os
import statistics
import subprocess
import sys
import threading
import time

from r1ci.sandbox.local import LocalSandbox

SCRIPTS = {
    "trivial": "print(1 + 1)",
    "numpy+sympy": "import numpy as np\nimport sympy as sp\nprint(np.arange(10).sum(), sp.factorint(360))",
}


def closed_loop(run_one, total: int, concurrency: int) -> dict:
    """`concurrency` threads, each running scripts back to back until `total` ran; latency of each."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]

    def loop(n):
        for _ in range(n):
            start = time.perf_counter()
            run_one()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=loop, args=(n,)) for n in per_thread]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {"n": total, "p50_ms": statistics.median(latencies) * 1e3,
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
            "scripts_per_s": total / wall}


def baseline(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)


def compare(sandbox: LocalSandbox, concurrencies=(1, 2), n_ours=(2000, 400), n_base=(200, 20)) -> list[dict]:
    rows = []
    for (name, code), ours_n, base_n in zip(SCRIPTS.items(), n_ours, n_base):
        def ours(code=code):
            result = sandbox.run(code)
            if not result.ok:
                raise RuntimeError(f"benchmark script failed: {result.message()}\n{result.stderr}")

        for _ in range(20):
            ours()
        for c in concurrencies:
            mine = closed_loop(ours, ours_n, c)
            theirs = closed_loop(lambda: baseline(code), max(base_n, 2 * c), c)
            rows.append({"script": name, "concurrency": c, "sandbox": mine, "subprocess": theirs,
                         "p50_speedup": theirs["p50_ms"] / mine["p50_ms"],
                         "throughput_ratio": mine["scripts_per_s"] / theirs["scripts_per_s"]})
    return rows


def sandbox_processes(sandbox: LocalSandbox) -> int:
    """Processes under the sandbox's bubblewrap processes, as the host sees them."""
    roots = {pool.proc.pid for pool in sandbox.pools.values() if pool.proc is not None}
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    count = 0
    for pid in parent:
        p = pid
        while p in parent and p not in roots:
            p = parent[p]
        count += p in roots
    return count


def stray_processes(sandbox: LocalSandbox) -> int:
    """Processes in the sandbox besides its own (bwrap, fork servers, dispatchers, idle workers): should not grow."""
    workers = sum(s["workers"] for s in sandbox.stats().values())
    return sandbox_processes(sandbox) - workers


def rss_kb(pid: int | None = None) -> int:
    with open(f"/proc/{pid or 'self'}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))


def soak(sandbox: LocalSandbox, n: int) -> dict:
    """`n` consecutive scripts: pool memory and process counts before and after."""
    def snapshot():
        time.sleep(0.5)  # let the last worker's exit settle
        stats = sandbox.stats()
        return {"zygote_rss_kb": {name: s["rss_kb"] for name, s in stats.items()},
                "host_rss_kb": rss_kb(), "processes": sandbox_processes(sandbox),
                "stray_processes": stray_processes(sandbox)}

    sandbox.run_many([SCRIPTS["trivial"], SCRIPTS["numpy+sympy"]])
    before = snapshot()
    began = time.perf_counter()
    failures = sum(not sandbox.run(SCRIPTS["trivial"] if i % 10 else SCRIPTS["numpy+sympy"]).ok for i in range(n))
    wall = time.perf_counter() - began
    return {"n": n, "failures": failures, "seconds": wall, "before": before, "after": snapshot()}


def report(rows: list[dict], soaked: dict | None, startup_s: float) -> str:
    lines = [f"sandbox start-up: {startup_s:.2f} s (both pools, once)", "",
             f"{'script':12} {'conc':>4} | {'sandbox p50':>11} {'p99':>8} {'/s':>7} | "
             f"{'python -c p50':>13} {'p99':>8} {'/s':>6} | {'p50 speed-up':>12} {'throughput':>10}"]
    for r in rows:
        a, b = r["sandbox"], r["subprocess"]
        lines.append(f"{r['script']:12} {r['concurrency']:>4} | {a['p50_ms']:9.2f}ms {a['p99_ms']:6.2f}ms "
                     f"{a['scripts_per_s']:7.0f} | {b['p50_ms']:11.1f}ms {b['p99_ms']:6.1f}ms "
                     f"{b['scripts_per_s']:6.1f} | {r['p50_speedup']:11.1f}x {r['throughput_ratio']:9.1f}x")
    if soaked:
        b, a = soaked["before"], soaked["after"]
        lines += ["", f"soak: {soaked['n']} consecutive scripts (every 10th numpy+sympy) in {soaked['seconds']:.1f} s, "
                      f"{soaked['failures']} failed",
                  "  zygote RSS kB before -> after: " + ", ".join(
                      f"{k} {b['zygote_rss_kb'][k]} -> {a['zygote_rss_kb'][k]}" for k in b["zygote_rss_kb"]),
                  f"  host RSS kB: {b['host_rss_kb']} -> {a['host_rss_kb']}; sandbox processes: "
                  f"{b['processes']} -> {a['processes']}, of which not workers: "
                  f"{b['stray_processes']} -> {a['stray_processes']}"]
    return "\n".join(lines)


def run_benchmark(quick: bool = False, soak_n: int = 0, concurrencies=(1, 2), insecure: bool = False) -> dict:
    began = time.perf_counter()
    with LocalSandbox(workers=max(concurrencies), insecure=insecure) as sandbox:
        startup = time.perf_counter() - began
        scale = 10 if quick else 1
        rows = compare(sandbox, concurrencies, n_ours=(2000 // scale, 400 // scale), n_base=(200 // scale, 20 // scale))
        soaked = soak(sandbox, soak_n) if soak_n else None
    return {"rows": rows, "soak": soaked, "startup_s": startup, "text": report(rows, soaked, startup)}
