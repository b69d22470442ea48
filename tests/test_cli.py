import json

import datasets
import pytest
from typer.testing import CliRunner

from r1ci.cli import app
from r1ci.tasks.export import compute_score

runner = CliRunner(env={"COLUMNS": "400"})  # rich wraps messages (long tmp paths) at the terminal width


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_list_shows_the_split():
    rows = json.loads(run("tasks", "list", "--json").stdout)
    assert len(rows) == 144 and sum(r["split"] == "test" for r in rows) == 37
    assert len(json.loads(run("tasks", "list", "--split", "test", "--source", "bbh", "--json").stdout)) == 7
    result = run("tasks", "list")
    assert "144 tasks (107 train, 37 test)" in result.stdout


def test_show_prints_question_and_scored_answer():
    result = run("tasks", "show", "symbench/game24", "--n", "2")
    assert result.exit_code == 0
    assert result.stdout.count("scores 1.0") == 2 and "<<<answer>>>" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("tasks", "show", "game24"), "did you mean symbench/game24"),
        (("tasks", "list", "--split", "dev"), "unknown split"),
        (("tasks", "export", "--out", "x.csv"), "must end in .jsonl or .parquet"),
        (("tasks", "export", "--out", "x.jsonl", "--format", "csv"), "unknown --format"),
        (("tasks", "check", "--tasks", "rg/nope"), "unknown task(s): rg/nope"),
    ],
)
def test_bad_flags_fail_with_a_clear_message(args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in " ".join(result.stdout.split())


def test_missing_data_folder_is_a_usage_error(tmp_path):
    result = run("tasks", "show", "bbh/snarks", "--bbh-dir", str(tmp_path / "absent"))
    assert result.exit_code == 2 and "is not a folder" in result.output


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_export_loads_with_datasets(tmp_path, suffix):
    out = tmp_path / f"test.{suffix}"
    result = run("tasks", "export", "--split", "test", "--tasks", "symbench/game24,bbh/snarks,rg/gcd",
                 "--n-per-task", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = datasets.load_dataset("json" if suffix == "jsonl" else "parquet", data_files=str(out), split="train")
    assert rows.num_rows == 15 and set(rows["task"]) == {"symbench/game24", "bbh/snarks", "rg/gcd"}
    assert set(rows.column_names) == {"id", "task", "source", "split", "question", "answer", "metadata"}
    assert len(set(rows["id"])) == 15


def test_verl_export_has_verl_fields_and_scores_with_r1ci(tmp_path):
    out = tmp_path / "rl.parquet"
    run("tasks", "export", "--tasks", "symbench/game24,rg/gcd", "--n-per-task", "3", "--format", "verl", "--out", str(out))
    rows = datasets.load_dataset("parquet", data_files=str(out), split="train").to_list()
    assert len(rows) == 6
    row = rows[0]
    assert set(row) == {"data_source", "prompt", "ability", "reward_model", "extra_info"}
    assert row["prompt"][0]["role"] == "user" and row["reward_model"]["style"] == "rule"
    for row in rows:
        truth = row["reward_model"]["ground_truth"]
        assert compute_score(row["data_source"], f"so <<<{truth}>>>", truth, row["extra_info"]) == 1.0
        assert compute_score(row["data_source"], "no idea", truth, row["extra_info"]) == 0.0


def test_check_passes_and_writes_a_report(tmp_path, symbench_dir):
    report = tmp_path / "check.json"
    result = run("tasks", "check", "--tasks", "symbench/game_2048,bbh/web_of_lies,rg/lcm", "--n", "20",
                 "--workers", "1", "--report", str(report), "--symbench-dir", str(symbench_dir))
    assert result.exit_code == 0, result.output
    rows = json.loads(report.read_text())
    assert [r["passed"] for r in rows] == [True] * 3
    assert rows[0]["originals"] > 0 and rows[0]["originals_ok"] == rows[0]["originals"]
    assert rows[1]["items"] == 250  # a fixed dataset is checked whole


def test_synth_writes_ci_trajectories_and_their_text_twins(tmp_path):
    ci, text = tmp_path / "ci.jsonl", tmp_path / "text.jsonl"
    result = run("synth", "--tasks", "rg/prime_factorization,symbench/number_multiply", "--per-task", "4",
                 "--self-check-share", "1.0", "--two-step-share", "0", "--out", str(ci), "--text-out", str(text),
                 "--workers", "1")
    assert result.exit_code == 0, result.output
    ci_rows = [json.loads(line) for line in ci.read_text().splitlines()]
    text_rows = [json.loads(line) for line in text.read_text().splitlines()]
    assert len(ci_rows) == 8 and [r["id"] for r in ci_rows] == [r["id"] for r in text_rows]
    assert all(r["metrics"]["self_check"] and r["metrics"]["code_calls"] == 2 for r in ci_rows)  # both have checks
    assert all(r["mode"] == "text" and r["answer"] == c["answer"] for r, c in zip(text_rows, ci_rows))
    refused = run("synth", "--teacher", "some/model", "--out", str(ci), "--text-out", str(text))
    assert refused.exit_code == 2 and "--text-out needs the scripted teacher" in refused.output
