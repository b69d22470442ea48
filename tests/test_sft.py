"""Synthesis and masked SFT: correct-only data with real interpreter output, the token-level loss mask
(checked through TRL's own dataset preparation), training, and resumption after a kill."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from conftest import killed_while_saving
from r1ci.sandbox import Limits
from r1ci.sft import SFTSettings, build_dataset, sft_config, tokenize, train
from r1ci.synth import read_trajectories, synthesize_scripted, write_trajectories
from r1ci.rollout import RolloutSettings

R1CI = str(Path(sys.executable).with_name("r1ci"))


TASKS = ["symbench/number_multiply", "bbh/boolean_expressions", "rg/prime_factorization", "rg/base_conversion"]


@pytest.fixture(scope="module")
def trajectories(sandbox, grader):
    return synthesize_scripted(TASKS, 6, sandbox, grader, seed=3, two_step_share=0.5)


def test_scripted_teacher_keeps_correct_trajectories_with_real_output(trajectories, sandbox, grader):
    assert {t.task for t in trajectories} == set(TASKS) and all(t.correct for t in trajectories)
    two_step = [t for t in trajectories if t.metrics["code_calls"] == 2]
    assert two_step and len(two_step) < len(trajectories)
    for traj in trajectories[:8]:
        tools = [s for s in traj.segments if s.kind == "tool"]
        rerun = sandbox.run(tools[-1].code, Limits())
        assert rerun.stdout.strip() in tools[-1].text  # the interpreter's real output, spliced in
    assert any(("NameError" in s.text or "inputs look fine" in s.text) for t in two_step for s in t.segments)
    with pytest.raises(ValueError, match="no program for rg/gcd"):
        synthesize_scripted(["rg/gcd"], 1, sandbox, grader)


def test_loss_mask_token_by_token_through_trl(trajectories, tiny_model_dir, tmp_path):
    from trl import SFTConfig, SFTTrainer
    from transformers import AutoModelForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    traj = next(t for t in trajectories if t.metrics["code_calls"] == 2)
    row = tokenize(traj, tokenizer)
    ids, mask = row["input_ids"], row["assistant_masks"]
    model_ids = [i for s in traj.segments[1:] if s.kind == "model"
                 for i in tokenizer(s.text, add_special_tokens=False)["input_ids"]]
    assert [i for i, m in zip(ids, mask) if m] == model_ids + [tokenizer.eos_token_id]
    tool_ids = [i for s in traj.segments if s.kind == "tool" for i in tokenizer(s.text, add_special_tokens=False)["input_ids"]]
    assert len(ids) - sum(mask) >= len(tool_ids) > 0
    trainer = SFTTrainer(model=AutoModelForCausalLM.from_pretrained(tiny_model_dir),
                         args=SFTConfig(output_dir=str(tmp_path), max_steps=1, report_to="none", use_cpu=True,
                                        max_length=len(ids)),
                         train_dataset=build_dataset([traj], tokenizer, multi_turn_weight=1),
                         processing_class=tokenizer)
    labels = trainer.train_dataset[0]["labels"]
    assert trainer.train_dataset[0]["input_ids"] == ids
    assert labels == [i if m else -100 for i, m in zip(ids, mask)]  # no prompt or interpreter token, every model one


def test_multi_turn_trajectories_are_up_weighted(trajectories, tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    multi = sum(t.metrics["code_calls"] > 1 for t in trajectories)
    assert len(build_dataset(trajectories, tokenizer, multi_turn_weight=3)) == len(trajectories) + 2 * multi
    with pytest.raises(ValueError, match="no trajectory fits"):
        build_dataset(trajectories, tokenizer, max_length=10)


def test_training_lowers_the_loss_and_saves_a_checkpoint(trajectories, tiny_model_dir, tmp_path):
    settings = SFTSettings(max_steps=12, batch_size=4, learning_rate=3e-3, logging_steps=1, save_steps=100)
    result = train(str(tiny_model_dir), trajectories, tmp_path, settings)
    log = json.loads((tmp_path / "trainer_state.json").read_text())["log_history"]
    losses = [entry["loss"] for entry in log if "loss" in entry]
    assert result["steps"] == 12 and losses[-1] < losses[0]
    assert (tmp_path / "model.safetensors").exists() and (tmp_path / "tokenizer.json").exists()
    assert not list(tmp_path.glob("checkpoint-*"))  # resumption state (optimizer included) is gone once saved


def test_length_grouped_batches_hold_trajectories_of_similar_length(trajectories, tiny_model_dir, tmp_path):
    """group_by_length: each batch's rows are close in length, so little of a step is padding."""
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    dataset = build_dataset(trajectories * 4, tokenizer, multi_turn_weight=1)
    lengths = [len(ids) for ids in dataset["input_ids"]]

    def padded(group_by_length: bool) -> int:
        from trl import SFTTrainer

        config = sft_config(SFTSettings(batch_size=4, group_by_length=group_by_length), tmp_path, False, False)
        trainer = SFTTrainer(model=str(tiny_model_dir), args=config, train_dataset=dataset, processing_class=tokenizer)
        order = list(trainer._get_train_sampler())
        return sum(max(lengths[i] for i in order[k:k + 4]) * len(order[k:k + 4]) for k in range(0, len(order), 4))

    assert padded(True) < 0.8 * padded(False) and padded(True) <= 1.15 * sum(lengths)


