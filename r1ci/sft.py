"""`r1ci sft`: masked multi-turn fine-tuning with TRL's SFTTrainer.

Trajectories are tokenised the way rollouts build contexts: the chat template's prompt (system + question,
generation prompt added), then each model and tool segment tokenised on its own, then the end-of-turn
token. `assistant_masks` is 1 on model tokens (and the closing end-of-turn) only, so the loss never covers
the prompt or what the interpreter printed; TRL turns it into labels. Multi-turn trajectories are repeated
`multi_turn_weight` times (the paper up-weights them).
"""

from dataclasses import dataclass
from pathlib import Path

from r1ci.atomic import last_complete_checkpoint
from r1ci.trajectory import Trajectory, prompt_ids, text_ids


def tokenize(traj: Trajectory, tokenizer) -> dict:
    """input_ids and assistant_masks for one trajectory (text segments are tokenised here)."""
    if traj.system is None:
        raise ValueError(f"trajectory {traj.id} has no system prompt recorded; it cannot be re-tokenised")
    messages = [{"role": "system", "content": traj.system}, {"role": "user", "content": traj.question}]
    ids = prompt_ids(tokenizer, messages)
    mask = [0] * len(ids)
    for segment in traj.segments[1:]:
        seg_ids = text_ids(tokenizer, segment.text)
        ids += seg_ids
        mask += [int(segment.kind == "model")] * len(seg_ids)
    ids.append(tokenizer.eos_token_id)  # the model learns to end its turn after the answer
    mask.append(1)
    return {"input_ids": ids, "assistant_masks": mask}


def build_dataset(trajectories: list[Trajectory], tokenizer, multi_turn_weight: int = 2, max_length: int | None = None):
    from datasets import Dataset

    rows = []
    for traj in trajectories:
        row = tokenize(traj, tokenizer)
        if max_length and len(row["input_ids"]) > max_length:
            continue  # a cut trajectory would teach an answer-less ending
        repeat = multi_turn_weight if traj.metrics.get("code_calls", 0) > 1 else 1
        rows += [row] * repeat
    if not rows:
        raise ValueError("no trajectory fits: the data is empty or every one is longer than max_length")
    return Dataset.from_list(rows)


@dataclass
class SFTSettings:
    epochs: float = 3.0
    batch_size: int = 8
    learning_rate: float = 2e-5
    max_length: int = 2048
    packing: bool = False
    multi_turn_weight: int = 2
    max_steps: int = -1
    save_steps: int = 100
    logging_steps: int = 10
    report_to: str = "none"
    seed: int = 0
    bf16: bool | None = None     # None: where bf16 is fast (r1ci.models.bf16_is_fast), as autocast
    warmup_ratio: float = 0.03  # a fraction of the steps (transformers takes it as warmup_steps < 1)


def load_for_training(model_path: str, bf16: bool | None):
    """(model, tokenizer, bf16, gpu) for SFT and GRPO alike. Weights load in float32 and bf16 runs as autocast,
    by default where it is fast: GPUs that support it, CPUs with bf16 units (r1ci.models.bf16_is_fast)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from r1ci.models import bf16_is_fast

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    gpu = torch.cuda.is_available()
    return model, tokenizer, bf16 if bf16 is not None else bf16_is_fast("cuda" if gpu else "cpu"), gpu


def train(model_path: str, trajectories: list[Trajectory], out: Path, settings: SFTSettings) -> dict:
    """Fine-tune and save into `out` (a checkpoint like any other); resumes from out/checkpoint-* if present."""
    from trl import SFTConfig, SFTTrainer

    out = Path(out)
    model, tokenizer, bf16, gpu = load_for_training(model_path, settings.bf16)
    dataset = build_dataset(trajectories, tokenizer, settings.multi_turn_weight, settings.max_length)
    config = SFTConfig(
        output_dir=str(out), num_train_epochs=settings.epochs, max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size, learning_rate=settings.learning_rate,
        lr_scheduler_type="cosine", warmup_steps=settings.warmup_ratio, max_length=settings.max_length,
        packing=settings.packing, bf16=bf16, logging_steps=settings.logging_steps, save_steps=settings.save_steps,
        save_total_limit=2, report_to=settings.report_to, seed=settings.seed, data_seed=settings.seed,
        use_cpu=not gpu,
        dataloader_num_workers=0, disable_tqdm=False)
    trainer = SFTTrainer(model=model, args=config, train_dataset=dataset, processing_class=tokenizer)
    resume = last_complete_checkpoint(out)
    result = trainer.train(resume_from_checkpoint=resume)
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    return {"examples": len(dataset), "steps": result.global_step, "train_loss": result.training_loss,
            "resumed": resume is not None}
