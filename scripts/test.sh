#!/usr/bin/env bash
# The whole default test suite (slow real-model tests are marked and left out; run them with -m slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m pytest -n "${R1CI_TEST_WORKERS:-2}" "$@"
