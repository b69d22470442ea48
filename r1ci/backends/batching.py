"""Batching for in-process backends: concurrent `generate` calls become one batched forward loop.

Trajectories call `generate` from their own asyncio tasks; a batch runs in a worker thread, so the event
loop stays free to run other trajectories' code in the sandbox. A batch starts once every trajectory in
flight is waiting for the model (the rest are back from the sandbox within milliseconds), or once the
first request has waited `max_wait` seconds (a slow script does not hold up the others). Without this,
trajectories returning from code at slightly different times split into many small batches.
"""

import asyncio
import concurrent.futures
import contextlib
from dataclasses import dataclass

from r1ci.backends import Generation, Sampling
from r1ci.trajectory import prompt_ids, text_ids


@dataclass
class Request:
    context: list[int]
    max_tokens: int
    stop: tuple[str, ...]
    sampling: Sampling


class BatchedBackend:
    token_level = True

    def __init__(self, max_batch: int = 32, max_wait: float = 0.1):
        self.max_batch, self.max_wait = max_batch, max_wait
        self._pending: list[tuple[Request, asyncio.Future]] = []
        self._draining = False
        self._arrived: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.in_flight = 0  # trajectories that will ask for more (see `track`)
        # Every batch runs on this one thread: a new thread per batch (asyncio.to_thread's pool) made torch's
        # CPU kernels start a new OpenMP team each time, 15 % slower decoding (benchmarks/rollout.py --smollm2).
        self._model_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="r1ci-model")

    @contextlib.contextmanager
    def track(self):
        """Count one trajectory in flight for as long as it runs, so batches know whom to wait for."""
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            if self._arrived is not None:
                self._arrived.set()

    async def generate(self, context: list[int], max_tokens: int, stop: tuple[str, ...],
                       sampling: Sampling) -> Generation:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (GRPO runs one per step): its own event, nothing pending
            self._loop, self._arrived, self._pending, self._draining = loop, asyncio.Event(), [], False
        future = loop.create_future()
        self._pending.append((Request(list(context), max_tokens, tuple(stop), sampling), future))
        self._arrived.set()
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                await self._gather(loop)
                batch, self._pending = self._pending[:self.max_batch], self._pending[self.max_batch:]
                futures = [future for _, future in batch]

                def deliver(i: int, generation: Generation) -> None:
                    loop.call_soon_threadsafe(_resolve, futures[i], generation)

                try:
                    results = await loop.run_in_executor(self._model_thread, self.run_batch,
                                                         [request for request, _ in batch], deliver)
                except Exception as exc:  # noqa: BLE001 - handed to every caller of this batch
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for future, result in zip(futures, results):
                    _resolve(future, result)
        finally:
            self._draining = False

    async def _gather(self, loop) -> None:
        deadline = loop.time() + self.max_wait
        while len(self._pending) < min(max(self.in_flight, 1), self.max_batch) and loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
            except asyncio.TimeoutError:
                break

    def encode_prompt(self, messages: list[dict]) -> list[int]:
        return prompt_ids(self.tokenizer, messages)

    def encode_text(self, text: str) -> list[int]:
        return text_ids(self.tokenizer, text)

    def run_batch(self, requests: list[Request], deliver=None) -> list[Generation]:
        """Generate for every request; `deliver(i, generation)` as soon as row i is done, if the backend can,
        so that its code runs in the sandbox while the rest of the batch is still generating."""
        raise NotImplementedError


def _resolve(future: asyncio.Future, generation: Generation) -> None:
    if not future.done():
        future.set_result(generation)
