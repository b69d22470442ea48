#!/usr/bin/env bash
# The main job. For now: a tour of the task suite, the code sandbox and an evaluation (a tiny untrained model,
# so its accuracy is ~0: the point is the run folder and report), then the suite's full self-check
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
[ -f runs/tiny-model/config.json ] || $r1ci model tiny --out runs/tiny-model
$r1ci eval --model runs/tiny-model --tasks rg/gcd,bbh/word_sorting --n-per-task 4 --max-new-tokens 64 --out runs/eval-tiny
$r1ci tasks check --report runs/tasks-check.json
