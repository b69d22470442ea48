"""Run folders: files a kill never leaves torn, records appended line by line, checkpoints to resume from,
and which questions a run uses.

Every stage writes under a run folder and re-running it resumes (DESIGN: writes are atomic or append-only):
a whole file is written beside its destination and renamed over it (`write_atomic`); records (trajectories,
samples) are appended and fsynced one line at a time (`append_record`) and read back with a torn last line
dropped (`load_results`). The questions of a run are chosen here too (`select_items`), leaving out those a
model trained on (`questions_in`), so that SFT, RL and evaluation never share one.
"""

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class RunError(ValueError):
    """A run folder or data file that cannot be used as it is; the message says why and what to do."""


@contextmanager
def atomic_path(path: Path):
    """A temporary path to write; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from other readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode() if isinstance(data, str) else data)


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


def load_results(path: Path, key: str = "id") -> dict[str, dict]:
    """Finished records (trajectories, samples) by `key`. A torn last line (a kill mid-write) is dropped so
    that its work runs again."""
    if not path.exists():
        return {}
    lines = path.read_bytes().split(b"\n")
    done, good_bytes = {}, 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            good_bytes += len(line) + 1
            continue
        try:
            record = json.loads(line)
            done[record[key]] = record
        except (ValueError, KeyError, TypeError) as exc:
            if number >= len(lines) - 1:  # the last line: cut it off and redo that item
                with open(path, "r+b") as f:
                    f.truncate(good_bytes)
                break
            raise RunError(f"{path}, line {number}, is not a record ({exc}); fix or delete that line "
                            f"(its work will run again)") from exc
        good_bytes += len(line) + 1
    return done


def append_record(sink, record: dict) -> None:
    """One JSON line, flushed and fsynced: a kill loses at most the line being written."""
    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    sink.flush()
    os.fsync(sink.fileno())


def select_items(split: str, tasks: list[str] | None, n_per_task: int, seed: int,
                 exclude: set[str] = frozenset()) -> list[dict]:
    """`n_per_task` items of each chosen task of the split (train, test or all; all of its tasks when `tasks` is
    empty), none of them with a question in `exclude`. The OOD benchmarks are in no split: named in `tasks`,
    they are chosen whatever the split (`--tasks ood/aime_2024` evaluates AIME alone)."""
    from r1ci.tasks import ALL, OOD_TASKS, get_task, list_tasks

    chosen = list_tasks(split)
    if tasks:
        unknown = sorted(set(tasks) - set(chosen) - set(OOD_TASKS))
        if unknown:
            what, listing = ("suite or OOD", "") if split == ALL else (split, f" --split {split}")
            raise RunError(f"not {what} tasks: {', '.join(unknown)} (see `r1ci tasks list{listing}` and "
                           f"`r1ci tasks list --source ood`)")
        chosen = [t for t in chosen if t in tasks] + [t for t in OOD_TASKS if t in tasks]
    return [item for t in chosen for item in get_task(t).items(n_per_task, seed=seed, exclude=exclude)]


def questions_in(paths) -> set[str]:
    """The questions of JSONL files a model was trained on: trajectories (SFT data, eval results) or rows of
    a potential table (the RL questions), so that evaluation can hold them out."""
    questions = set()
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise RunError(f"{path}: no such file (--exclude takes trajectories or potential.jsonl files)")
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                questions.add(record["item"]["question"] if "item" in record else record["question"])
            except (ValueError, KeyError, TypeError) as exc:
                raise RunError(f"{path}, line {number}: not a trajectory or potential row ({exc!r})") from exc
    return questions
