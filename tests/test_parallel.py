"""fork_map: the same results in the same order, in other processes only when worth it."""

from __future__ import annotations

import os

import pytest

from allo import parallel
from allo.parallel import fork_map


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_many_items_go_to_forked_workers_and_come_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    results = fork_map(_square_and_pid, list(range(40)), workers=2)
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert os.getpid() not in {pid for _, pid in results}


def test_few_items_or_one_worker_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    for items, workers in ((list(range(3)), 2), (list(range(40)), 1)):
        results = fork_map(_square_and_pid, items, workers)
        assert [square for square, _ in results] == [n * n for n in items]
        assert {pid for _, pid in results} == {os.getpid()}
