"""Training runs that resume: the last complete transformers checkpoint of a killed run, how to go on from it,
and the final save that replaces the checkpoints. SFT (r1ci/sft.py) and each GRPO stage (r1ci/rl.py) use these.
"""

import json
from pathlib import Path


def resume_point(output_dir: Path) -> tuple[str | None, bool]:
    """Where a killed training run resumes: (its last complete checkpoint or None, whether that checkpoint is
    the run's last step). A run killed between its last checkpoint and its final save is finished: its weights
    are that checkpoint's, and transformers' Trainer resumed there would train one step past `max_steps` (seen
    when a SmolLM2 GRPO stage died saving). Its caller loads the weights from it and calls `train_from`."""
    checkpoint = last_complete_checkpoint(output_dir)
    if checkpoint is None:
        return None, False
    state = json.loads((Path(checkpoint) / "trainer_state.json").read_text())
    return checkpoint, state["global_step"] >= state["max_steps"] > 0


def train_from(trainer, resume: str | None, finished: bool) -> tuple[int, float]:
    """Train, resumed from `resume`; for a finished checkpoint (`resume_point`), take its state instead.
    Returns (steps, mean training loss)."""
    if not finished:
        result = trainer.train(resume_from_checkpoint=resume)
        return result.global_step, result.training_loss
    from transformers import TrainerState

    trainer.state = TrainerState.load_from_json(str(Path(resume) / "trainer_state.json"))
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    return trainer.state.global_step, sum(losses) / len(losses) if losses else float("nan")


def save_final(trainer, tokenizer, model_dir: Path) -> None:
    """Save a finished training run: weights and tokenizer into `model_dir`, the log history into the output
    folder's `trainer_state.json`, and then delete the resumption checkpoints. Each of those holds the optimizer
    state besides the weights (3x the model's size), so a SmolLM2 study would otherwise leave 26 GB per seed.
    Killed in between, the run restarts from its start instead of its last checkpoint: slower, not wrong."""
    import shutil

    trainer.save_model(str(model_dir))  # by the main process only, under a launcher
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(model_dir))
        trainer.save_state()
        for checkpoint in Path(trainer.args.output_dir).glob("checkpoint-*"):
            shutil.rmtree(checkpoint)
    trainer.accelerator.wait_for_everyone()  # what comes next, in every process, reads these files


def last_complete_checkpoint(output_dir: Path) -> str | None:
    """The newest transformers checkpoint a killed run can resume from, or None.

    transformers writes `trainer_state.json` last, so a checkpoint without a readable one was cut short by a
    kill; it is deleted (it holds nothing the previous checkpoint lacks) rather than handed to `train`, which
    would fail on it.
    """
    import shutil

    def step(path: Path) -> int:
        suffix = path.name.removeprefix("checkpoint-")
        return int(suffix) if suffix.isdigit() else -1

    for checkpoint in sorted(Path(output_dir).glob("checkpoint-*"), key=step, reverse=True):
        if step(checkpoint) < 0:
            continue
        try:
            json.loads((checkpoint / "trainer_state.json").read_text())
            return str(checkpoint)
        except (OSError, ValueError):
            shutil.rmtree(checkpoint)
    return None
