"""Prometheus metrics (the official `prometheus_client`), shared by every worker of a node.

What a process counts itself (request latency per route, search latency per mode, import and
job runs) goes through the metrics below. With `allo serve` these are in multi-process mode: each
worker writes to files in one directory (`PROMETHEUS_MULTIPROC_DIR`, by default
`$ALLO_HOME/metrics`) and a scrape adds them up, whichever worker answers it. What the database
knows (queue lengths and waits, agents by state) is read at scrape time by the collectors the
caller passes to `exposition` (`allo.contacts.metrics.QueueGauges`), so every node reports the
same truth without counting anything itself.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "allo_http_request_duration_seconds",
    "Durée des requêtes HTTP, par route (gabarit, pas le chemin réel), méthode et statut.",
    ["method", "route", "status"],
    buckets=_LATENCY_BUCKETS,
)
REQUEST_ERRORS = Counter(
    "allo_http_errors",
    "Réponses d'erreur : class 5xx (erreur du serveur) ou 4xx (requête refusée), par route.",
    ["method", "route", "kind"],
)
SEARCH_SECONDS = Histogram(
    "allo_search_duration_seconds",
    "Durée d'une recherche dans le processus, par mode (lexical, hybrid, suggest).",
    ["mode"],
    buckets=_LATENCY_BUCKETS,
)
RUNS = Counter(
    "allo_job_runs",
    "Imports, synchronisations et tâches de fond, par nature et par issue (ok, error, skipped).",
    ["job", "outcome"],
)
RUN_SECONDS = Histogram(
    "allo_job_duration_seconds",
    "Durée des imports, synchronisations et tâches de fond, par nature.",
    ["job"],
    buckets=(0.1, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
)


def enable_multiprocess(directory: Path) -> Path:
    """Make this process (and the workers it starts) write metrics to `directory`.

    Called by `allo serve` before any worker starts: the files of a previous run are removed
    (their counters belonged to dead processes). An operator's own PROMETHEUS_MULTIPROC_DIR wins.
    """
    chosen = Path(os.environ.get(MULTIPROC_ENV) or directory)
    if chosen.exists():
        shutil.rmtree(chosen)
    chosen.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(chosen)
    # prometheus_client picks its value store at import; the metrics above are labelled, so
    # their values are created on first use, from the class set here.
    values.ValueClass = values.get_value_class()
    return chosen


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


@contextmanager
def track_run(job: str) -> Iterator[None]:
    """Count one run of an import, sync or background job, and how it ended.

    Other domains wrap their runs with it (`with track_run("kb_import"): …`); an exception is
    counted as `error` and re-raised.
    """
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        RUNS.labels(job, "error").inc()
        raise
    finally:
        RUN_SECONDS.labels(job).observe(time.perf_counter() - start)
    RUNS.labels(job, "ok").inc()


def skipped_run(job: str) -> None:
    """A run another node is doing (its lock was taken): counted, so a scrape shows it."""
    RUNS.labels(job, "skipped").inc()


def exposition(gauges: Iterable[Collector] = ()) -> bytes:
    """The text a scraper reads: this node's process metrics plus `gauges`, read at scrape time
    (the caller brings them: ops knows no domain's tables)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess():
        MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_SECONDS, REQUEST_ERRORS, SEARCH_SECONDS, RUNS, RUN_SECONDS):
            registry.register(collector)
    for gauge in gauges:
        registry.register(gauge)
    return generate_latest(registry)


__all__ = [
    "CONTENT_TYPE",
    "REGISTRY",
    "REQUEST_ERRORS",
    "REQUEST_SECONDS",
    "RUNS",
    "SEARCH_SECONDS",
    "enable_multiprocess",
    "exposition",
    "skipped_run",
    "track_run",
]
