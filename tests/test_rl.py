"""GRPO with the interpreter: the stage plan, the completions handed to TRL, the tool mask in the loss
(checked on gradients), and a killed `r1ci rl` resuming from its last checkpoint."""

import asyncio
import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ScriptedBackend, killed_while_saving
from r1ci.potential import table
from r1ci.rl import RLSettings, completions, plan_stages
from r1ci.rollout import RolloutConfig, RolloutSettings, rollout
from r1ci.runtime import run_apart
from r1ci.tasks import get_task

TASK = get_task("symbench/number_multiply")
R1CI = str(Path(sys.executable).with_name("r1ci"))


def rows_with(ps: list[float]) -> list[dict]:
    items = [{"id": f"q{i}", "task": TASK.name, "question": f"question {i}"} for i in range(len(ps))]
    samples = [{"id": f"q{i}", "mode": "ci", "correct": k < round(p * 20)} for i, p in enumerate(ps) for k in range(20)]
    return table(items, samples)


def test_stages_grow_by_potential_group():
    rows = rows_with([0.5, 0.2, 0.9, 0.0, 1.0, 0.6, 0.15])  # groups 1, 1, 3, 4, 4, 1, 2
    plan = plan_stages(rows, RLSettings(stages=4, steps_per_stage=10))
    ids = [[r["id"] for r in stage] for stage, _ in plan]
    assert [len(s) for s in ids] == [3, 4, 5, 7] and [steps for _, steps in plan] == [10] * 4
    assert set(ids[0]) == {"q0", "q1", "q5"} and ids[1][3] == "q6" and ids[2][4] == "q2"
    assert all(a == b[:len(a)] for a, b in zip(ids, ids[1:]))  # each stage keeps the previous questions
    # by difficulty: the same stage sizes, filled easiest first
    easy = plan_stages(rows, RLSettings(stages=4, steps_per_stage=10, order="difficulty"))
    assert [[r["id"] for r in s] for s, _ in easy][0] == ["q4", "q2", "q5"]
    # one stage: plain GRPO over everything
    assert [(len(s), n) for s, n in plan_stages(rows, RLSettings(stages=1, steps_per_stage=40))] == [(7, 40)]


def test_settled_questions_can_be_left_out():
    """Without `settled`, p = 0 and p = 1 questions (whose groups all score alike) are in no stage; the last
    stage is every question the model sometimes gets right."""
    rows = rows_with([0.5, 0.2, 0.9, 0.0, 1.0, 0.6, 0.15, 0.05])  # groups 1, 1, 3, 4, 4, 1, 2, 4
    plan = plan_stages(rows, RLSettings(stages=4, steps_per_stage=10, settled=False))
    assert [len(stage) for stage, _ in plan] == [3, 4, 5, 6]
    assert {"q3", "q4"}.isdisjoint(r["id"] for stage, _ in plan for r in stage)
    assert [len(s) for s, _ in plan_stages(rows, RLSettings(stages=1, steps_per_stage=40, settled=False))] == [6]


def test_an_empty_stage_hands_its_steps_on():
    rows = rows_with([0.0, 1.0, 0.15])  # groups 4, 4, 2: G1 is empty
    plan = plan_stages(rows, RLSettings(stages=4, steps_per_stage=5))
    assert [(len(s), n) for s, n in plan] == [(1, 10), (1, 5), (3, 5)]
    assert sum(n for _, n in plan) == 20


def test_settings_reject_what_grpo_cannot_do():
    for bad, match in (({"num_generations": 1}, "at least 2"), ({"stages": 5}, "between 1 and 4"),
                       ({"order": "random"}, "unknown order"), ({"micro_batch": 7}, "must divide")):
        with pytest.raises(ValueError, match=match):
            RLSettings(**bad)


def test_vllm_server_mode_without_cuda_is_refused_before_any_work(tmp_path):
    """TRL pushes weights to a vLLM server through NCCL: on a machine without CUDA the run stops at once, naming
    what runs instead, and leaves no run folder behind."""
    import torch

    from r1ci.rl import train_rl

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: server mode is allowed")
    settings = RLSettings(generation="vllm", vllm_mode="server")
    with pytest.raises(ValueError, match="--vllm-mode colocate.*--generation hf"):
        train_rl("unused-model", rows_with([0.5]), tmp_path / "run", settings)
    assert not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def scripted_trajectories(tiny_model_dir, sandbox, grader):
    """One code call, its output, then the answer: a right and a wrong copy (rewards differ in the group)."""
    item = TASK.items(1, seed=0)[0]
    backend = ScriptedBackend(tiny_model_dir, ["Let me run it.\n```python\nprint(6 * 7)\n```\n",
                                               f"It is <<<{item['answer']}>>>"])
    right = asyncio.run(rollout(item, TASK, backend, sandbox, grader, RolloutConfig()))
    wrong = copy.deepcopy(right)
    wrong.score = 0.0
    assert right.correct and right.segments[2].kind == "tool" and len(right.segments[2].token_ids) > 3
    return item, [right, wrong]


