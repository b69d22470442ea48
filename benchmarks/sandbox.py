"""Sandbox latency and throughput against `python -c`, plus a soak (see r1ci/sandbox/bench.py).

    .venv/bin/python benchmarks/sandbox.py [--quick] [--soak 10000] [--out runs/bench-sandbox.json]
"""

import argparse
import json
from pathlib import Path

from r1ci.sandbox.bench import run_benchmark

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the iterations")
    parser.add_argument("--soak", type=int, default=0, help="consecutive scripts for the memory/process soak")
    parser.add_argument("--out", type=Path, help="write the numbers as JSON here")
    args = parser.parse_args()
    numbers = run_benchmark(quick=args.quick, soak_n=args.soak)
    print(numbers["text"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({k: v for k, v in numbers.items() if k != "text"}, indent=1))
