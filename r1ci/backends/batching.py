"""Batching for in-process backends: concurrent `generate` calls become one batched forward loop.

Trajectories call `generate` from their own asyncio tasks; requests that arrive together are run as one
batch in a worker thread, so the event loop stays free to run other trajectories' code in the sandbox.
"""

import asyncio
from dataclasses import dataclass

from r1ci.backends import Generation, Sampling


@dataclass
class Request:
    context: list[int]
    max_tokens: int
    stop: tuple[str, ...]
    sampling: Sampling


class BatchedBackend:
    token_level = True

    def __init__(self, max_batch: int = 32, batch_wait: float = 0.002):
        self.max_batch, self.batch_wait = max_batch, batch_wait
        self._pending: list[tuple[Request, asyncio.Future]] = []
        self._draining = False

    async def generate(self, context: list[int], max_tokens: int, stop: tuple[str, ...],
                       sampling: Sampling) -> Generation:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((Request(list(context), max_tokens, tuple(stop), sampling), future))
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(self.batch_wait)  # let the requests of this moment gather
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                try:
                    results = await asyncio.to_thread(self.run_batch, [request for request, _ in batch])
                except Exception as exc:  # noqa: BLE001 - handed to every caller of this batch
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results):
                    future.set_result(result)
        finally:
            self._draining = False

    def run_batch(self, requests: list[Request]) -> list[Generation]:
        raise NotImplementedError
