"""The transformers backend: any local causal LM checkpoint, on CPU or GPU (bf16 where supported).

It decodes with its own loop over the model's KV cache rather than `model.generate`, for two reasons: each
request samples from its own seeded generator, so an item's tokens do not depend on what else is in the
batch (a resumed evaluation gives the same numbers), and each row stops at its own stop strings, end of
turn or token limit, keeping the exact sampled ids and their logprobs.
"""

import torch

from r1ci.backends import BackendError, Generation
from r1ci.backends.batching import BatchedBackend, Request

STOP_LOOKBACK = 8  # tokens decoded to spot a stop string; stop strings are a few characters long


class HFBackend(BatchedBackend):
    def __init__(self, path: str, *, device: str | None = None, dtype: str | None = None, max_batch: int = 32,
                 max_wait: float = 0.1):
        super().__init__(max_batch, max_wait)
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            use_bf16 = self.device.startswith("cuda") and torch.cuda.is_bf16_supported()
            dtype = "bfloat16" if use_bf16 else "float32"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype))
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot load a transformers model from {path!r}: {exc}") from exc
        self.model.to(self.device).eval()
        if self.tokenizer.chat_template is None:
            raise BackendError(f"the tokenizer at {path!r} has no chat template; r1ci needs one to build prompts")
        eos = self.model.generation_config.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if self.tokenizer.eos_token_id is not None:
            self.eos_ids.add(self.tokenizer.eos_token_id)
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else min(self.eos_ids)
        self.name = path

    # text <-> tokens (the engine tokenises prompts and interpreter output only)

    def encode_prompt(self, messages: list[dict]) -> list[int]:
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                                 return_dict=False)
        return list(ids)

    def encode_text(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode([i for i in ids if i not in self.eos_ids], skip_special_tokens=False)

    # the decoding loop

    @torch.inference_mode()
    def run_batch(self, requests: list[Request], deliver=None) -> list[Generation]:
        rows = len(requests)
        width = max(len(r.context) for r in requests)
        ids = torch.full((rows, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((rows, width), dtype=torch.long)
        for i, r in enumerate(requests):  # left padding, so every row's next token is at the same column
            ids[i, width - len(r.context):] = torch.tensor(r.context)
            mask[i, width - len(r.context):] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        generators = [torch.Generator().manual_seed(r.sampling.seed) for r in requests]
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                         logits_to_keep=1)
        new: list[list[int]] = [[] for _ in requests]
        logprobs: list[list[float]] = [[] for _ in requests]
        finish: list[str | None] = [None] * rows
        for _ in range(max(r.max_tokens for r in requests)):
            logits = out.logits[:, -1, :].float().cpu()
            step = []
            for i, r in enumerate(requests):
                if finish[i] is not None:
                    step.append(self.pad_id)
                    continue
                token, logprob = self.choose(logits[i], r, generators[i], len(new[i]))
                new[i].append(token)
                logprobs[i].append(logprob)
                finish[i] = self._finished(new[i], r)
                step.append(token)
                if finish[i] is not None and deliver is not None:
                    deliver(i, self._generation(r, new[i], logprobs[i], finish[i]))
            if all(f is not None for f in finish):
                break
            mask = torch.cat([mask, torch.ones((rows, 1), dtype=mask.dtype, device=self.device)], dim=1)
            positions = positions[:, -1:] + 1
            out = self.model(input_ids=torch.tensor(step, device=self.device)[:, None], attention_mask=mask,
                             position_ids=positions, cache=out.cache, use_cache=True)
        return [self._generation(r, new[i], logprobs[i], finish[i] or "length") for i, r in enumerate(requests)]

    def _generation(self, request: Request, ids: list[int], logprobs: list[float], finish: str) -> Generation:
        return Generation(text=self.decode(ids), finish=finish, token_ids=list(ids), logprobs=list(logprobs),
                          conditioned_on=list(request.context))

    def choose(self, logits: torch.Tensor, request: Request, generator: torch.Generator, step: int):
        """The next token of one row and its logprob (a seam for benchmarks that script the tokens)."""
        return sample(logits, request.sampling.temperature, request.sampling.top_p, generator)

    def _finished(self, new: list[int], request: Request) -> str | None:
        if new[-1] in self.eos_ids:
            return "eos"
        if request.stop:
            tail = self.tokenizer.decode(new[-STOP_LOOKBACK:])
            before = self.tokenizer.decode(new[-STOP_LOOKBACK:-1])
            if any(s in tail and tail.count(s) > before.count(s) for s in request.stop):
                return "stop"
        if len(new) >= request.max_tokens:
            return "length"
        return None


def sample(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator) -> tuple[int, float]:
    """One token and its logprob under the distribution it was drawn from (greedy when temperature is 0)."""
    if temperature <= 0:
        logp = torch.log_softmax(logits, -1)
        token = int(torch.argmax(logp))
        return token, float(logp[token])
    logp = torch.log_softmax(logits / temperature, -1)
    if top_p < 1.0:
        sorted_logp, order = torch.sort(logp, descending=True)
        keep = torch.cumsum(sorted_logp.exp(), -1) - sorted_logp.exp() < top_p
        logp = torch.full_like(logp, float("-inf")).scatter(0, order[keep], sorted_logp[keep])
        logp = torch.log_softmax(logp, -1)
    token = int(torch.multinomial(logp.exp(), 1, generator=generator))
    return token, float(logp[token])
