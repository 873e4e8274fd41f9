"""CPU-bound work over many items in forked processes: rendering fiches, taking their passages.

Fork, because the workers then start at once with the renderer or the analyser already imported;
only where fork exists, only for enough items to pay for the processes, and only in a process
that runs no other thread at that moment (the importers' commands)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

#: fewer items than this are done in this process (starting the pool costs ~0.1 s)
PARALLEL_FROM = 256


def fork_map(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int
) -> list[Result]:
    """`[function(i) for i in items]`, in `workers` forked processes when worth it; `function`
    must be a module-level function (the workers find it by name)."""
    if (
        workers > 1
        and len(items) >= PARALLEL_FROM
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(function, items, chunksize=16))
    return [function(item) for item in items]
