#!/usr/bin/env bash
# The main job. For now: a tour of the task suite and the code sandbox, then the suite's full self-check
# (about 5 minutes on 2 cores).
# Reference data: $R1CI_DATA (default ../shared/data) holding bbh/ and symbench-codesteer/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
DATA=${R1CI_DATA:-../shared/data}
export R1CI_BBH_DIR=${R1CI_BBH_DIR:-$DATA/bbh} R1CI_SYMBENCH_DIR=${R1CI_SYMBENCH_DIR:-$DATA/symbench-codesteer}
r1ci=.venv/bin/r1ci
$r1ci tasks list --split test
for task in symbench/game24 bbh/snarks rg/tower_of_hanoi; do $r1ci tasks show "$task"; done
mkdir -p runs
$r1ci tasks export --split train --n-per-task 20 --out runs/train.parquet
$r1ci tasks export --split test --n-per-task 20 --format verl --out runs/test.verl.parquet
printf 'import sympy\nx = sympy.Symbol("x")\nprint(sympy.solve(x**2 - 2, x))\n' | $r1ci sandbox run -
$r1ci sandbox bench --quick --out runs/bench-sandbox.json
$r1ci tasks check --report runs/tasks-check.json
