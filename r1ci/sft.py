"""`r1ci sft`: masked multi-turn fine-tuning with TRL's SFTTrainer.

Trajectories are tokenised the way rollouts build contexts: the chat template's prompt (system + question,
generation prompt added), then each model and tool segment tokenised on its own as plain text (a printed
"<|im_end|>" stays text: `trajectory.text_ids`), then the end-of-turn token. `assistant_masks` is 1 on model
tokens (and the closing end-of-turn) only, so the loss never covers the prompt or what the interpreter
printed; TRL turns it into labels. Multi-turn trajectories are repeated `multi_turn_weight` times (the paper
up-weights them).
"""

from dataclasses import dataclass, replace
from pathlib import Path

from r1ci.models import load_for_training
from r1ci.checkpoints import resume_point, save_final, train_from
from r1ci.settings import bf16_setting, check_positive, check_report_to, report_to_setting, setting
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
    epochs: float = setting(3.0, "Passes over the data (the paper: 3).")
    batch_size: int = setting(8, "Trajectories per device and step.")
    learning_rate: float = setting(2e-5, "Peak learning rate (cosine schedule after the warm-up).")
    max_length: int = setting(2048, "Longer trajectories are left out, not cut.")
    packing: bool = setting(False, "Pack trajectories into full rows (helps on GPUs with flash-attention; slower "
                                   "on CPU).")
    multi_turn_weight: int = setting(2, "Repeat multi-turn trajectories this many times (the paper up-weights "
                                        "them).")
    group_by_length: bool = setting(False, "Batch trajectories of similar length (transformers' length-grouped "
                                           "sampler): less padding, so fewer tokens computed per step where lengths "
                                           "vary (1.6x fewer on the broad SmolLM2 data); batches mix tasks less.")
    max_steps: int = setting(-1, "Stop after this many optimizer steps (-1: train for `epochs`).")
    save_steps: int = setting(100, "Checkpoint every this many steps (kept: the last two).")
    logging_steps: int = setting(10, "Log the loss every this many steps.")
    report_to: str = report_to_setting()
    seed: int = setting(0, "Seed of data order and initialisation of new heads.", wired="seed")
    bf16: bool | None = bf16_setting()
    warmup_ratio: float = setting(0.03, "Warm-up, as a fraction of the steps.")

    def __post_init__(self):
        check_report_to(self.report_to)
        check_positive(self, "epochs", "batch_size", "learning_rate", "max_length", "multi_turn_weight",
                       "save_steps", "logging_steps")
        if self.max_steps == 0 or self.max_steps < -1:
            raise ValueError(f"max_steps must be positive, or -1 to train for `epochs`; got {self.max_steps}")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")


def sft_config(settings: SFTSettings, out: Path, bf16: bool, gpu: bool):
    """TRL's SFTConfig for these settings, writing into `out`."""
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(out), num_train_epochs=settings.epochs, max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size, learning_rate=settings.learning_rate,
        lr_scheduler_type="cosine", warmup_steps=settings.warmup_ratio, max_length=settings.max_length,
        packing=settings.packing, bf16=bf16, logging_steps=settings.logging_steps, save_steps=settings.save_steps,
        train_sampling_strategy="group_by_length" if settings.group_by_length else "random",
        save_total_limit=2, report_to=settings.report_to, seed=settings.seed, data_seed=settings.seed,
        use_cpu=not gpu, dataloader_num_workers=0, disable_tqdm=False)


def train(model_path: str, trajectories: list[Trajectory], out: Path, settings: SFTSettings) -> dict:
    """Fine-tune and save into `out` (a checkpoint like any other, with the log in out/trainer_state.json);
    resumes from out/checkpoint-* if present, which are deleted once the model is saved."""
    from trl import SFTTrainer

    out = Path(out)
    resume, finished = resume_point(out)
    model, tokenizer, bf16, gpu = load_for_training(resume if finished else model_path, settings.bf16)
    dataset = build_dataset(trajectories, tokenizer, settings.multi_turn_weight, settings.max_length)
    trainer = SFTTrainer(model=model, args=sft_config(settings, out, bf16, gpu), train_dataset=dataset,
                         processing_class=tokenizer)
    steps, loss = train_from(trainer, resume, finished)
    save_final(trainer, tokenizer, out)
    return {"examples": len(dataset), "steps": steps, "train_loss": loss, "resumed": resume is not None}


# The text arm of a code-vs-text comparison: a text-only model trained on the same questions' worked solutions,
# with as many supervised (loss-bearing) tokens as the code-interpreter model saw.


def supervised_tokens(trajectories: list[Trajectory], tokenizer, settings: SFTSettings) -> tuple[int, int]:
    """(rows, loss-bearing tokens) of the SFT dataset the trajectories make under `settings`."""
    rows = build_dataset(trajectories, tokenizer, settings.multi_turn_weight, settings.max_length)
    return len(rows), sum(sum(mask) for mask in rows["assistant_masks"])


def fitting_pairs(ci: list[Trajectory], text: list[Trajectory], tokenizer, max_length: int) -> set[str]:
    """Ids of the questions whose ci trajectory and text counterpart both fit `max_length` (SFT leaves out longer
    rows, and the two arms must train on the same questions)."""
    fits = lambda data: {t.id for t in data if len(tokenize(t, tokenizer)["input_ids"]) <= max_length}
    return fits(ci) & fits(text)


def train_text_arm(model_path: str, ci_data: list[Trajectory], text_data: list[Trajectory], ci_steps: int,
                   out: Path, settings: SFTSettings) -> dict:
    """Text-only SFT of `model_path` on `text_data` (the text counterparts of `ci_data`, the same questions) with as
    many supervised tokens as `ci_steps` steps of SFT on `ci_data` under the same settings: the steps scaled by the
    two datasets' supervised tokens per row. Returns train()'s result plus `matched`, both arms' token counts."""
    from transformers import AutoTokenizer

    if {t.id for t in text_data} != {t.id for t in ci_data}:
        raise ValueError("the text arm must train on the ci arm's questions, no more and no fewer")
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    (ci_rows, ci_tokens), (text_rows, text_tokens) = (supervised_tokens(d, tokenizer, settings)
                                                      for d in (ci_data, text_data))
    steps = max(1, round(ci_steps * (ci_tokens / ci_rows) / (text_tokens / text_rows)))
    result = train(model_path, text_data, out, replace(settings, max_steps=steps))
    batch = settings.batch_size
    matched = {"ci": {"rows": ci_rows, "supervised_tokens": ci_tokens, "steps": ci_steps,
                      "supervised_tokens_trained": round(ci_steps * batch * ci_tokens / ci_rows)},
               "text": {"rows": text_rows, "supervised_tokens": text_tokens, "steps": steps,
                        "supervised_tokens_trained": round(steps * batch * text_tokens / text_rows)}}
    return {**result, "matched": matched}
