"""`allo simulate day`: a realistic day driven through the real HTTP API, then checked.

1. Draw the day (allo.stats.dayplan) from the seed.
2. Without --url: create a scratch database (an SQLite file, or a database of its own on the
   PostgreSQL server given), migrate it, create the simulated team, and start the replay's
   server (allo.web.simserver, `--workers N` uvicorn processes) on a free loopback port with
   a fresh clock secret. With --url: the server must be an `allo simulate serve` sharing this
   process's ALLO_DATABASE_URL and ALLO_SIMULATION_KEY; the team is added to that database
   with a run-specific prefix.
3. Replay the day (allo.stats.replay), paced at `speed` × real time (an open load: requests
   come at the day's rhythm, sped up, so their latency is the server's) or flat out (speed 0:
   the maximum speed), then read the day's figures with GET /api/stats.
4. Check in the database that every contact the replay created exists exactly once, in the
   state the replay saw last (closed, abandoned, or waiting in exactly one queue), that none is
   left held by an agent, and that no contact of that day exists that the replay did not create.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts import calendar
from allo.contacts.models import LEVEL1_QUEUE, SECTORS, Contact
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.settings import RATE_LIMITS, Settings
from allo.stats import dayplan, replay
from allo.stats.replay_protocol import KEY_ENV


@dataclass(frozen=True)
class SimulationOptions:
    contacts: int = 8000
    seed: int = 1
    #: a running `allo simulate serve`; None starts one
    url: str | None = None
    #: scratch server: empty → SQLite file; a PostgreSQL URL → a scratch database on that server
    scratch_server: str = ""
    workers: int = 1
    day: date | None = None
    concurrency: int = 8
    keep: bool = False
    #: target pace, simulated seconds per wall second (60: ×60 real time); 0 = flat out
    speed: float = 0.0
    #: simulated seconds of one replay window; None: replay.PACED_WINDOW when paced, else
    #: replay.WINDOW (see allo.stats.replay)
    window: float | None = None
    #: GET /api/health requests timed after the replay, on the same server (the baseline)
    baseline_requests: int = 300


@dataclass
class SimulationReport:
    day: date
    options: SimulationOptions
    database: str
    result: replay.ReplayResult
    figures: dict[str, Any]
    check: dict[str, Any]
    setup_seconds: float
    team: dict[str, int] = field(default_factory=dict)
    #: GET /api/health latencies on the same server after the replay
    baseline_ms: list[float] = field(default_factory=list)

    @property
    def speedup(self) -> float:
        return self.result.simulated_seconds / max(self.result.wall_seconds, 1e-9)

    def latency(self, label: str | None = None, q: float = 0.99) -> float | None:
        return _quantile(
            [
                v
                for name, vs in self.result.latencies_ms.items()
                if label is None or name == label
                for v in vs
            ],
            q,
        )

    def baseline_p99(self) -> float | None:
        return _quantile(self.baseline_ms, 0.99)

    def operations(self) -> int:
        return sum(len(v) for v in self.result.latencies_ms.values())

    def ok(self) -> bool:
        return self.check["lost"] == 0 and self.check["duplicated"] == 0


def default_day(today: date, tz: ZoneInfo) -> date:
    """The last weekday before today that the default calendar opens (not a holiday)."""
    day = today - timedelta(days=1)
    while True:
        noon = datetime.combine(day, dtime(12), tzinfo=tz)
        if day.weekday() < 5 and calendar.is_open(calendar.DEFAULT_HOURS, noon, tz):
            return day
        day -= timedelta(days=1)


# --- scratch database and server ----------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(server_url: str, workdir: Path) -> Iterator[str]:
    if not server_url:
        yield f"sqlite:///{workdir / 'replay.db'}"
        return
    name = f"allo_replay_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: The rate-limit settings the scratch server turns off (docs/CONFIGURATION.md).
RATE_LIMIT_ENV = tuple("ALLO_" + name.upper() for name in RATE_LIMITS)


@contextlib.contextmanager
def simulation_server(database_url: str, home: Path, key: str, workers: int) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ALLO_HOME": str(home),
        "ALLO_DATABASE_URL": database_url,
        "ALLO_EMBEDDER": "none",
        "ALLO_LOG_LEVEL": "WARNING",
        # One loopback address plays thousands of citizens and agents: the per-address limits of
        # a real deployment would refuse the day after a few questions.
        **{name: "" for name in RATE_LIMIT_ENV},
        KEY_ENV: key,
    }
    command = [
        sys.executable, "-m", "uvicorn", "allo.web.simserver:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process, home / "server.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                "le serveur de simulation s'est arrêté : " + log.read_text(errors="replace")[-800:]
            )
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("le serveur de simulation ne répond pas après 300 s")


# --- the team ------------------------------------------------------------------------------------


def create_team(
    session: Session, plan: dayplan.DayPlan, prefix: str, password: str
) -> dict[str, list[replay.Account]]:
    """The simulated agents, sized on the plan's busiest hour for each queue."""
    team: dict[str, list[replay.Account]] = {}

    def add(
        username: str, role: str, queue: str | None, rank: int, sectors: tuple[str, ...] = ()
    ) -> replay.Account:
        agents_domain.create_agent(session, username, role, password, sectors=sectors)
        return replay.Account(username, password, role, queue, rank)

    for queue in (LEVEL1_QUEUE, *SECTORS):
        role = "advisor" if queue == LEVEL1_QUEUE else "specialist"
        sectors = () if queue == LEVEL1_QUEUE else (queue,)
        team[queue] = [
            add(f"{prefix}-{queue}-{i:03d}", role, queue, i, sectors)
            for i in range(plan.team_size(queue))
        ]
    team["platform"] = [add(f"{prefix}-telephonie", "administrator", None, 0)]
    team["supervisor"] = [add(f"{prefix}-superviseur", "supervisor", None, 0)]
    return team


