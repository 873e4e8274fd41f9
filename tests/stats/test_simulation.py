"""The day replay: the plan's shape, the simulated clock's guard, and a small day end to end."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import JSONResponse

from allo.db.base import utcnow
from allo.stats import dayplan
from allo.stats.replay_protocol import KEY_HEADER, TIME_HEADER
from allo.stats.simulation import SimulationOptions, run_day
from allo.web.simserver import SimulatedClock


def test_plan_follows_the_seed_figures() -> None:
    plan = dayplan.make_plan(8000, seed=5)
    assert len(plan.contacts) == 8000
    plans = Counter(c.plan for c in plan.contacts)
    assert plans["escalate"] == 3520  # 44 %
    sectors = Counter(c.sector for c in plan.contacts if c.sector)
    assert sum(sectors.values()) == 3520
    # fiscalité is the remainder of the year's calls: 334,000 / 1,516,000
    assert dayplan.SEED_SECTOR_CALLS["fiscalite"] == 334_000
    for sector, calls in dayplan.SEED_SECTOR_CALLS.items():
        assert abs(sectors[sector] - 3520 * calls / 1_516_000) < 1  # largest remainders
    phone_hours = Counter(int(c.arrival // 3600) for c in plan.contacts if c.channel == "phone")
    assert min(phone_hours) == 8 and max(phone_hours) == 19
    assert phone_hours[10] > phone_hours[12] < phone_hours[14]  # two peaks
    assert dayplan.make_plan(8000, seed=5) == plan  # reproducible


def _clock_app() -> FastAPI:
    app = FastAPI()

    @app.get("/now")
    def now() -> JSONResponse:
        return JSONResponse({"now": utcnow().isoformat()})

    app.add_middleware(SimulatedClock, key="k" * 32)
    return app


def test_simulated_clock_needs_the_key() -> None:
    client = TestClient(_clock_app())
    moment = datetime(2030, 1, 2, 9, 30, tzinfo=UTC)
    stamped = {TIME_HEADER.decode(): moment.isoformat(), KEY_HEADER.decode(): "k" * 32}
    assert client.get("/now", headers=stamped).json()["now"] == moment.isoformat()
    forged = {TIME_HEADER.decode(): moment.isoformat(), KEY_HEADER.decode(): "x" * 32}
    assert client.get("/now", headers=forged).status_code == 403
    naive = {TIME_HEADER.decode(): "2030-01-02T09:30:00", KEY_HEADER.decode(): "k" * 32}
    assert client.get("/now", headers=naive).status_code == 403
    real = client.get("/now").json()["now"]
    assert real.startswith(str(datetime.now(UTC).year))


def test_the_ordinary_server_ignores_the_clock_headers(client: Any) -> None:
    headers = {TIME_HEADER.decode(): "2030-01-02T09:30:00+00:00", KEY_HEADER.decode(): "k" * 32}
    sent = client.post("/api/messages", json={"question": "Bonjour"}, headers=headers)
    assert sent.status_code == 201
    assert not sent.json()["expires_at"].startswith("2030")


def test_a_small_day_end_to_end(backend: str, tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("ALLO_HOME", str(tmp_path))
    monkeypatch.setenv("ALLO_EMBEDDER", "none")
    server = os.environ.get("ALLO_TEST_DATABASE_URL", "") if backend == "postgresql" else ""
    report = run_day(
        SimulationOptions(
            contacts=200, seed=11, scratch_server=server, workers=1, window=120.0,
            baseline_requests=20,
        ),
        progress=lambda _m: None,
    )  # fmt: skip
    check = report.check
    assert check["lost"] == 0 and check["duplicated"] == 0
    assert check["found"] == report.result.created == 200 - report.result.refused
    assert check["held_at_end"] == 0
    figures = report.figures
    assert figures["contacts"] == report.result.created
    assert sum(figures["by_outcome"].values()) == figures["contacts"]
    assert figures["by_outcome"]["abandoned"] == report.result.final_states.get("abandoned", 0)
    # 44 % of the plan escalates; a contact that hangs up before its outcome leaves the split, so
    # with `gone` such contacts the rate lies between these bounds, whoever they were.
    planned = Counter(c.plan for c in dayplan.make_plan(200, seed=11).contacts)["escalate"]
    assert planned == 88
    gone = report.result.refused + figures["by_outcome"]["abandoned"]
    split = figures["level1"]["escalation_rate"]
    assert (planned - gone) / (200 - gone) - 1e-4 <= split <= planned / (200 - gone) + 1e-4
    assert report.operations() > 600
    assert report.result.simulated_seconds > 10 * 3600


def test_a_paced_day_never_runs_ahead_of_its_clock(tmp_path: Any, monkeypatch: Any) -> None:
    """Paced, each window waits for its scaled wall-clock instant: the replay cannot take less
    wall time than simulated time / speed, and its short windows still lose nothing."""
    monkeypatch.setenv("ALLO_HOME", str(tmp_path))
    monkeypatch.setenv("ALLO_EMBEDDER", "none")
    speed = 5000.0
    report = run_day(
        SimulationOptions(contacts=120, seed=3, workers=1, speed=speed, baseline_requests=0),
        progress=lambda _m: None,
    )
    result = report.result
    assert result.target_speed == speed
    assert result.wall_seconds >= result.simulated_seconds / speed - 0.05
    assert report.speedup <= speed * 1.01
    assert result.slept_seconds > 0
    assert report.check["lost"] == 0 and report.check["duplicated"] == 0
    assert report.check["held_at_end"] == 0
