"""Job locks: one holder at a time across processes, freed when the holder ends or dies."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from allo.db.engine import make_engine
from allo.db.locks import job_lock, lock_key

HOLD = """
import sys, time
from allo.db.engine import make_engine
from allo.db.locks import job_lock
with job_lock(make_engine(sys.argv[1]), sys.argv[2]) as held:
    print("held" if held else "busy", flush=True)
    time.sleep(60)
"""


def test_keys_are_stable_and_distinct() -> None:
    assert lock_key("retention-purge") == lock_key("retention-purge")
    assert lock_key("retention-purge") != lock_key("data-sync")
    assert -(2**63) <= lock_key("x") < 2**63


def test_one_holder_at_a_time(make_database: Callable[[], str]) -> None:
    engine = make_engine(make_database())
    with (
        job_lock(engine, "purge-test") as first,
        job_lock(engine, "purge-test") as second,
        job_lock(engine, "other") as other,
    ):
        assert (first, second, other) == (True, False, True)
    with job_lock(engine, "purge-test") as again:
        assert again


def test_a_dead_holder_frees_the_lock(make_database: Callable[[], str]) -> None:
    url = make_database()
    engine = make_engine(url)
    holder = subprocess.Popen(  # noqa: S603 - our own code
        [sys.executable, "-c", HOLD, url, "sync-test"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with job_lock(engine, "sync-test") as held:
            assert not held
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 10
    while True:
        with job_lock(engine, "sync-test") as held:
            if held:
                break
        if time.monotonic() > deadline:
            pytest.fail("the lock outlived its holder")
        time.sleep(0.1)


def test_bad_names_are_refused(make_database: Callable[[], str]) -> None:
    with pytest.raises(ValueError), job_lock(make_engine(make_database()), "../etc"):
        pass
