"""What r1ci.rl relies on in TRL beyond its documented API, checked one piece at a time.

r1ci.rl overrides `GRPOTrainer._generate_and_score_completions` (dynamic sampling edits its `tool_mask` and
`num_items_in_batch`) and appends its dropped share to `trainer._metrics`, logs rollout measurements through
the reward functions' `log_metric`, hands TRL an experimental `rollout_func` with
`env_mask`, sets `model.config._name_or_path` so that TRL builds the KL reference from the run's starting
model, unwraps the model with `trl.models.utils.unwrap_model_for_generation`, and on a CPU hands TRL's
colocated vLLM engine its defaults through the name TRL builds it with and replaces the engine's weight sync,
reading the weights through TRL's own iterator. A TRL release can change
any of these without notice; each test here names what changed, so a failure says what to mend in rl.py
before the pin in pyproject.toml is widened.
"""

import ast
import importlib.metadata
import inspect
import textwrap
import tomllib
import warnings
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TRL_VERSION = importlib.metadata.version("trl")
PINNED = next(r.removeprefix("trl") for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
              ["dependencies"] if Requirement(r).name == "trl")


def broken(change: str, use: str) -> str:
    return f"TRL {TRL_VERSION} {change}, which {use}; r1ci is tested with trl{PINNED} (pyproject.toml)"


def test_installed_trl_is_in_the_tested_range():
    assert Requirement(f"trl{PINNED}").specifier.contains(TRL_VERSION), (
        f"TRL {TRL_VERSION} is installed, but r1ci is tested with trl{PINNED}: run this file against it, mend "
        f"r1ci.rl where a test fails, then widen the pin in pyproject.toml")


def test_grpo_config_has_every_field_r1ci_sets():
    from trl import GRPOConfig

    calls = [node for node in ast.walk(ast.parse((ROOT / "r1ci" / "rl.py").read_text()))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "GRPOConfig"]
    used = {kw.arg for call in calls for kw in call.keywords} | {"ds3_gather_for_generation"}
    assert calls and len(used) > 10  # the parse found r1ci.rl.train_stage's GRPOConfig(...)
    missing = sorted(used - set(GRPOConfig.__dataclass_fields__))
    assert not missing, broken(f"has no GRPOConfig field {', '.join(missing)}", "r1ci.rl.train_stage sets")


def test_hooks_r1ci_overrides_or_calls_have_their_signatures():
    from trl import GRPOTrainer
    from trl.models.utils import unwrap_model_for_generation

    method = getattr(GRPOTrainer, "_generate_and_score_completions", None)
    assert method is not None, broken("no longer has GRPOTrainer._generate_and_score_completions",
                                      "r1ci.rl overrides (dynamic sampling)")
    assert list(inspect.signature(method).parameters) == ["self", "inputs"], broken(
        f"changed GRPOTrainer._generate_and_score_completions to {inspect.signature(method)}",
        "r1ci.rl overrides as (self, inputs)")
    assert "rollout_func" in inspect.signature(GRPOTrainer.__init__).parameters, broken(
        "no longer takes GRPOTrainer(rollout_func=...)", "r1ci.rl generates every completion with")
    params = inspect.signature(unwrap_model_for_generation).parameters
    assert list(params)[:2] == ["model", "accelerator"] and "gather_deepspeed3_params" in params, broken(
        f"changed trl.models.utils.unwrap_model_for_generation to {inspect.signature(unwrap_model_for_generation)}",
        "r1ci.rl.InterpreterRollouts calls as (model, accelerator, gather_deepspeed3_params=...)")


def test_trl_builds_its_colocated_engine_through_its_modules_llm_leaving_the_cpu_defaults_to_r1ci():
    import trl.generation.vllm_generation as generation

    from r1ci.backends.vllm import cpu_engine_args

    tree = ast.parse(textwrap.dedent(inspect.getsource(generation.VLLMGeneration._init_vllm)))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "LLM"]
    assert len(calls) == 1, broken("no longer builds its colocated engine as LLM(...) in VLLMGeneration._init_vllm",
                                   "r1ci.rl.colocated_engine_defaults hands the CPU defaults through")
    passed = sorted({kw.arg for kw in calls[0].keywords} & set(cpu_engine_args()))
    assert not passed, broken(f"passes {', '.join(passed)} to its colocated LLM itself",
                              "r1ci.rl.colocated_engine_defaults sets on a CPU")