def test_completions_mask_interpreter_tokens(scripted_trajectories, tiny_model_dir):
    from transformers import AutoTokenizer

    eos = AutoTokenizer.from_pretrained(tiny_model_dir).eos_token_id
    _, (right, wrong) = scripted_trajectories
    out = completions([right, wrong], eos)
    ids, mask, logprobs = out["completion_ids"][0], out["env_mask"][0], out["logprobs"][0]
    assert out["prompt_ids"][0] == right.segments[0].token_ids
    assert len(ids) == len(mask) == len(logprobs)
    expected = [int(s.kind == "model") for s in right.segments[1:] for _ in s.token_ids] + [0]
    assert mask == expected and ids[-1] == eos  # the end of turn the protocol adds is not the model's
    assert [i for i, m in zip(ids, mask) if m] == [i for s in right.segments if s.kind == "model" for i in s.token_ids]
    assert out["correct"] == [1.0, 0.0] and out["well_formed"] == [True, True] and out["turns"] == [2, 2]


def grpo_trainer(tiny_model_dir, tmp_path, question, trajectories, dynamic_sampling=False):
    """A real TRL GRPO trainer whose rollout function returns the given trajectories."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig

    from r1ci.reward import RewardWeights, reward_functions
    from r1ci.rl import make_trainer_class

    os.environ["TRL_EXPERIMENTAL_SILENCE"] = "1"
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    args = GRPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=len(trajectories),
                      num_generations=len(trajectories), beta=0.1, max_steps=1, report_to="none", use_cpu=True,
                      bf16=False)
    trainer = make_trainer_class()(
        model=model, reward_funcs=reward_functions(RewardWeights()), args=args,
        train_dataset=Dataset.from_list([{"prompt": question}]), processing_class=tokenizer,
        rollout_func=lambda prompts, trainer: completions(trajectories, tokenizer.eos_token_id))
    trainer.dynamic_sampling = dynamic_sampling
    inputs = trainer._generate_and_score_completions([{"prompt": question} for _ in trajectories])
    return trainer, model, tokenizer, inputs


def test_interpreter_tokens_carry_no_gradient(scripted_trajectories, tiny_model_dir, tmp_path):
    """Through TRL's own loss: d loss / d (last hidden state) is zero at every interpreter token and non-zero at
    every model token. Position t's hidden state only feeds the logits of token t+1 (TRL fuses the head)."""
    item, trajectories = scripted_trajectories
    trainer, model, tokenizer, inputs = grpo_trainer(tiny_model_dir, tmp_path, item["question"], trajectories)
    right_advantage, wrong_advantage = inputs["advantages"].tolist()
    assert right_advantage > 0 > wrong_advantage
    captured = {}

    def keep_hidden(module, args, output):
        output.retain_grad()
        captured["hidden"] = output

    handle = model.model.norm.register_forward_hook(keep_hidden)
    loss = trainer.compute_loss(model, inputs)
    loss.backward()
    handle.remove()
    grad = captured["hidden"].grad  # (rows, positions, hidden)
    completion_len = inputs["completion_ids"].shape[1]
    for row, traj in enumerate(trajectories):
        mask = completions([traj], tokenizer.eos_token_id)["env_mask"][0]
        per_token = grad[row, -completion_len - 1:-1].abs().sum(-1)[:len(mask)]
        assert all(per_token[i] == 0 for i, m in enumerate(mask) if not m), "an interpreter token has gradient"
        assert all(per_token[i] > 0 for i, m in enumerate(mask) if m), "a model token has no gradient"


