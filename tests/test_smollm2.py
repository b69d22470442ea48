"""SmolLM2-135M-Instruct end to end: converted from its GGUF, evaluated from the CLI in ci and text modes.

Slow (a few minutes on 2 cores): run with `pytest -m slow`.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

R1CI = str(Path(sys.executable).with_name("r1ci"))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory):
    out = tmp_path_factory.mktemp("smollm2")
    done = subprocess.run([R1CI, "model", "smollm2", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.mark.parametrize("mode", ["ci", "text"])
def test_smollm2_eval_from_the_cli(smollm2, tmp_path, mode):
    out = tmp_path / mode
    done = subprocess.run([R1CI, "eval", "--model", str(smollm2), "--out", str(out), "--tasks", "rg/gcd,bbh/snarks",
                           "--n-per-task", "2", "--mode", mode, "--max-new-tokens", "160"],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_items"] == 4 and summary["mode"] == mode
    assert set(summary["by_task"]) == {"rg/gcd", "bbh/snarks"}
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert all(r["segments"][1]["kind"] == "model" and r["segments"][1]["token_ids"] for r in records)
    if mode == "text":
        assert all(r["metrics"]["code_calls"] == 0 for r in records)
    assert "bbh/snarks" in (out / "report.md").read_text()