def test_a_killed_sft_resumes_from_its_last_checkpoint(trajectories, tiny_model_dir, tmp_path):
    data = tmp_path / "data.jsonl"
    write_trajectories(trajectories, data)
    assert read_trajectories(data) == trajectories
    out = tmp_path / "run"
    command = [R1CI, "sft", "--model", str(tiny_model_dir), "--data", str(data), "--out", str(out), "--max-steps",
               "30", "--save-steps", "4", "--batch-size", "2", "--learning-rate", "1e-3"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    saved = out / "checkpoint-8" / "trainer_state.json"  # written last
    while time.monotonic() < deadline and not saved.exists() and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert saved.exists() and not (out / "checkpoint-30").exists()
    torn = out / "checkpoint-29"  # what a kill during a save leaves: weights but no trainer_state.json
    torn.mkdir()
    (torn / "model.safetensors").write_bytes(b"\0" * 100)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "resumed" in done.stdout and not torn.exists()
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["global_step"] == 30 and (out / "model.safetensors").exists() and not list(out.glob("checkpoint-*"))


def test_sft_killed_after_its_last_checkpoint_trains_no_step_more(trajectories, tiny_model_dir, tmp_path):
    """Killed while saving its final model, a run's last checkpoint is its result; transformers' Trainer resumed
    from it would train a step past max_steps."""
    import r1ci.sft
    from safetensors.torch import load_file

    settings = SFTSettings(max_steps=4, batch_size=2, learning_rate=1e-3, logging_steps=1, save_steps=2)
    killed_while_saving(r1ci.sft, train, str(tiny_model_dir), trajectories, tmp_path, settings)
    last = load_file(tmp_path / "checkpoint-4" / "model.safetensors")
    result = train(str(tiny_model_dir), trajectories, tmp_path, settings)
    assert result["steps"] == 4 and result["resumed"] and result["train_loss"] > 0
    assert json.loads((tmp_path / "trainer_state.json").read_text())["global_step"] == 4
    saved = load_file(tmp_path / "model.safetensors")
    assert saved.keys() == last.keys() and all(saved[k].equal(last[k]) for k in saved)


def test_bad_data_is_refused_clearly(tiny_model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\nnot json\n')
    done = subprocess.run([R1CI, "sft", "--model", str(tiny_model_dir), "--data", str(bad), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "line 1, is not a trajectory" in done.stdout + done.stderr
    missing = subprocess.run([R1CI, "sft", "--model", str(tiny_model_dir), "--data", str(tmp_path / "nope.jsonl"),
                              "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no such data file" in missing.stdout + missing.stderr


def test_a_model_teacher_keeps_only_its_correct_answers(tiny_model_dir, sandbox, grader):
    from conftest import ScriptedBackend

    from r1ci.synth import synthesize_with_backend
    from r1ci.tasks import get_task

    items = get_task("rg/basic_arithmetic").items(6, seed=0)
    answer = items[2]["answer"]
    teacher = ScriptedBackend(tiny_model_dir, [f"```python\nprint({answer!r})\n```\n", f"So <<<{answer}>>>."])
    kept = synthesize_with_backend(teacher, ["rg/basic_arithmetic"], 6, sandbox, grader, seed=0, candidates=2)
    assert items[2]["id"] in {t.id for t in kept}
    assert all(t.correct and t.metrics["teacher"] == teacher.name and t.system for t in kept)
    assert len({t.id for t in kept}) == len(kept)  # at most one per question


def test_the_study_runs_end_to_end_at_toy_size(tmp_path):
    from r1ci.models import TinyModel
    from r1ci.study import StudySettings, run_study

    tasks = ("bbh/boolean_expressions", "rg/prime_factorization")
    result = run_study(tmp_path, StudySettings(tasks=tasks, seeds=1, per_task=3, eval_per_task=2, ci_steps=2,
                                               batch_size=2, rollout=RolloutSettings(max_new_tokens=24),
                                               model=TinyModel(hidden=32, layers=1, copy_steps=2)),
                       workers=1)
    runs = {r["mode"]: r for r in result["runs"]}
    assert set(runs) == {"ci", "text"} and set(result["summary"]) == {"ci", "text"}
    assert set(runs["ci"]["by_task"]) == set(tasks) and runs["ci"]["held_out"] == 4
    assert runs["text"]["steps"] > runs["ci"]["steps"]  # equal tokens: text examples are shorter
    trained = {t.question for t in read_trajectories(tmp_path / "data" / "ci.jsonl")}
    evaluated = [json.loads(line)["question"] for line in (tmp_path / "seed0" / "ci" / "eval" / "results.jsonl").open()]
    assert runs["ci"]["held_out"] == len(evaluated) > 0 and not trained & set(evaluated)
    saved = json.loads((tmp_path / "study.json").read_text())
    assert saved["summary"] == result["summary"]
    refused = subprocess.run([R1CI, "study", "code-vs-text", "--out", str(tmp_path / "x"), "--tasks", "rg/gcd"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "does not solve rg/gcd" in " ".join(refused.stdout.split())
