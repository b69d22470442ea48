"""The transformers backend: exact sampled ids, true logprobs, per-item seeds, stop rules."""

import asyncio
import importlib.metadata
import importlib.util
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from packaging.requirements import Requirement

from r1ci.backends import BackendError, Sampling
from r1ci.backends.batching import Request
from r1ci.backends.hf import HFBackend, cache_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def backend(tiny_model_dir):
    # float32 pinned: these tests compare logprobs to a fresh forward pass at 1e-4, which bf16 (the default
    # on CPUs with bf16 units) does not reach; the decoding logic under test is the same in both.
    return HFBackend(str(tiny_model_dir), dtype="float32")


def prompt(backend, text):
    return backend.encode_prompt([{"role": "user", "content": text}])


def test_logprobs_are_those_of_the_sampled_tokens(backend):
    requests = [Request(prompt(backend, q), 12, (), Sampling(temperature=1.0, seed=s))
                for s, q in enumerate(["What is 2 + 2?", "A longer question, so that the batch needs padding."])]
    for request, gen in zip(requests, backend.run_batch(requests)):
        ids = torch.tensor([request.context + gen.token_ids])
        with torch.no_grad():
            logits = backend.model(input_ids=ids).logits[0].float()
        start = len(request.context) - 1
        expected = torch.log_softmax(logits[start:start + len(gen.token_ids)], -1)
        expected = expected.gather(1, torch.tensor(gen.token_ids)[:, None])[:, 0]
        assert torch.allclose(torch.tensor(gen.logprobs), expected, atol=1e-4)
        assert gen.conditioned_on == request.context


def test_an_items_tokens_do_not_depend_on_its_batch(backend):
    alone = backend.run_batch([Request(prompt(backend, "seeded"), 16, (), Sampling(temperature=1.0, seed=7))])[0]
    crowd = [Request(prompt(backend, f"other question {i} " * (i + 1)), 16, (), Sampling(temperature=1.0, seed=i))
             for i in range(3)]
    together = backend.run_batch(crowd + [Request(prompt(backend, "seeded"), 16, (), Sampling(1.0, 1.0, 7))])[-1]
    assert together.token_ids == alone.token_ids
    other_seed = backend.run_batch([Request(prompt(backend, "seeded"), 16, (), Sampling(1.0, 1.0, 8))])[0]
    assert other_seed.token_ids != alone.token_ids


def test_greedy_is_deterministic_and_limits_are_kept(backend):
    request = Request(prompt(backend, "greedy"), 9, (), Sampling(temperature=0.0))
    a, b = backend.run_batch([request])[0], backend.run_batch([request, request])[1]
    assert a.token_ids == b.token_ids and len(a.token_ids) <= 9
    if len(a.token_ids) == 9:
        assert a.finish == "length"


def test_stop_rules(backend):
    request = Request([], 100, ("```\n", ">>>"), Sampling())
    fence = backend.encode_text("print(1)\n```\n")
    assert backend._finished(fence, request) == "stop"
    assert all(backend._finished(fence[:k], request) is None for k in range(1, len(fence)) if
               "```\n" not in backend.decode(fence[:k]))
    assert backend._finished(backend.encode_text("so <<<4>>>"), request) == "stop"
    assert backend._finished(backend.encode_text("```python\n"), request) is None  # an opening fence
    assert backend._finished(backend.encode_text("hi") + [min(backend.eos_ids)], request) == "eos"
    assert backend._finished(backend.encode_text("a b c"), Request([], 2, (), Sampling())) == "length"


def test_concurrent_calls_are_batched(backend):
    async def main():
        calls = [backend.generate(prompt(backend, f"q{i}"), 4, (), Sampling(seed=i)) for i in range(5)]
        return await asyncio.gather(*calls)

    gens = asyncio.run(main())
    assert len(gens) == 5 and all(1 <= len(g.token_ids) <= 4 for g in gens)


def test_a_folder_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load a transformers model"):
        HFBackend(str(tmp_path))


def test_vllm_backend_says_what_is_missing():
    """vLLM is an extra (GPUs: r1ci[vllm]; CPUs: install.sh --vllm); without it the backend says how to get it."""
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vLLM is installed here")
    from r1ci.backends import load_backend

    with pytest.raises(BackendError, match=r"pip install 'r1ci\[vllm\]'.*scripts/install.sh --vllm"):
        load_backend("vllm:/some/model")


def test_a_vllm_server_that_is_not_there_is_named():
    """`vllm-server:URL` with nothing listening (or, without vLLM here, without TRL's client): a BackendError that
    names the URL, which r1ci's commands print as their error."""
    from r1ci.backends import load_backend

    with pytest.raises(BackendError, match=r"http://127\.0\.0\.1:9"):
        load_backend("vllm-server:http://127.0.0.1:9")


