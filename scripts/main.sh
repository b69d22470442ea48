#!/usr/bin/env bash
# The main job: the whole method on a tiny model, end to end (`r1ci pipeline`, configs/pipeline/tiny.toml):
# build the model, synthesise SFT data with the scripted teacher, SFT, improvement potential, multi-stage GRPO,
# evaluation before and after in ci and text modes, one report (runs/pipeline/report.md). About 14 minutes on
# 2 CPU cores; re-running resumes. Reference data: $R1CI_DATA (default ../shared/data) with bbh/ and
# symbench-codesteer/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
DATA=${R1CI_DATA:-../shared/data}
export R1CI_BBH_DIR=${R1CI_BBH_DIR:-$DATA/bbh} R1CI_SYMBENCH_DIR=${R1CI_SYMBENCH_DIR:-$DATA/symbench-codesteer}
.venv/bin/r1ci pipeline --config configs/pipeline/tiny.toml --out "${R1CI_RUN:-runs/pipeline}"
