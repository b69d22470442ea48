"""Model backends: one `generate` call continues a conversation by up to `max_tokens` tokens.

Token-level backends (`hf`, `vllm`) take and return token ids, so trajectories are token-in/token-out;
text-level backends (`openai`: any OpenAI-compatible chat server) take messages and return text.
"""

from dataclasses import dataclass


class BackendError(RuntimeError):
    """The model backend failed or cannot be reached; the message says which and how to fix it."""


@dataclass
class Generation:
    text: str
    finish: str                           # "stop" (a stop string), "eos" (end of turn) or "length"
    token_ids: list[int] | None = None    # exactly as sampled (token-level backends)
    logprobs: list[float] | None = None   # the sampling logprob of each token
    conditioned_on: list[int] | None = None  # the ids the model was given, for the token-in/token-out check
    n_tokens: int | None = None           # how many tokens the server says it generated (text-level backends)

    def __post_init__(self):
        if self.n_tokens is None and self.token_ids is not None:
            self.n_tokens = len(self.token_ids)


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.6
    top_p: float = 1.0
    seed: int = 0                          # per request; the engine derives it from the item and turn


@dataclass(frozen=True)
class ContextNeed:
    """What a run's trajectories can hold (`r1ci.rollout.context_need`): their prompts, as chat messages, and the
    most tokens a trajectory adds to its prompt. An engine that fixes its context window before it starts (vLLM)
    sizes it from this; the others grow as they go."""

    prompts: list[list[dict]]
    room: int


MODEL_SPECS = ("a local checkpoint folder (transformers), vllm:PATH (an engine r1ci starts), vllm-server:URL (a "
               "running vLLM server) or openai:URL:MODEL (any OpenAI-compatible chat server)")


def load_backend(spec: str, need: ContextNeed | None = None, **options):
    """`openai:URL:MODEL` (URL may contain ':'), `vllm:PATH`, `vllm-server:URL` (a running vLLM server, token ids in
    and out), or a local checkpoint PATH (transformers). `need` sizes vLLM's context window (only the engine r1ci
    starts itself takes it: a server's window is set where it starts)."""
    if spec.startswith("openai:"):
        url, _, model = spec[len("openai:"):].rpartition(":")
        if not url or not model:
            raise BackendError(f"an OpenAI-compatible model is openai:URL:MODEL, e.g. "
                               f"openai:http://localhost:8000/v1:Qwen2.5-7B-Instruct; got {spec!r}")
        from r1ci.backends.openai import OpenAIBackend
        return OpenAIBackend(url, model, **options)
    if spec.startswith("vllm-server:"):
        from r1ci.backends.vllm import VLLMServerBackend
        return VLLMServerBackend.connect(spec[len("vllm-server:"):], **options)
    if spec.startswith("vllm:"):
        from r1ci.backends.vllm import VLLMBackend
        return VLLMBackend(spec[len("vllm:"):], need=need, **options)
    from r1ci.backends.hf import HFBackend
    return HFBackend(spec, **options)
