"""CPU-bound batch work (rendering bodies, extracting passages) on several cores when it pays."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: below this many items, starting worker processes costs more than it saves
PARALLEL_FROM = 256


def fork_map(job: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """`job` over `items` in order, in `workers` forked processes when there are many (forked:
    the children inherit what the parent loaded — analysers, models — instead of reloading it)."""
    if (
        workers > 1
        and len(items) >= PARALLEL_FROM
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(job, items, chunksize=16))
    return [job(item) for item in items]
