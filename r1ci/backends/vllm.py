"""The vLLM backends (GPU; `pip install 'r1ci[vllm]'`): the hf backend's contract at serving speed.

`VLLMBackend` drives an in-process engine: one it builds (`vllm:PATH` for evaluation and potential), or the
engine TRL's GRPOTrainer keeps for `use_vllm` in colocate mode, whose weights TRL syncs from the trained
model before each rollout call. `VLLMServerBackend` sends the same requests to a `trl vllm-serve` server
(GRPO's server mode) through TRL's `VLLMClient`. Either way the contract is the hf backend's: token ids in,
token ids exactly as sampled out, with their sampling logprobs; each request has its own seed, so an item
samples the same tokens whatever else is in the batch.

Not run in this repository's CI or on its lent GPU: vLLM cannot be installed there (tests/test_vllm.py drives
both backends with stand-ins for vLLM's engine and TRL's client, up to the vLLM call).
"""

from concurrent.futures import ThreadPoolExecutor

from r1ci.backends import BackendError, Generation
from r1ci.backends.batching import BatchedBackend, Request


def finish_reason(ids: list[int], text: str, request: Request, eos_ids: set[int]) -> str:
    """How a completion ended, for a server that reports ids but no reason: end of turn, a stop string, or
    the token budget."""
    if ids and ids[-1] in eos_ids:
        return "eos"
    if any(stop and text.endswith(stop) for stop in request.stop):
        return "stop"
    return "length" if len(ids) >= request.max_tokens else "eos"


class VLLMBackend(BatchedBackend):
    def __init__(self, path: str, *, max_batch: int = 256, max_wait: float = 0.1, engine=None, **engine_args):
        """`engine`: an LLM that already runs (TRL's colocated one); otherwise one is built for `path`."""
        super().__init__(max_batch, max_wait)
        if engine is None:
            try:
                from vllm import LLM
            except ImportError as exc:
                raise BackendError("the vllm backend needs vLLM on a GPU machine: pip install 'r1ci[vllm]' "
                                   "(or use a local PATH for the transformers backend)") from exc
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
