"""What counting the portal's searches for the content-gap backlog costs.

    ALLO_BENCH_SEARCH_HOME=/tmp/allo-full-backlog .venv/bin/python -m bench.backlog_portal

The portal search is benchmarked at about a millisecond of CPU a query (lexical). The backlog adds
one call per search, `PortalQueryLog.searched()` (a dict update under a lock), and a background
flush every minute that redacts and normalises each distinct query and upserts the counts. Over
the full corpus and distinct citizen-like queries, in the same run: the lexical search as the
portal runs it (the baseline), the hook, and the flush per distinct query (in a transaction
rolled back, so the database is left as it was).
"""

from __future__ import annotations

import time

from allo.backlog.portal_log import PortalQueryLog
from allo.search.service import get_search_service
from bench.common import ROOT, machine_facts, percentile
from bench.common import write_section as write_common
from bench.search_common import dev_questions, distinct_queries, full_corpus_runtime

RESULTS = ROOT / "docs" / "benchmarks" / "backlog.md"
HEADER = "# Editorial backlog benchmarks\n\nWritten by `bench/backlog_portal.py`.\n"
QUERIES = 2000


def main() -> None:
    runtime = full_corpus_runtime("none")  # migrated to head, tables of the backlog included
    service = get_search_service(runtime)
    queries = distinct_queries(service.documents(), dev_questions(), QUERIES)
    service.search(queries[0], 11, None, semantic=False)  # warm-up

    search_cpu, found = [], []
    for q in queries:
        start = time.process_time()
        hits = service.search(q, 11, None, semantic=False)
        search_cpu.append((time.process_time() - start) * 1000)
        found.append(bool(hits))

    log = PortalQueryLog(today=runtime.settings.today)
    rounds = 20
    # CPU time, not wall time: the machine is shared, a descheduled call costs no work.
    start = time.process_time()
    for _ in range(rounds):
        for q, f in zip(queries, found, strict=True):
            log.searched(q, found=f)
    hook_us = (time.process_time() - start) / (rounds * len(queries)) * 1e6

    connection = runtime.engine.connect()
    transaction = connection.begin()
    from sqlalchemy.orm import Session

    session = Session(bind=connection)
    start, start_cpu = time.perf_counter(), time.process_time()
    rows = log.flush(session)
    flush_s = time.process_time() - start_cpu
    flush_wall = time.perf_counter() - start
    session.close()
    transaction.rollback()
    connection.close()

    search_p50, search_p99 = percentile(search_cpu, 0.5), percentile(search_cpu, 0.99)
    empty = found.count(False)
    body = f"""## Portal search counts (`bench/backlog_portal.py`)

{machine_facts()}

{len(queries)} distinct queries over the full corpus ({empty} found nothing).

| what | cost |
|---|---|
| baseline: lexical portal search, CPU p50 / p99 | {search_p50:.3f} / {search_p99:.3f} ms |
| hook `PortalQueryLog.searched()` per search, CPU (mean over {rounds * len(queries)} calls) | {hook_us:.2f} µs |
| hook / search p50 | {hook_us / 1000 / search_p50 * 100:.2f} % |
| background flush: redact + normalise + one upsert, {len(queries)} distinct queries → {rows} rows, CPU (wall) | {flush_s:.2f} s ({flush_wall:.2f} s): {flush_s / len(queries) * 1000:.2f} ms a distinct query, off the request path |
"""
    write_common(RESULTS, HEADER, "backlog-portal", body)
    print(body)


if __name__ == "__main__":
    main()
