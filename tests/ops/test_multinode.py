"""Two `allo serve` nodes behind HAProxy on one PostgreSQL base; one node is killed mid-run.

Loopback only, bounded (about 30 s). What must hold:
- a session opened on one node works on the other (sessions are database tokens);
- a fiche imported by another process is searchable on a node within seconds;
- calls offered through the balancer while a node is killed (SIGKILL) are all recorded, each
  once: the platform retries with the same call id, a replay is refused with 409;
- the advisor, logged in before the kill, takes and closes every contact on the surviving node.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from allo.contacts import agents
from allo.contacts.models import Contact
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.kb import services as kb
from tests.contacts.service_helpers import ALWAYS_OPEN, set_hours

pytestmark = [
    pytest.mark.multinode,
    pytest.mark.skipif(
        not os.environ.get("ALLO_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="several nodes share a PostgreSQL base",
    ),
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="Debian's haproxy is not installed"),
]

KB = Path(__file__).parents[1] / "kb" / "data"
CALLS = 40
THREADS = 4
SERVE = [sys.executable, "-c", "from allo.cli.main import main; main()", "serve"]

#: the balancer's configuration documented in docs/DEPLOYMENT.md, on loopback ports
HAPROXY_CFG = Path(__file__).parents[2] / "docs" / "deploy" / "haproxy.cfg"


def haproxy_config(a: int, b: int, front: int) -> str:
    return (
        HAPROXY_CFG.read_text()
        .replace("127.0.0.1:8001", f"127.0.0.1:{a}")
        .replace("127.0.0.1:8002", f"127.0.0.1:{b}")
        .replace("*:80", f"127.0.0.1:{front}")
        .replace("log /dev/log local0", "")
        .replace("inter 2s", "inter 500ms")
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    front: str
    nodes: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]]
    engine: Engine


def _wait_ready(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} never became ready")


@pytest.fixture(scope="module")
def cluster(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """One cluster for the module: the kill test runs last (tests run in file order)."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    url = make_database()
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        kb.import_paths(session, [KB / "particuliers"])
        agents.create_agent(
            session, "plateforme", "supervisor", "demo-plateforme", public_password=True
        )
        agents.create_agent(session, "conseil1", "advisor", "demo-conseil1", public_password=True)
    with make_session_factory(engine)() as session:
        set_hours(session, ALWAYS_OPEN)
    ports = {"a": free_port(), "b": free_port()}
    front = free_port()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, port in ports.items():
        env = {
            **os.environ,
            "ALLO_DATABASE_URL": url,
            "ALLO_HOME": str(tmp_path / name),
            "ALLO_EMBEDDER": "none",
            "ALLO_LOG_LEVEL": "WARNING",
            # per node (memory store): the balancer's forwarded address is what is counted
            "ALLO_RATE_LIMIT_SUGGESTIONS": "2/minute",
        }
        processes[name] = subprocess.Popen(  # noqa: S603 - our own command
            [*SERVE, "--port", str(port)], env=env, stderr=(tmp_path / f"{name}.log").open("wb")
        )
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config(ports["a"], ports["b"], front))
    nodes = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        for node in nodes.values():
            _wait_ready(node)
        processes["haproxy"] = subprocess.Popen(  # noqa: S603
            ["haproxy", "-db", "-f", str(cfg)],  # noqa: S607 - Debian's haproxy on PATH
            stderr=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        _wait_ready(f"http://127.0.0.1:{front}", timeout=20)
        yield Cluster(f"http://127.0.0.1:{front}", nodes, processes, engine)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()


def retrying(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """What a well-behaved client does: retry on connection errors and on the balancer's 5xx."""
    for _ in range(100):
        try:
            response = httpx.request(method, url, timeout=10, **kwargs)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if response.status_code in (502, 503, 504):
            time.sleep(0.1)
            continue
        return response
    raise AssertionError(f"{method} {url}: no answer after 100 tries")


def login(base: str, username: str) -> dict[str, str]:
    response = retrying(
        "POST",
        f"{base}/api/auth/login",
        json={"username": username, "password": f"demo-{username}"},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_two_nodes_share_sessions_and_search(cluster: Cluster) -> None:
    a, b = cluster.nodes["a"], cluster.nodes["b"]
    advisor = login(a, "conseil1")
    me = httpx.get(f"{b}/api/auth/me", headers=advisor, timeout=5)
    assert me.status_code == 200 and me.json()["username"] == "conseil1"

    query = {"q": "contrat à durée déterminée", "mode": "lexical"}
    before = httpx.get(f"{b}/api/search", params=query, timeout=5).json()
    assert "F22549" not in [hit["id"] for hit in _hits(before)]
    with unit_of_work(make_session_factory(cluster.engine)) as session:
        kb.import_paths(session, [KB / "professionnels"])  # another process: `allo kb import`
    started = time.monotonic()
    while time.monotonic() - started < 15:
        found = httpx.get(f"{b}/api/search", params=query, timeout=5).json()
        if "F22549" in [hit["id"] for hit in _hits(found)]:
            break
        time.sleep(0.5)
    else:
        pytest.fail("node b never saw the imported fiche")
    assert time.monotonic() - started < 10


def test_the_balancer_says_who_the_client_is(cluster: Cluster) -> None:
    """HAProxy drops the client's own X-Forwarded-For and appends the address it saw
    (`option forwardfor`); the nodes believe it from the balancer only. A client forging a new
    address on each request is still one client: 2 a minute per node, round robin on two."""
    assert "option forwardfor" in HAPROXY_CFG.read_text()
    statuses = [
        httpx.get(
            f"{cluster.front}/api/suggest",
            params={"q": "cont"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
            timeout=5,
        ).status_code
        for i in range(6)
    ]
    assert sorted(statuses) == [200, 200, 200, 200, 429, 429], statuses


def _hits(body: Any) -> list[dict[str, Any]]:
    return body["results"] if isinstance(body, dict) else body


def test_a_node_killed_mid_run_loses_nothing(cluster: Cluster) -> None:
    front = cluster.front
    platform = login(front, "plateforme")
    advisor = login(front, "conseil1")
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    third = threading.Event()

    def offer(ids: list[str]) -> None:
        for call_id in ids:
            response = retrying(
                "POST",
                f"{front}/api/calls",
                json={"kind": "offered", "call_id": call_id},
                headers=platform,
            )
            # 409 « déjà un contact »: a retry of a call whose first answer was lost
            assert response.status_code in (200, 409), response.text
            with lock:
                acknowledged[call_id] = response.status_code
                if len(acknowledged) >= CALLS // 3:
                    third.set()
            time.sleep(0.02)

    ids = [f"appel-{i:03d}" for i in range(CALLS)]
    threads = [threading.Thread(target=offer, args=(ids[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    assert third.wait(60)
    cluster.processes["a"].send_signal(signal.SIGKILL)
    for t in threads:
        t.join(120)
    assert sorted(acknowledged) == ids

    with make_session_factory(cluster.engine)() as session:
        recorded = session.scalars(select(Contact.call_id)).all()
    assert sorted(recorded) == ids  # none lost, none twice, nothing else

    handled = []
    fiche_id = "F1342"  # imported from tests/kb/data/particuliers
    while True:
        taken = retrying("POST", f"{front}/api/queues/niveau1/next", headers=advisor)
        if taken.status_code == 204:
            break
        assert taken.status_code == 200, taken.text
        contact_id = taken.json()["id"]
        done = retrying(
            "POST",
            f"{front}/api/contacts/{contact_id}/answer",
            json={"fiche_ids": [fiche_id]},
            headers=advisor,
        )
        assert done.status_code == 200, done.text
        handled.append(contact_id)
    assert len(handled) == len(set(handled)) == CALLS
    with make_session_factory(cluster.engine)() as session:
        states = session.execute(select(Contact.state, func.count()).group_by(Contact.state)).all()
    assert dict(states) == {"closed": CALLS}
    assert cluster.processes["a"].poll() is not None
    assert httpx.get(f"{cluster.nodes['b']}/api/ready", timeout=5).status_code == 200
