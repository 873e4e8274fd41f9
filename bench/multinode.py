"""Two `allo serve` nodes behind HAProxy against one node, on one PostgreSQL base.

    .venv/bin/python -m bench.multinode

The full knowledge base is imported into a scratch PostgreSQL database (127.0.0.1:5432, dropped
at the end). Two nodes (`allo serve --workers 1` each, lexical portal search, no embedder) run on
loopback ports; HAProxy (Debian) balances them round-robin with the health check of
docs/DEPLOYMENT.md. wrk (1 thread, 4 connections, 15 s) requests
- `/recherche?q=…` with distinct citizen-like queries,
- `/fiches/{id}` cycling over every searchable fiche in random order,
first against one node directly (the baseline, same run), then through the balancer to the two
nodes. Both nodes share the machine's 2 cores: what this shows is that the balancer and a second
node cost nothing and lose nothing, not a doubling. Results: docs/benchmarks/ops.md.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench import pg_scratch, wrk_driver
from bench.common import CORPUS, ROOT, machine_facts, write_section
from bench.ops_backup import HEADER, RESULTS
from bench.search_common import dev_questions, distinct_queries

DATABASE = "allo_bench_multinode"
HAPROXY_CFG = (ROOT / "docs" / "deploy" / "haproxy.cfg").read_text()


def prepare() -> str:
    from allo.db.engine import make_engine
    from allo.db.migrate import upgrade
    from allo.db.session import make_session_factory, unit_of_work
    from allo.kb.importer import import_paths

    url = pg_scratch.create(DATABASE)
    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        import_paths(session, CORPUS)
    engine.dispose()
    return url


def node(url: str, home: Path, port: int) -> subprocess.Popen[bytes]:
    return pg_scratch.serve(url, home, port)


def wait_ready(base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{base} never became ready")


def paths(url: str) -> dict[str, list[str]]:
    from allo.db.engine import make_engine
    from allo.db.session import make_session_factory
    from allo.search.documents import build_documents
    from allo.search.repository import searchable_fiches

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        documents = build_documents(searchable_fiches(session))
    engine.dispose()
    queries = distinct_queries(documents, dev_questions(), 3000)
    fiches = [f"/fiches/{d.id}" for d in documents]
    random.Random(7).shuffle(fiches)
    return {
        "portal search": [f"/recherche?q={quote(q)}" for q in queries],
        "fiche pages": fiches,
    }


def main() -> None:
    if shutil.which("haproxy") is None or shutil.which("wrk") is None:
        raise SystemExit("haproxy et wrk sont nécessaires (make browser-deps).")
    work = Path(tempfile.mkdtemp(prefix="allo-bench-multinode-"))
    processes: list[subprocess.Popen[bytes]] = []
    url = prepare()
    targets = paths(url)
    try:
        ports = [wrk_driver.free_port(), wrk_driver.free_port()]
        front = wrk_driver.free_port()
        for i, port in enumerate(ports):
            processes.append(node(url, work / f"node{i}", port))
        cfg = work / "haproxy.cfg"
        cfg.write_text(
            HAPROXY_CFG.replace("127.0.0.1:8001", f"127.0.0.1:{ports[0]}")
            .replace("127.0.0.1:8002", f"127.0.0.1:{ports[1]}")
            .replace("*:80", f"127.0.0.1:{front}")
            .replace("log /dev/log local0", "")
        )
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
        processes.append(
            subprocess.Popen(  # noqa: S603
                ["haproxy", "-db", "-f", str(cfg)],  # noqa: S607
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        wait_ready(f"http://127.0.0.1:{front}", 30)
        rows = []
        for name, listing in targets.items():
            for p in listing[:50]:  # every process warms its caches
                for port in (*ports, front):
                    httpx.get(f"http://127.0.0.1:{port}{p}", timeout=60)
            one = wrk_driver.wrk(f"http://127.0.0.1:{ports[0]}", listing, work, connections=4)
            two = wrk_driver.wrk(f"http://127.0.0.1:{front}", listing, work, connections=4)
            rows.append((name, one, two))
    finally:
        pg_scratch.stop(processes)
        shutil.rmtree(work, ignore_errors=True)
        pg_scratch.drop(DATABASE)
    lines = [
        "| pages | one node: req/s | p99 | two nodes + HAProxy: req/s | p99 | ratio req/s | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, one, two in rows:
        lines.append(
            f"| {name} | {one['rps']:.0f} | {one['p99']:.1f} ms | {two['rps']:.0f} | "
            f"{two['p99']:.1f} ms | ×{two['rps'] / one['rps']:.2f} | "
            f"{int(one['errors'])} / {int(two['errors'])} |"
        )
    body = f"""## Two nodes behind HAProxy vs one node

Written by `bench/multinode.py` ({machine_facts()}).

PostgreSQL base with the full knowledge base; each node `allo serve --workers 1`, lexical
portal search; wrk 1 thread, 4 connections, 15 s per row, distinct queries and every fiche in
random order. The baseline (one node, direct) runs in the same run, just before.

{chr(10).join(lines)}

On 2 shared cores a second node has no core of its own, so the ratio says what the balancer
and a second process cost; it is the absence of errors, and the failover test
(`tests/ops/test_multinode.py`), that matter here.
"""
    write_section(RESULTS, HEADER, "multinode", body)
    print(body)


if __name__ == "__main__":
    main()