# --- the end-of-day check --------------------------------------------------------------------------


def check_contacts(
    session: Session,
    result: replay.ReplayResult,
    start: datetime,
    end: datetime,
    *,
    scratch: bool,
) -> dict[str, Any]:
    """Lost: created but missing, held by nobody-knows, or not in the state the replay saw.
    Duplicated: an id given twice, or a contact of the day the replay never created."""
    ids = result.contact_ids
    found: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        for cid, state, queue in session.execute(
            select(Contact.id, Contact.state, Contact.queue).where(Contact.id.in_(chunk))
        ):
            found[cid] = (state, queue)
    missing = [cid for cid in ids if cid not in found]
    held = [cid for cid, (state, _q) in found.items() if state == "taken"]
    mismatched = [
        cid
        for cid, (state, _q) in found.items()
        if result.expected_states.get(cid) not in (state, None) and state != "taken"
    ]
    window = [Contact.created_at >= start, Contact.created_at < end]
    in_window = session.scalar(select(func.count()).select_from(Contact).where(*window)) or 0
    extra = max(0, in_window - len(found)) if scratch else 0
    by_place: dict[str, int] = {}
    for state, queue in found.values():
        key = f"{state}:{queue}" if state in ("waiting", "taken") else state
        by_place[key] = by_place.get(key, 0) + 1
    return {
        "created": len(ids),
        "distinct": len(set(ids)),
        "found": len(found),
        "missing": len(missing),
        "held_at_end": len(held),
        "state_mismatch": len(mismatched),
        "extra_in_database": extra,
        "lost": len(missing) + len(held) + len(mismatched),
        "duplicated": (len(ids) - len(set(ids))) + result.duplicate_ids + extra,
        "by_state": dict(sorted(by_place.items())),
    }


# --- the run -----------------------------------------------------------------------------------------