def test_trls_weight_sync_and_its_weight_iterator_are_what_r1ci_replaces_and_reads():
    from trl.generation.vllm_generation import VLLMGeneration

    sync = getattr(VLLMGeneration, "sync_weights", None)
    assert sync is not None and list(inspect.signature(sync).parameters) == ["self"], broken(
        "no longer has VLLMGeneration.sync_weights(self)", "r1ci.rl.timed_weight_sync replaces on each trainer")
    weights = getattr(VLLMGeneration, "_iter_named_params", None)
    assert weights is not None and inspect.isgeneratorfunction(weights), broken(
        "no longer has the generator VLLMGeneration._iter_named_params",
        "r1ci.rl.timed_weight_sync reads the trained weights (named for vLLM, gathered, PEFT merged) with")
    assert list(inspect.signature(weights).parameters) == ["self"], broken(
        f"changed VLLMGeneration._iter_named_params to {inspect.signature(weights)}",
        "r1ci.rl.timed_weight_sync calls without arguments")


def build_trainer(model_dir, out: Path, rollout_func, name_or_path: str | None = None):
    """r1ci's trainer class on the tiny model, configured like r1ci.rl.train_stage (its RLSettings defaults)."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig

    from r1ci.reward import RewardWeights, reward_functions
    from r1ci.rl import RLSettings, make_trainer_class

    settings = RLSettings()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if name_or_path is not None:
        model.config._name_or_path = name_or_path
    args = GRPOConfig(output_dir=str(out), per_device_train_batch_size=2, num_generations=2, max_steps=1,
                      beta=settings.beta, epsilon=settings.epsilon, loss_type=settings.loss_type,
                      report_to="none", use_cpu=True, bf16=False)
    return make_trainer_class()(
        model=model, reward_funcs=reward_functions(RewardWeights()), args=args, processing_class=tokenizer,
        train_dataset=Dataset.from_list([{"prompt": "What is 6 x 7?"}]), rollout_func=rollout_func)


class Rollouts:
    """Two completions of different lengths, right and wrong, with interpreter tokens (env_mask 0) inside."""

    def __init__(self, eos: int):
        self.completions = [[11, 12, 13, 14, 15, 16, eos], [21, 22, 23, eos]]
        self.env_mask = [[1, 1, 0, 0, 1, 1, 0], [1, 0, 1, 0]]
        self.calls = []

    def __call__(self, prompts, trainer):
        self.calls.append((list(prompts), trainer))
        return {"prompt_ids": [[1, 2, 3]] * 2, "completion_ids": self.completions, "logprobs":
                [[-1.0] * len(c) for c in self.completions], "env_mask": self.env_mask,
                "correct": [1.0, 0.0], "well_formed": [True, True], "turns": [2, 2], "code_calls": [1, 3],
                "answered": [True, False]}


@pytest.fixture(scope="module")
def scored(tiny_model_dir, tmp_path_factory):
    """A trainer, its rollout function and one `_generate_and_score_completions` output (metrics copied)."""
    from transformers import AutoTokenizer

    rollouts = Rollouts(AutoTokenizer.from_pretrained(tiny_model_dir).eos_token_id)
    with pytest.MonkeyPatch.context() as env, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.setenv("TRL_EXPERIMENTAL_SILENCE", "1")  # as r1ci.rl.train_rl sets it
        trainer = build_trainer(tiny_model_dir, tmp_path_factory.mktemp("grpo"), rollouts)
    unsilenced = [str(w.message) for w in caught if "rollout_func" in str(w.message)]
    assert not unsilenced, broken(f"warns {unsilenced[0]!r} despite TRL_EXPERIMENTAL_SILENCE=1",
                                  "r1ci.rl.train_rl sets to silence it")
    trainer.model.train()
    out = trainer._generate_and_score_completions([{"prompt": "What is 6 x 7?"} for _ in range(2)])
    metrics = {k: list(v) for k, v in trainer._metrics["train"].items()}
    return trainer, rollouts, out, metrics


def test_rollout_func_is_called_with_the_prompts_and_the_trainer(scored):
    trainer, rollouts, _, _ = scored
    assert len(rollouts.calls) == 1, broken("did not call rollout_func once per generation batch",
                                            "r1ci.rl generates every completion with")
    prompts, passed = rollouts.calls[0]
    assert prompts == ["What is 6 x 7?"] * 2 and passed is trainer, broken(
        f"calls rollout_func with ({prompts!r}, {type(passed).__name__})", "r1ci.rl expects as (prompts, trainer)")
    assert isinstance(trainer.state.global_step, int), broken("has no trainer.state.global_step",
                                                              "r1ci.rl.InterpreterRollouts seeds completions by")


def test_rollout_fields_reach_the_reward_functions(scored):
    _, _, out, metrics = scored
    means = {name: metrics.get(f"rewards/{name}/mean") for name in ("correct", "format", "turns")}
    assert means == {"correct": [0.5], "format": [1.0], "turns": [0.0]}, broken(
        f"logged reward parts {means}", "r1ci.reward's functions compute from the rollout_func's extra fields "
        "(correct, well_formed, turns)")
    logged = {name: metrics.get(name) for name in ("code_calls", "turns", "answered")}
    assert logged == {"code_calls": [2.0], "turns": [2.0], "answered": [0.5]}, broken(
        f"logged {logged} through the reward functions' log_metric", "r1ci.reward logs the rollout's means with")
    assert out["advantages"].tolist()[0] > 0 > out["advantages"].tolist()[1], broken(
        f"gave advantages {out['advantages'].tolist()} to a right and a wrong completion", "r1ci.rl trains on")


def test_generate_and_score_completions_returns_what_dynamic_sampling_edits(scored):
    _, rollouts, out, _ = scored
    missing = sorted({"advantages", "completion_mask", "tool_mask", "num_items_in_batch"} - set(out))
    assert not missing, broken(f"no longer returns {', '.join(missing)} from _generate_and_score_completions",
                               "r1ci.rl's dynamic sampling edits")
    rows, length = out["completion_mask"].shape
    assert out["tool_mask"].shape == (rows, length) and out["advantages"].shape == (rows,), broken(
        f"returns tool_mask {tuple(out['tool_mask'].shape)} and advantages {tuple(out['advantages'].shape)} for "
        f"completion_mask {(rows, length)}", "r1ci.rl's dynamic sampling multiplies as (rows, tokens) x (rows, 1)")
    for row, mask in enumerate(rollouts.env_mask):
        assert out["tool_mask"][row, :len(mask)].tolist() == mask, broken(
            "no longer turns rollout_func's env_mask into tool_mask", "masks interpreter tokens out of r1ci's loss")
    active = (out["completion_mask"] * out["tool_mask"]).sum()
    assert out["num_items_in_batch"] == active, broken(
        f"counts num_items_in_batch as {out['num_items_in_batch']} rather than the {active} unmasked tokens",
        "r1ci.rl's dynamic sampling recomputes the same way")


def test_the_loss_follows_tool_mask_and_num_items_in_batch(scored):
    trainer, _, out, _ = scored

    def loss(**changes):
        return trainer.compute_loss(trainer.model, {**out, **changes}).item()

    trainer.model.eval()  # train mode also divides by the gradient accumulation, which only train() sets up
    try:
        base, masked, halved = loss(), loss(tool_mask=out["tool_mask"] * 0), loss(
            num_items_in_batch=out["num_items_in_batch"] * 2)
    finally:
        trainer.model.train()
    assert base != 0
    assert masked == 0, broken("still has loss from completions whose tool_mask is 0",
                               "r1ci.rl's dynamic sampling relies on to drop them")
    assert halved == pytest.approx(base / 2), broken("no longer normalises the loss by inputs['num_items_in_batch']",
                                                     "r1ci.rl's dynamic sampling recomputes")


def test_metrics_appended_to_trainer_metrics_are_averaged_into_the_logs(scored):
    trainer = scored[0]
    trainer.model.train()  # TRL logs the metrics of the mode the model is in
    assert isinstance(getattr(trainer, "_metrics", None), dict) and "train" in trainer._metrics, broken(
        "no longer keeps trainer._metrics['train']", "r1ci.rl appends dynamic sampling's dropped share to")
    trainer._metrics["train"]["code_calls"].append(1.0)
    trainer._metrics["train"]["code_calls"].append(3.0)
    trainer.log({})
    assert trainer.state.log_history[-1].get("code_calls") == 2.0, broken(
        f"logged {trainer.state.log_history[-1]} for trainer._metrics['train']['code_calls'] = [1.0, 3.0]",
        "r1ci.rl expects averaged into each logging step")
    assert not trainer._metrics["train"], broken("no longer clears trainer._metrics after logging",
                                                 "r1ci.rl appends to once per step")


def test_unwrap_model_for_generation_gives_the_trained_model(scored):
    from trl.models.utils import unwrap_model_for_generation

    trainer = scored[0]
    with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator,
                                     gather_deepspeed3_params=trainer.args.ds3_gather_for_generation) as model:
        assert model is trainer.model, broken("unwraps to another model than trainer.model",
                                              "r1ci.rl.InterpreterRollouts generates with")


def test_the_kl_reference_is_built_from_config_name_or_path(tiny_model_dir, tmp_path):
    """r1ci.rl.train_stage sets `_name_or_path` to the run's first model, so every stage's KL term refers to it."""
    import torch
    from transformers import AutoModelForCausalLM

    reference = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    with torch.no_grad():
        for p in reference.parameters():
            p.add_(0.5)
    reference.save_pretrained(tmp_path / "reference")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRL_EXPERIMENTAL_SILENCE", "1")
        trainer = build_trainer(tiny_model_dir, tmp_path / "out", Rollouts(0), str(tmp_path / "reference"))
    ref = getattr(trainer, "ref_model", None)
    assert ref is not None, broken("builds no trainer.ref_model with beta > 0", "r1ci.rl's KL term needs")
    expected = dict(reference.named_parameters())
    assert all(torch.equal(p, expected[n]) for n, p in ref.named_parameters()), broken(
        "no longer loads the KL reference from model.config._name_or_path",
        "r1ci.rl.train_stage sets to the run's starting model")
