"""SFT and GRPO in two processes on one CPU machine, as on a multi-GPU node: both processes end with the same
weights, the logged loss and rewards are the means over both processes' own numbers, a killed two-process run
resumes, and the pipeline's `launcher` runs its training steps under a real `accelerate launch`.

`accelerate launch --multi_gpu --num_processes 2`: on a machine without a GPU it starts the two processes with
torch.distributed over gloo (`--cpu` with several processes needs mpirun, which this machine lacks). Slow.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from r1ci.potential import table
from r1ci.sandbox import LocalSandbox
from r1ci.synth import synthesize_scripted, write_trajectories
from r1ci.tasks import get_task

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
ACCELERATE = str(Path(sys.executable).with_name("accelerate"))
PROBE = str(ROOT / "tests" / "multiprocess_probe.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launcher() -> list[str]:
    return [ACCELERATE, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--mixed_precision",
            "no", "--dynamo_backend", "no", "--main_process_port", str(free_port())]


def launch(*args) -> list[str]:
    return [*launcher(), PROBE, *args]


def ranks(out: Path) -> list[list[dict]]:
    return [[json.loads(line) for line in (out / f"rank{k}.jsonl").read_text().splitlines()] for k in (0, 1)]


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant, as a node failure would: the launcher starts its workers in
    sessions of their own, so killing its process group would leave them running."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    todo, tree = [pid], []
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    for member in tree:
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run(command: list[str], timeout: int = 900) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def sft_data(tmp_path_factory, grader) -> Path:
    path = tmp_path_factory.mktemp("data") / "sft.jsonl"
    with LocalSandbox(1) as sandbox:
        write_trajectories(synthesize_scripted(["symbench/number_multiply"], 16, sandbox, grader, seed=1), path)
    return path


def sft_command(model: Path, data: Path, out: Path, steps: int) -> list[str]:
    return launch("sft", "--model", str(model), "--data", str(data), "--out", str(out), "--max-steps", str(steps),
                  "--batch-size", "2", "--learning-rate", "1e-3", "--save-steps", "1", "--logging-steps", "1",
                  "--no-bf16")


def test_two_process_sft_trains_one_model_on_both_shares(tiny_model_dir, sft_data, tmp_path):
    out = tmp_path / "sft"
    run(sft_command(tiny_model_dir, sft_data, out, 3))
    (first,), (second,) = ranks(out)
    assert first["weights"] == second["weights"] and first["steps"] == second["steps"] == 3
    assert first["losses"] != second["losses"]  # each process trained on its own share of every batch
    logged = [row["loss"] for row in json.loads((out / "trainer_state.json").read_text())
              ["log_history"] if "loss" in row]
    means = [(a + b) / 2 for a, b in zip(first["losses"], second["losses"])]
    assert logged == pytest.approx(means, rel=1e-3)  # the logged loss is gathered over both processes


def test_a_killed_two_process_sft_resumes(tiny_model_dir, sft_data, tmp_path):
    out = tmp_path / "sft"
    first = subprocess.Popen(sft_command(tiny_model_dir, sft_data, out, 40), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.time() + 600
    while not [p for p in out.glob("checkpoint-*/trainer_state.json") if int(p.parent.name.split("-")[1]) >= 2]:
        assert first.poll() is None and time.time() < deadline, "the first run ended before its second checkpoint"
        time.sleep(0.2)
    kill_tree(first.pid)
    first.wait()
    run(sft_command(tiny_model_dir, sft_data, out, 40))
    (resumed,), (other,) = ranks(out)  # the killed run wrote nothing: it never finished
    assert resumed["started"] >= 2 and other["started"] == resumed["started"]
    assert resumed["weights"] == other["weights"] and resumed["steps"] == 40


def rl_command(model: Path, potential: Path, out: Path, stages: int, steps: int) -> list[str]:
    task = get_task("symbench/number_multiply")
    items = task.items(4, seed=3)
    samples = [{"id": it["id"], "mode": "ci", "correct": k < i + 1} for i, it in enumerate(items) for k in range(5)]
    (potential / "potential.jsonl").write_text("".join(json.dumps(r) + "\n" for r in table(items, samples)))
    return launch("rl", "--model", str(model), "--potential", str(potential), "--out", str(out), "--stages",
                  str(stages), "--steps-per-stage", str(steps), "--num-generations", "2", "--prompts-per-step", "2",
                  "--max-new-tokens", "24", "--save-steps", "1", "--learning-rate", "1e-3", "--workers", "1",
                  "--no-bf16")


def test_two_process_grpo_rolls_out_each_share_and_trains_one_model(tiny_model_dir, tmp_path):
    out = tmp_path / "rl"
    run(rl_command(tiny_model_dir, tmp_path, out, stages=2, steps=1))
    stage_runs = ranks(out)
    assert [len(r) for r in stage_runs] == [2, 2]  # one training run per stage in each process
    for a, b in zip(*stage_runs):
        assert a["weights"] == b["weights"]
    logged = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [row["step"] for row in logged if "reward" in row] == [1, 2]  # written once, by the main process
    local = [[json.loads(line) for line in (out / f"rollouts{k}.jsonl").read_text().splitlines()] for k in (0, 1)]
    for step, row in enumerate(r for r in logged if "reward" in r):
        mine, theirs = local[0][step], local[1][step]
        correct = mine["correct"] + theirs["correct"]
        calls = mine["code_calls"] + theirs["code_calls"]
        assert len(mine["correct"]) == len(theirs["correct"]) == 4  # 2 questions x 2 completions each
        assert row["rewards/correct/mean"] == pytest.approx(sum(correct) / len(correct))
        assert row["code_calls"] == pytest.approx(sum(calls) / len(calls))
    assert (out / "model").is_symlink() and (out / "model" / "tokenizer_config.json").exists()


def test_the_pipeline_launches_its_training_steps(tmp_path):
    from test_pipeline import TOY

    from r1ci.pipeline import Pipeline

    config = tmp_path / "toy.toml"
    config.write_text(TOY.format(extra="launcher = " + json.dumps(launcher())))
    out = tmp_path / "run"
    Pipeline(config, out, until="rl").run(log=lambda *_: None)
    assert json.loads((out / "sft" / "result.json").read_text())["steps"] == 3
    assert (out / "rl" / "model" / "config.json").exists()
    assert [json.loads(line)["step"] for line in (out / "rl" / "metrics.jsonl").read_text().splitlines()] == [1, 2]


def test_a_killed_two_process_grpo_resumes(tiny_model_dir, tmp_path):
    out = tmp_path / "rl"
    command = rl_command(tiny_model_dir, tmp_path, out, stages=1, steps=30)
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.time() + 600
    stage = out / "stage-1"
    while not [p for p in stage.glob("checkpoint-*/trainer_state.json") if int(p.parent.name.split("-")[1]) >= 2]:
        assert first.poll() is None and time.time() < deadline, "the first run ended before its second checkpoint"
        time.sleep(0.2)
    kill_tree(first.pid)
    first.wait()
    run(command)
    (resumed,), (other,) = ranks(out)
    assert resumed["started"] >= 2 and other["started"] == resumed["started"] and resumed["steps"] == 30
    assert resumed["weights"] == other["weights"]
    steps = [json.loads(line)["step"] for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert sorted(set(steps)) == list(range(1, 31)) and steps.count(1) == 1  # step 1 ran once, before the kill
