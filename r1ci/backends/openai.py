"""Any OpenAI-compatible chat server: OpenAI, vLLM serve, SGLang, `transformers serve`, llama.cpp's server.

Text in, text out: such servers hide token ids, so these trajectories carry text only (fine for evaluation,
teachers and baselines; RL needs a token-level backend). The conversation goes as chat turns, with the
interpreter's output in a user turn. Requests run `concurrency` at a time and are retried with backoff.
"""

import asyncio
import os

from r1ci.backends import BackendError, Generation, Sampling


class OpenAIBackend:
    token_level = False

    def __init__(self, url: str, model: str, *, concurrency: int = 32, retries: int = 4, timeout: float = 600.0,
                 api_key: str | None = None):
        import openai

        self.url, self.model, self.name = url, model, f"openai:{url}:{model}"
        self.client = openai.AsyncOpenAI(base_url=url, api_key=api_key or os.environ.get("OPENAI_API_KEY") or "none",
                                         max_retries=retries, timeout=timeout)
        self.errors = openai
        self.gate = asyncio.Semaphore(concurrency)

    async def generate(self, messages: list[dict], max_tokens: int, stop: tuple[str, ...],
                       sampling: Sampling) -> Generation:
        """One assistant turn. Stop strings are not sent: servers drop them from the text and do not say which
        one matched, so a turn runs to its natural end (one script or the answer, as the prompt asks)."""
        async with self.gate:
            try:
                reply = await self.client.chat.completions.create(
                    model=self.model, messages=messages, max_tokens=max_tokens, temperature=sampling.temperature,
                    top_p=sampling.top_p, seed=sampling.seed % 2**31)
            except self.errors.APIConnectionError as exc:
                raise BackendError(f"cannot reach the OpenAI-compatible server at {self.url}: {exc}") from exc
            except self.errors.APIStatusError as exc:
                raise BackendError(f"the server at {self.url} refused the request (HTTP {exc.status_code}): "
                                   f"{exc.message}") from exc
        choice = reply.choices[0]
        text = choice.message.content or ""
        return Generation(text=text, finish="length" if choice.finish_reason == "length" else "eos",
                          n_tokens=getattr(reply.usage, "completion_tokens", None) or max(1, len(text) // 4))