def test_dynamic_sampling_leaves_all_equal_groups_out_of_the_loss(scripted_trajectories, tiny_model_dir, tmp_path):
    item, (right, _) = scripted_trajectories
    same = [right, copy.deepcopy(right)]  # equal rewards: zero advantage
    _, _, _, kept = grpo_trainer(tiny_model_dir, tmp_path, item["question"], same)
    assert kept["tool_mask"].sum() > 0 and kept["num_items_in_batch"] > 0
    trainer, _, _, dropped = grpo_trainer(tiny_model_dir, tmp_path, item["question"], same, dynamic_sampling=True)
    assert dropped["tool_mask"].sum() == 0 and dropped["num_items_in_batch"] == 0
    assert trainer._metrics["train"]["dropped_share"] == [1.0]
    _, _, _, mixed = grpo_trainer(tiny_model_dir, tmp_path, item["question"], scripted_trajectories[1],
                                  dynamic_sampling=True)
    assert mixed["tool_mask"].sum() == kept["tool_mask"].sum()  # informative groups are untouched


def test_killed_rl_resumes_from_its_last_checkpoint(tiny_model_dir, tmp_path):
    items = TASK.items(4, seed=3)
    samples = [{"id": it["id"], "mode": "ci", "correct": k < i + 1} for i, it in enumerate(items) for k in range(5)]
    with (tmp_path / "potential.jsonl").open("w") as f:
        f.writelines(json.dumps(row) + "\n" for row in table(items, samples))
    out = tmp_path / "rl"
    command = [R1CI, "rl", "--model", str(tiny_model_dir), "--potential",
               str(tmp_path), "--out", str(out), "--stages", "2", "--steps-per-stage", "4", "--num-generations", "2",
               "--prompts-per-step", "2", "--max-new-tokens", "24", "--save-steps", "1", "--learning-rate", "1e-3",
               "--workers", "1"]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while not (out / "stage-1" / "checkpoint-2" / "trainer_state.json").exists():  # written last
        assert first.poll() is None and time.time() < deadline, "the first run ended before its second checkpoint"
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert not (out / "stage-1" / "done.json").exists()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    logged = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    first_steps = [row["step"] for row in logged if row["stage"] == 1 and "loss" in row]
    # steps 1-2 ran once (the first run); the second run started after checkpoint-2 or later
    assert first_steps.count(1) == 1 and first_steps.count(2) == 1 and set(first_steps) == {1, 2, 3, 4}
    state = json.loads((out / "stage-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 4 and (out / "model" / "config.json").exists()
    assert not list(out.glob("stage-*/checkpoint-*"))  # a finished stage keeps its model, not its optimizer
    assert [row["step"] for row in logged if row["stage"] == 2 and "loss" in row] == [5, 6, 7, 8]
    assert (out / "metrics.png").stat().st_size > 1000


def test_a_stage_killed_after_its_last_checkpoint_trains_no_step_more(tiny_model_dir, tmp_path):
    """Killed while saving its model (as a SmolLM2 stage was, on a full disk), a stage resumes as finished: its
    last checkpoint is its model. transformers' Trainer resumed there would train a step past the stage's plan."""
    import r1ci.rl
    from r1ci.rl import train_rl

    items = TASK.items(6, seed=3)  # more questions than the stage's 2 steps take: it ends mid-epoch
    rows = table(items, [{"id": it["id"], "mode": "ci", "correct": k < 2} for it in items for k in range(5)])
    settings = RLSettings(stages=1, steps_per_stage=2, num_generations=2, prompts_per_step=2,
                          rollout=RolloutSettings(max_new_tokens=24),
                          save_steps=1, learning_rate=1e-3, workers=1)
    killed_while_saving(r1ci.rl, train_rl, str(tiny_model_dir), rows, tmp_path, settings)
    assert (tmp_path / "stage-1" / "checkpoint-2").is_dir() and not (tmp_path / "stage-1" / "done.json").exists()
    train_rl(str(tiny_model_dir), rows, tmp_path, settings)
    steps = [json.loads(line)["step"] for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2]  # nothing trained, or logged, after the resume
    assert json.loads((tmp_path / "stage-1" / "trainer_state.json").read_text())["global_step"] == 2
    assert (tmp_path / "model" / "config.json").exists() and not list(tmp_path.glob("stage-1/checkpoint-*"))


def write_pid(path):
    Path(path).write_text(str(os.getpid()))


def test_a_piece_run_apart_runs_in_another_process_and_its_failure_is_raised_here(tmp_path):
    """What each colocated-vLLM GRPO stage runs in (its engine's memory goes with its process)."""
    run_apart(write_pid, tmp_path / "pid")
    assert int((tmp_path / "pid").read_text()) != os.getpid()
    with pytest.raises(RuntimeError, match="write_pid failed in its own process"):
        run_apart(write_pid, tmp_path / "no" / "such" / "folder")
