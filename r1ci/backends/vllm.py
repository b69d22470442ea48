"""The vLLM backend (GPU; `pip install 'r1ci[vllm]'`): the hf backend's contract at serving speed.

Requests that arrive together go to one `LLM.generate` call; each has its own seed, so an item samples the
same tokens whatever else is in the batch. Token ids come back exactly as sampled, with their logprobs.
"""

from r1ci.backends import BackendError, Generation
from r1ci.backends.batching import BatchedBackend, Request


class VLLMBackend(BatchedBackend):
    def __init__(self, path: str, *, max_batch: int = 256, max_wait: float = 0.1, **engine_args):
        super().__init__(max_batch, max_wait)
        try:
            from vllm import LLM
        except ImportError as exc:
            raise BackendError("the vllm backend needs vLLM on a GPU machine: pip install 'r1ci[vllm]' "
                               "(or use a local PATH for the transformers backend)") from exc
        self.llm = LLM(model=path, **engine_args)
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