def run_day(
    options: SimulationOptions, progress: Callable[[str], None] = print
) -> SimulationReport:
    settings = Settings.from_env()
    tz = settings.zone
    day = options.day or default_day(datetime.now(tz).date(), tz)
    plan = dayplan.make_plan(options.contacts, options.seed)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="allo-replay-")))
        if options.url is None:
            database_url = stack.enter_context(scratch_database(options.scratch_server, workdir))
            key = secrets.token_urlsafe(32)
            prefix = "sim"
        else:
            database_url = settings.effective_database_url
            key = os.environ.get(KEY_ENV, "")
            if len(key) < 32:
                raise RuntimeError(f"--url demande la clé de simulation du serveur dans {KEY_ENV}.")
            prefix = f"sim{uuid.uuid4().hex[:6]}"
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        upgrade(engine)
        password = secrets.token_urlsafe(18)
        # Cheap hashes for a throw-away team: the replay measures the flow, not argon2.
        agents_domain.use_password_cost(time_cost=1, memory_cost=8192)
        with unit_of_work(make_session_factory(engine)) as session:
            team = create_team(session, plan, prefix, password)
        progress(
            f"Journée du {day:%d/%m/%Y} : {options.contacts} contacts, "
            f"{sum(len(v) for k, v in team.items() if k in (LEVEL1_QUEUE, *SECTORS))} agents."
        )
        url = options.url or stack.enter_context(
            simulation_server(database_url, workdir, key, options.workers)
        )
        api = replay.Api(url, key, connections=max(4, options.concurrency * 2))
        stack.callback(api.close)
        setup = time.perf_counter() - started
        engine_run = replay.DayReplay(
            api, plan, team, day=day, tz=tz, seed=options.seed,
            concurrency=options.concurrency, progress=progress, window=options.window,
            speed=options.speed,
        )  # fmt: skip
        try:
            result = engine_run.run()
            figures = engine_run.figures()
        except replay.ReplayError as exc:
            log = workdir / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise replay.ReplayError(f"{exc}\n--- journal du serveur ---\n{tail}") from None
        # The floor of one request, sent the way the replay sends its own: one at a time when
        # paced (each request leaves at its instant), in bursts of `concurrency` flat out.
        baseline_concurrency = 1 if options.speed > 0 else options.concurrency
        baseline = replay.health_baseline(api, options.baseline_requests, baseline_concurrency)
        start = datetime.combine(day, dtime(0), tzinfo=tz)
        with unit_of_work(make_session_factory(engine, readonly=True)) as session:
            check = check_contacts(
                session, result, start, start + timedelta(days=1), scratch=options.url is None
            )
        backend = engine.dialect.name
        if options.keep and options.url is None:
            progress(f"Base conservée : {database_url}")
    return SimulationReport(
        day=day,
        options=options,
        database=backend,
        result=result,
        figures=figures,
        check=check,
        setup_seconds=setup,
        team={k: len(v) for k, v in team.items()},
        baseline_ms=baseline,
    )


def summary(report: SimulationReport) -> dict[str, Any]:
    """The report as plain data (for --json, the benchmark and the tests)."""
    r = report.result
    return {
        "day": report.day.isoformat(),
        "database": report.database,
        "workers": report.options.workers,
        "contacts_planned": report.options.contacts,
        "created": r.created,
        "refused": r.refused,
        "final_states": r.final_states,
        "operations": report.operations(),
        "wall_seconds": round(r.wall_seconds, 2),
        "simulated_seconds": round(r.simulated_seconds, 1),
        "speedup": round(report.speedup, 1),
        "target_speed": r.target_speed,
        "window_seconds": report.options.window
        or (replay.PACED_WINDOW if r.target_speed > 0 else replay.WINDOW),
        "dispatch_lag_ms": {
            "p50": _round(_quantile(r.dispatch_lag_ms, 0.50)),
            "p99": _round(_quantile(r.dispatch_lag_ms, 0.99)),
            "max": _round(max(r.dispatch_lag_ms, default=None)),
        },
        "slept_seconds": round(r.slept_seconds, 1),
        "p50_ms": _round(report.latency(q=0.50)),
        "p99_ms": _round(report.latency(q=0.99)),
        "health_p99_ms": _round(report.baseline_p99()),
        "setup_seconds": round(report.setup_seconds, 1),
        "p99_by_operation_ms": {
            label: _round(report.latency(label, 0.99)) for label in sorted(r.latencies_ms)
        },
        "operations_by_kind": {k: len(v) for k, v in sorted(r.latencies_ms.items())},
        "surveys": r.surveys,
        "anomalies": r.anomalies[:20],
        "check": report.check,
        "figures": report.figures,
        "team": report.team,
    }


def _quantile(values: list[float], q: float) -> float | None:
    """The nearest-rank quantile (None without values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
