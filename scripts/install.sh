#!/usr/bin/env bash
# Set up .venv with r1ci and its test tools. Idempotent: a second run only checks what is there.
# CPU machines keep torch at the pinned local build through constraints-cpu.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.r1ci-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints-cpu.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-cpu.txt -e ".[dev]"
  touch "$stamp"
fi
