"""The replay engine's pacing: requests leave at their own scaled instants, not in bursts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from allo.stats import dayplan
from allo.stats.replay import Account, DayReplay


def _engine(speed: float) -> DayReplay:
    accounts = {
        "platform": [Account("plateforme", "x", "platform")],
        "supervisor": [Account("superviseur", "x", "supervisor")],
    }
    api: Any = None  # _parallel never touches the API: the jobs below are local
    return DayReplay(
        api,
        dayplan.make_plan(10, seed=1),
        accounts,
        day=date(2026, 3, 2),
        tz=ZoneInfo("Europe/Paris"),
        seed=1,
        speed=speed,
    )


def _recording_jobs(
    n: int, sent: dict[int, float], applied: list[int]
) -> list[Callable[[], Callable[[], None]]]:
    lock = threading.Lock()

    def make(i: int) -> Callable[[], Callable[[], None]]:
        def job() -> Callable[[], None]:
            with lock:
                sent[i] = time.perf_counter()
            return lambda: applied.append(i)

        return job

    return [make(i) for i in range(n)]


def test_paced_requests_leave_at_their_own_instants_and_apply_in_order() -> None:
    engine = _engine(speed=10.0)  # 1 simulated second = 100 ms of wall clock
    started = time.perf_counter()
    engine._clock = (started, 1000.0)
    sent: dict[int, float] = {}
    applied: list[int] = []
    # Out of time order on purpose (the engine lists "take next" after the other steps).
    at = [1002.0, 1000.0, 1001.0, 1000.5]
    try:
        engine._parallel(_recording_jobs(4, sent, applied), at)
    finally:
        engine.pool.shutdown(wait=True)
    for i, t in enumerate(at):
        assert sent[i] >= started + (t - 1000.0) / 10.0 - 0.001
    assert sent[1] < sent[3] < sent[2] < sent[0]  # in order of their instants
    assert applied == [0, 1, 2, 3]  # effects in the engine's order


def test_flat_out_requests_leave_at_once() -> None:
    engine = _engine(speed=0.0)
    engine._clock = (time.perf_counter(), 1000.0)
    sent: dict[int, float] = {}
    applied: list[int] = []
    started = time.perf_counter()
    try:
        engine._parallel(_recording_jobs(3, sent, applied), [1000.0, 1050.0, 1100.0])
    finally:
        engine.pool.shutdown(wait=True)
    assert max(sent.values()) - started < 1.0  # 100 simulated seconds apart, yet no waiting
    assert applied == [0, 1, 2]