def test_a_later_turn_reuses_the_cached_prefix_exactly(tiny_model_dir):
    cached, fresh = HFBackend(str(tiny_model_dir), dtype="float32"), HFBackend(str(tiny_model_dir), dtype="float32")
    first = Request(prompt(cached, "turn one"), 10, (), Sampling(temperature=0.0))
    other = Request(prompt(cached, "a different trajectory in the same batch"), 6, (), Sampling(temperature=0.0))
    turn = cached.run_batch([first, other])[0]
    tool = cached.encode_text("\nCode Execution Results:\n42\n")
    second = Request(first.context + turn.token_ids + tool, 10, (), Sampling(temperature=0.0))
    hit, _ = cached._cached_prefix(second.context)  # taking it out of the cache...
    assert hit >= len(first.context) + len(turn.token_ids) - 1
    cached.run_batch([first, other])  # ...so run the first turn again to put it back
    reused = cached.run_batch([second, Request(prompt(cached, "newcomer"), 4, (), Sampling(temperature=0.0))])[0]
    recomputed = fresh.run_batch([second])[0]
    assert reused.token_ids == recomputed.token_ids
    assert torch.allclose(torch.tensor(reused.logprobs), torch.tensor(recomputed.logprobs), atol=1e-4)


def test_a_backend_serves_one_event_loop_after_another():
    """GRPO reuses one backend and runs a new event loop per step; trajectories of different lengths must not
    leave a batch waiting on the previous loop's event."""
    from r1ci.backends import Generation
    from r1ci.backends.batching import BatchedBackend

    class Echo(BatchedBackend):
        def run_batch(self, requests, deliver=None):
            return [Generation(text="x", finish="eos", token_ids=[1], logprobs=[0.0]) for _ in requests]

    async def trajectory(backend, turns, pause):
        with backend.track():
            for _ in range(turns):
                await backend.generate([0], 1, (), Sampling())
                await asyncio.sleep(pause)  # its code runs

    async def step(backend):
        await asyncio.wait_for(asyncio.gather(trajectory(backend, 1, 0.05), trajectory(backend, 2, 0.01)), 5)

    backend = Echo()
    for _ in range(3):
        asyncio.run(step(backend))


def test_installed_transformers_is_in_the_tested_range():
    declared = next(Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                    ["dependencies"] if Requirement(r).name == "transformers")
    installed = importlib.metadata.version("transformers")
    assert declared.specifier.contains(installed), (
        f"transformers {installed} is installed, but r1ci is tested with {declared}: run tests/test_hf_backend.py "
        f"against it, mend r1ci/backends/hf.py where a test fails, then widen the range in pyproject.toml")


def test_greedy_tokens_are_those_of_transformers_generate(backend):
    """The backend's own decoding loop over the KV cache picks what `model.generate` picks, token for token: a
    cache passed under a name the installed transformers ignores would make every step after the first wrong."""
    requests = [Request(prompt(backend, q), 12, (), Sampling(temperature=0.0))
                for q in ("What is 2 + 2?", "A longer question, so that the batch needs padding and a mask.")]
    for request, gen in zip(requests, backend.run_batch(requests)):
        ids = torch.tensor([request.context])
        expected = backend.model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=12,
                                          do_sample=False, eos_token_id=sorted(backend.eos_ids),
                                          pad_token_id=backend.pad_id)[0, len(request.context):].tolist()
        assert gen.token_ids == expected


def past_key_values_naming(model):
    """The model as transformers 5.17 names its KV cache (forward's `past_key_values`, and the output's), whatever
    transformers is installed."""
    name, base = cache_name(model), type(model)

    class PastKeyValues(base):
        def forward(self, input_ids=None, attention_mask=None, position_ids=None, past_key_values=None,
                    use_cache=None, logits_to_keep=0):
            out = base.forward(self, input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                               use_cache=use_cache, logits_to_keep=logits_to_keep, **{name: past_key_values})
            return SimpleNamespace(logits=out.logits, past_key_values=getattr(out, name))

    model.__class__ = PastKeyValues
    return model


def test_a_model_naming_its_cache_past_key_values_decodes_the_same(backend, tiny_model_dir):
    from transformers import AutoModelForCausalLM

    older = HFBackend.from_model(past_key_values_naming(AutoModelForCausalLM.from_pretrained(
        tiny_model_dir, dtype=torch.float32).eval()), backend.tokenizer)
    assert older.cache_name == "past_key_values"
    first = [Request(prompt(backend, q), 8, (), Sampling(temperature=1.0, seed=i))
             for i, q in enumerate(["turn one", "a second, longer trajectory in the batch"])]
    turns = [older.run_batch(first), backend.run_batch(first)]
    tool = backend.encode_text("\nCode Execution Results:\n42\n")
    second = [Request(r.context + g.token_ids + tool, 8, (), r.sampling) for r, g in zip(first, turns[0])]
    assert older._cached_prefix(second[0].context)[0] > len(first[0].context)  # the first turn's keys, reused:
    later = [older.run_batch(second), backend.run_batch(second)]
    for mine, theirs in zip(turns[0] + later[0], turns[1] + later[1]):
        assert mine.token_ids == theirs.token_ids
        assert torch.allclose(torch.tensor(mine.logprobs), torch.tensor(theirs.logprobs), atol=1e-4)
