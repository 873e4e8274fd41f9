from __future__ import annotations

import os

import pytest

from allo import parallel


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_few_items_stay_in_this_process() -> None:
    out = parallel.fork_map(_square_and_pid, [1, 2, 3], workers=2)
    assert [v for v, _ in out] == [1, 4, 9]
    assert {pid for _, pid in out} == {os.getpid()}


def test_many_items_go_to_forked_workers_and_keep_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    items = list(range(40))
    out = parallel.fork_map(_square_and_pid, items, workers=2)
    assert [v for v, _ in out] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in out}
