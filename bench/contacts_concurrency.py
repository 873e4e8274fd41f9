"""20 agents take contacts at once from one queue, through HTTP: 0 duplicates, 0 lost.

Runs `allo serve` as a real server against a scratch database, then:
1. creates the contacts through `POST /api/contacts` (20 clients at once);
2. 20 advisors loop `POST /api/queues/niveau1/next` + `POST /api/contacts/{id}/answer` until the
   queue is empty;
3. checks, from the responses AND from the database, that no contact was given twice and none
   was lost (every contact closed, exactly one "taken" step each).

Configurations: PostgreSQL with 4 app workers (the target), SQLite with 1 worker (comparison).

    .venv/bin/python -m bench.contacts_concurrency [--contacts 2000] [--agents 20] [--only pg|sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from allo.contacts import agents as agents_domain
from allo.contacts import services
from allo.contacts.models import Contact, ContactEvent
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from bench.contacts_common import machine_facts

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "docs" / "benchmarks" / "contacts.md"
PG_SERVER = os.environ.get("ALLO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"


@dataclass
class Result:
    name: str
    workers: int
    contacts: int
    agents: int
    create_seconds: float = 0.0
    take_seconds: float = 0.0
    take_latencies_ms: list[float] = field(default_factory=list)
    duplicates: int = 0
    lost: int = 0
    db_not_closed: int = 0
    db_taken_twice: int = 0
    per_agent: list[int] = field(default_factory=list)
    errors: Counter[int | str] = field(default_factory=Counter)

    def pct(self, q: float) -> float:
        data = sorted(self.take_latencies_ms)
        return data[min(len(data) - 1, int(q * len(data)))] if data else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def questions() -> list[str]:
    if QUESTIONS.exists():
        return [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line]
    return ["comment refaire une carte grise perdue"]


def prepare(url: str, n_agents: int) -> list[str]:
    """Migrate, create the advisors and log them in (tokens)."""
    engine = make_engine(url)
    upgrade(engine)
    agents_domain.use_password_cost(time_cost=1, memory_cost=8192)
    tokens = []
    with unit_of_work(make_session_factory(engine)) as s:
        for i in range(n_agents):
            agent = agents_domain.create_agent(s, f"conseil{i}", "advisor", "mot-de-passe-bench")
            tokens.append(agents_domain.issue_token(s, agent)[0])
    engine.dispose()
    return tokens


def create_contacts(url: str, n: int) -> list[int]:
    """The arrivals, through the domain service (redaction included), in one transaction."""
    qs = questions()
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as s:
        ids = [
            services.create_contact(s, channel="phone", question=qs[i % len(qs)]).id
            for i in range(n)
        ]
    engine.dispose()
    return ids


def start_server(url: str, home: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ALLO_DATABASE_URL": url,
        "ALLO_HOME": str(home),
        "ALLO_EMBEDDER": "none",
        "ALLO_LOG_LEVEL": "WARNING",
    }
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-c",
            "from allo.cli.main import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("server died: " + (home / "server.log").read_text()[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("server did not start")


def run_config(name: str, url: str, workers: int, n_contacts: int, n_agents: int) -> Result:
    result = Result(name, workers, n_contacts, n_agents)
    tokens = prepare(url, n_agents)
    start = time.perf_counter()
    created = create_contacts(url, n_contacts)
    result.create_seconds = time.perf_counter() - start
    home = Path(tempfile.mkdtemp(prefix="allo-bench-"))
    port = free_port()
    server = start_server(url, home, port, workers)
    base = f"http://127.0.0.1:{port}"
    try:
        lock = threading.Lock()
        # 2. 20 advisors take and answer at once, until the queue is empty.
        received: dict[int, list[int]] = {i: [] for i in range(n_agents)}
        barrier = threading.Barrier(n_agents)

        def agent_loop(i: int) -> None:
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            with httpx.Client(base_url=base, timeout=60) as http:
                barrier.wait()
                while True:
                    t0 = time.perf_counter()
                    try:
                        r = http.post("/api/queues/niveau1/next", headers=headers)
                    except httpx.TransportError:
                        # The take may or may not have happened: the database check will tell.
                        with lock:
                            result.errors["connection"] += 1
                        continue
                    elapsed = (time.perf_counter() - t0) * 1000
                    if r.status_code == 204:
                        return
                    if r.status_code != 200:
                        with lock:
                            result.errors[r.status_code] += 1
                        continue
                    cid = r.json()["id"]
                    with lock:
                        result.take_latencies_ms.append(elapsed)
                    received[i].append(cid)
                    for _attempt in range(3):
                        try:
                            a = http.post(
                                f"/api/contacts/{cid}/answer",
                                json={"fiche_ids": ["F1"]},
                                headers=headers,
                            )
                        except httpx.TransportError:
                            with lock:
                                result.errors["connection"] += 1
                            continue
                        if a.status_code == 200:
                            break
                        with lock:
                            result.errors[a.status_code] += 1
                        if a.status_code != 500:
                            break

        start = time.perf_counter()
        threads = [threading.Thread(target=agent_loop, args=(i,)) for i in range(n_agents)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.take_seconds = time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    # 3. Duplicates and losses, from the responses and from the database.
    all_taken = [c for ids in received.values() for c in ids]
    counts = Counter(all_taken)
    result.duplicates = sum(1 for n in counts.values() if n > 1)
    result.lost = len(set(created) - set(all_taken)) + (n_contacts - len(created))
    result.per_agent = sorted(len(v) for v in received.values())
    engine = make_engine(url)
    with engine.connect() as conn:
        result.db_not_closed = conn.scalar(
            select(func.count()).select_from(Contact).where(Contact.state != "closed")
        )
        taken_per_contact = conn.execute(
            select(ContactEvent.contact_id, func.count())
            .where(ContactEvent.kind == "taken")
            .group_by(ContactEvent.contact_id)
        ).all()
        result.db_taken_twice = sum(1 for _, n in taken_per_contact if n != 1)
        result.db_not_closed += n_contacts - len(taken_per_contact)
    engine.dispose()
    return result


def pg_scratch() -> tuple[str, callable]:  # type: ignore[valid-type]
    name = f"allo_bench_contacts_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), drop


def row(r: Result) -> str:
    rate = r.contacts / r.take_seconds if r.take_seconds else 0
    return (
        f"| {r.name} | {r.workers} | {r.agents} | {r.contacts} | {r.duplicates} | {r.lost} "
        f"| {r.db_not_closed} | {r.db_taken_twice} | {rate:.0f} | {r.pct(0.5):.1f} | {r.pct(0.95):.1f} "
        f"| {r.pct(0.99):.1f} | {sum(r.errors.values())} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--only", choices=("pg", "sqlite"))
    args = parser.parse_args()
    results = []
    if args.only in (None, "pg"):
        url, drop = pg_scratch()
        try:
            results.append(run_config("PostgreSQL", url, 4, args.contacts, args.agents))
        finally:
            drop()
    if args.only in (None, "sqlite"):
        path = Path(tempfile.mkdtemp(prefix="allo-bench-sqlite-")) / "allo.db"
        results.append(run_config("SQLite", f"sqlite:///{path}", 1, args.contacts, args.agents))
    header = (
        "| backend | app workers | agents | contacts | duplicates | lost | not closed (DB) "
        "| taken ≠ once (DB) | contacts/s (take + answer) | take p50 ms | p95 | p99 | HTTP errors |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    table = "\n".join([header, *(row(r) for r in results)])
    print(table)
    for r in results:
        print(
            r.name,
            "contacts per agent (min..max):",
            r.per_agent[0],
            "..",
            r.per_agent[-1],
            dict(r.errors),
        )
    ratio = ""
    if len(results) == 2 and results[1].take_seconds:
        pg, lite = results
        ratio = (
            f"\nPostgreSQL with {pg.workers} workers vs SQLite with {lite.workers}: "
            f"{(pg.contacts / pg.take_seconds) / (lite.contacts / lite.take_seconds):.2f}× the throughput "
            f"of take + answer.\n"
        )
    spread = "\n".join(
        f"- {r.name}: contacts per agent from {r.per_agent[0]} to {r.per_agent[-1]}"
        for r in results
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"""# Contacts: concurrent take-next

`.venv/bin/python -m bench.contacts_concurrency --contacts {args.contacts} --agents {args.agents}` — {machine_facts()}

A real `allo serve` against a scratch database. {args.contacts} contacts wait in the level-1
queue (created by the domain service, redaction included), then {args.agents} advisors loop at once over
`POST /api/queues/niveau1/next` and `POST /api/contacts/{{id}}/answer` until the queue is empty.
"duplicates" and "lost" come from the HTTP responses; "not closed" and "taken ≠ once" are checked
in the database afterwards (every contact must be closed with exactly one `taken` step).
The benchmark client (20 threads) runs on the same 2 cores as the server.

{table}
{ratio}
{spread}

How it holds: `repository.claim_next` takes the oldest waiting contact with
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (concurrent takers lock different rows and never
wait on each other), then `UPDATE … WHERE state = 'waiting'` re-checks it; on SQLite every write
transaction starts with `BEGIN IMMEDIATE`, so takers are serialised.

The other contacts figure, sector suggestion accuracy, is in [contacts-sector.md](contacts-sector.md)
(`bench/contacts_sector.py`).
"""
    )


if __name__ == "__main__":
    main()
