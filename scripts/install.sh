#!/usr/bin/env bash
# Set up .venv with r1ci and its test tools. Idempotent: a second run only checks what is there.
# CPU machines keep torch at the pinned local build through constraints-cpu.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# The code sandbox isolates scripts with bubblewrap (r1ci/sandbox/local.py); it refuses to start without it.
if ! command -v bwrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null
  else
    echo "warning: bubblewrap (bwrap) is missing and cannot be installed here; install it (apt-get install" \
         "bubblewrap / dnf install bubblewrap), or the sandbox will refuse to start" >&2
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.r1ci-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints-cpu.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-cpu.txt -e ".[dev]"
  touch "$stamp"
fi
