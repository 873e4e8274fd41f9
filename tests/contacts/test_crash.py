"""A server process killed in the middle of escalations leaves every contact in exactly one queue.

A real `uvicorn` process serves the app against a real committed database; threads send
escalations over HTTP; the process is SIGKILLed while requests are in flight. Then every
contact must be either still at level 1 with its advisor, or in its sector's queue with the
whole escalation (event, note, qualification) — never half of it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from allo.contacts import agents, repository, services
from allo.contacts.models import SECTORS
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work

CONTACTS = 300
ADVISORS = 6
KILL_AFTER_SUCCESSES = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ALLO_DATABASE_URL": url,
        "ALLO_HOME": str(home),
        "ALLO_EMBEDDER": "none",
        "ALLO_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 - uvicorn with fixed arguments
        [
            sys.executable,
            "-m",
            "uvicorn",
            "allo.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(home / "server.log").open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                "le serveur s'est arrêté au démarrage : "
                + (home / "server.log").read_text()[-3000:]
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("le serveur n'a pas démarré")


def test_sigkill_during_escalations(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    tokens: dict[int, str] = {}
    contact_ids: list[tuple[int, int]] = []  # (contact, advisor)
    with unit_of_work(sessions) as s:
        advisors = [
            agents.create_agent(s, f"c{i}", "advisor", "mot-de-passe-de-test")
            for i in range(ADVISORS)
        ]
        for advisor in advisors:
            tokens[advisor.id], _ = agents.issue_token(s, advisor)
        for i in range(CONTACTS):
            contact = services.create_contact(s, channel="phone", question=f"question numéro {i}")
            advisor = advisors[i % ADVISORS]
            services.take(s, advisor, contact.id)
            contact_ids.append((contact.id, advisor.id))

    port = free_port()
    server = start_server(url, tmp_path, port)
    successes = 0
    lock = threading.Lock()
    stop = threading.Event()

    def escalate(batch: list[tuple[int, int]]) -> None:
        nonlocal successes
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for n, (cid, advisor_id) in enumerate(batch):
                if stop.is_set():
                    return
                try:
                    r = http.post(
                        f"/api/contacts/{cid}/escalate",
                        json={
                            "sector": SECTORS[n % len(SECTORS)],
                            "note": f"note d'escalade {cid}",
                        },
                        headers={"Authorization": f"Bearer {tokens[advisor_id]}"},
                    )
                except httpx.HTTPError:
                    return  # the server died under us: expected
                if r.status_code == 200:
                    with lock:
                        successes += 1

    batches = [contact_ids[i::8] for i in range(8)]
    threads = [threading.Thread(target=escalate, args=(b,)) for b in batches]
    try:
        for t in threads:
            t.start()
        while successes < KILL_AFTER_SUCCESSES and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        os.killpg(server.pid, signal.SIGKILL)  # mid-flight: other requests are in progress
        server.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)

    engine.dispose()
    check = make_engine(url)
    escalated = 0
    with unit_of_work(make_session_factory(check)) as s:
        for cid, advisor_id in contact_ids:
            contact = repository.contact(s, cid)
            assert contact is not None
            kinds = [e.kind for e in repository.events(s, cid)]
            notes = [n.kind for n in repository.notes(s, cid)]
            if "escalated" in kinds:
                escalated += 1
                assert contact.queue in SECTORS and contact.queue == contact.sector
                assert (contact.state, contact.level, contact.agent_id) == ("waiting", 2, None)
                assert notes == ["escalation"] and contact.qualification["sheet"] == contact.queue
                assert kinds.count("escalated") == 1 and kinds[-1] == "queued"
            else:
                assert contact.queue == "niveau1"
                assert (contact.state, contact.level, contact.agent_id) == ("taken", 1, advisor_id)
                assert notes == [] and contact.qualification == {} and contact.sector is None
        counts = repository.queue_counts(s)
    check.dispose()
    assert sum(counts.values()) == CONTACTS
    # Every acknowledged escalation survived the crash; the kill came before the end.
    assert escalated >= successes >= KILL_AFTER_SUCCESSES
    assert escalated < CONTACTS
