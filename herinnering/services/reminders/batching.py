"""Writes that arrive while one is in flight go together in the next: under load one round
trip and one commit serve many callers, and when quiet each goes at once (no timer, no wait).

Every caller gets its own answer only after the write that carried its item committed. Items
that share a key with one already in the batch (the same message twice) wait for the next
batch, so a batch never names a row twice. A batch that fails is written again item by item,
so one bad item fails alone and the others still get their answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]], *, max_batch: int = 500,
                 keys: Callable[[T], Iterable[Hashable]] = lambda item: ()) -> None:
        self.write = write
        self.max_batch = max_batch
        self.keys = keys
        self.pending: list[tuple[T, asyncio.Future[R]]] = []
        self.draining: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self.pending.append((item, future))
        if self.draining is None or self.draining.done():
            self.draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.pending:
            batch: list[tuple[T, asyncio.Future[R]]] = []
            later: list[tuple[T, asyncio.Future[R]]] = []
            taken: set[Hashable] = set()
            for entry in self.pending:
                keys = set(self.keys(entry[0]))
                if len(batch) < self.max_batch and not keys & taken:
                    batch.append(entry)
                    taken |= keys
                else:
                    later.append(entry)
            self.pending = later
            await self._write(batch)

    async def _write(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self.write([item for item, _ in batch])
        except Exception as exc:  # noqa: BLE001 - handed to the callers, or retried one by one
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
            for entry in batch:
                await self._write([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
