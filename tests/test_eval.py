"""`r1ci eval`: the run directory, resumption after a kill, and errors on bad settings or files."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from r1ci.evaluate import EvalConfig, EvalError, evaluate
from r1ci.records import RunError, load_results
from r1ci.tasks.selection import select_items
from r1ci.rollout import RolloutSettings

R1CI = str(Path(sys.executable).with_name("r1ci"))
TASKS = ["rg/gcd", "rg/lcm"]


def config(model, **kw):
    settings = dict(tasks=TASKS, n_per_task=3, rollout=RolloutSettings(max_new_tokens=48, turn_tokens=24), concurrency=2,
                    workers=1)
    return EvalConfig(model=str(model), **{**settings, **kw})


def comparable(summary):
    return {k: v for k, v in summary.items() if k != "created"}


def test_writes_a_complete_run_directory(tiny_model_dir, tmp_path):
    summary = evaluate(config(tiny_model_dir), tmp_path, show_progress=False)
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 6 and summary["n_items"] == 6
    assert set(summary["by_task"]) == set(TASKS) and summary["overall"]["n"] == 6
    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    assert (tmp_path / "report.md").exists() and (tmp_path / "report.html").exists()
    first = json.loads(lines[0])
    assert first["segments"][0]["kind"] == "prompt" and first["segments"][1]["token_ids"]
    again = evaluate(config(tiny_model_dir), tmp_path, show_progress=False)  # nothing left to run
    assert comparable(again) == comparable(summary)
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 6


def test_a_killed_eval_resumes_to_the_same_numbers(tiny_model_dir, tmp_path):
    whole = evaluate(config(tiny_model_dir, n_per_task=4), tmp_path / "whole", show_progress=False)
    killed = tmp_path / "killed"
    command = [R1CI, "eval", "--model", str(tiny_model_dir), "--out", str(killed), "--tasks", ",".join(TASKS),
               "--n-per-task", "4", "--max-new-tokens", "48", "--concurrency", "2", "--workers", "1"]
    proc = subprocess.Popen(command + ["--turn-tokens", "24"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results = killed / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and len(results.read_text().splitlines()) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(results.read_text().splitlines())
    assert 2 <= partial < 8, "the kill should land mid-run"
    finished = subprocess.run(command + ["--turn-tokens", "24"], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    resumed = json.loads((killed / "summary.json").read_text())
    assert comparable(resumed) == comparable(whole)
    assert load_results(results).keys() == load_results(tmp_path / "whole" / "results.jsonl").keys()


def test_resuming_with_other_settings_is_refused(tiny_model_dir, tmp_path):
    evaluate(config(tiny_model_dir, n_per_task=1), tmp_path, show_progress=False)
    with pytest.raises(EvalError, match="other settings.*temperature"):
        evaluate(config(tiny_model_dir, n_per_task=1, temperature=0.0), tmp_path, show_progress=False)
    evaluate(config(tiny_model_dir, n_per_task=1, concurrency=7), tmp_path, show_progress=False)  # execution may change


def test_torn_and_corrupt_result_files(tiny_model_dir, tmp_path):
    evaluate(config(tiny_model_dir, n_per_task=1), tmp_path, show_progress=False)
    path = tmp_path / "results.jsonl"
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])  # killed while writing the second
    assert len(load_results(path)) == 1 and path.read_text() == lines[0] + "\n"
    summary = evaluate(config(tiny_model_dir, n_per_task=1), tmp_path, show_progress=False)
    assert summary["n_items"] == 2
    path.write_text("not json\n" + "\n".join(lines) + "\n")
    with pytest.raises(RunError, match="line 1, is not a record"):
        load_results(path)


def test_questions_a_model_trained_on_are_left_out(tiny_model_dir, tmp_path):
    items = select_items("test", TASKS, 3, seed=0)
    sft_data, potential = tmp_path / "sft.jsonl", tmp_path / "potential.jsonl"
    sft_data.write_text(json.dumps({"id": "x", "question": items[0]["question"]}) + "\n")
    potential.write_text(json.dumps({"item": items[4], "p": 0.5}) + "\n")
    summary = evaluate(config(tiny_model_dir, exclude=[str(sft_data), str(potential)]), tmp_path / "run",
                       show_progress=False)
    evaluated = {json.loads(line)["id"] for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()}
    # the excluded two are replaced by the next item of their task: still 3 per task, all held out
    assert evaluated == {item["id"] for item in items} - {items[0]["id"], items[4]["id"]} | {"rg/gcd/0/3", "rg/lcm/0/3"}
    assert summary["n_items"] == 6 and summary["config"]["exclude"] == [str(sft_data), str(potential)]
    potential.write_text(json.dumps({"item": items[4]}) + "\n{not json\n")
    with pytest.raises(RunError, match="potential.jsonl, line 2: not a trajectory or potential row"):
        evaluate(config(tiny_model_dir, exclude=[str(potential)]), tmp_path / "other", show_progress=False)


def test_held_out_items_of_a_fixed_dataset_are_the_next_ones():
    """Of the seed's walk through the file (seed 0: the file's order; another seed: a shuffle), the next items
    whose questions were not seen."""
    first = select_items("train", ["bbh/boolean_expressions"], 3, seed=0)
    seen = {item["question"] for item in first}
    rest = select_items("train", ["bbh/boolean_expressions"], 5, seed=0, exclude=seen)
    assert [item["id"] for item in rest] == [f"bbh/boolean_expressions/{i}" for i in range(3, 8)]
    shuffled = select_items("train", ["bbh/boolean_expressions"], 5, seed=9, exclude=seen)
    walk = [item["id"] for item in select_items("train", ["bbh/boolean_expressions"], 250, seed=9)]
    assert [item["id"] for item in shuffled] == [i for i in walk if i not in {f["id"] for f in first}][:5]
    assert len(select_items("train", ["bbh/boolean_expressions"], 300, seed=0)) == 250  # all it has


def test_cli_errors_are_clear(tiny_model_dir, tmp_path):
    def run(*args):
        return subprocess.run([R1CI, "eval", "--model", str(tiny_model_dir), "--out", str(tmp_path), *args],
                              capture_output=True, text=True, timeout=120)

    unknown = run("--tasks", "rg/not_a_task")
    assert unknown.returncode == 2 and "not test tasks: rg/not_a_task" in unknown.stdout + unknown.stderr
    mode = run("--mode", "chat", "--tasks", "rg/gcd")
    assert mode.returncode == 2 and "unknown mode" in mode.stdout + mode.stderr
    exclude = run("--tasks", "rg/gcd", "--exclude", str(tmp_path / "sft.jsonl"))
    assert exclude.returncode == 2 and "sft.jsonl: no such file" in " ".join(exclude.stdout.split())
    missing = subprocess.run([R1CI, "eval", "--model", str(tmp_path / "nope"), "--out", str(tmp_path / "o"),
                              "--tasks", "rg/gcd", "--n-per-task", "1"], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "cannot load a transformers model" in missing.stdout + missing.stderr
