"""Job runs are counted with their outcome (what the import and sync hooks use)."""

from __future__ import annotations

import pytest

from allo.ops.metrics import RUNS, skipped_run, track_run


def _count(job: str, outcome: str) -> float:
    return RUNS.labels(job, outcome)._value.get()


def test_runs_are_counted_by_outcome() -> None:
    ok, error, skipped = (_count("test_job", o) for o in ("ok", "error", "skipped"))
    with track_run("test_job"):
        pass
    with pytest.raises(RuntimeError), track_run("test_job"):
        raise RuntimeError("boom")
    skipped_run("test_job")
    assert _count("test_job", "ok") == ok + 1
    assert _count("test_job", "error") == error + 1
    assert _count("test_job", "skipped") == skipped + 1
