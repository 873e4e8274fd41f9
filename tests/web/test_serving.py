"""What `allo serve` gives its workers: each worker's share of the cores for its model."""

from __future__ import annotations

import os
from typing import Any

import pytest
from typer.testing import CliRunner

from allo.cli.main import app
from allo.web.serving import embed_threads_share


def test_each_worker_gets_its_share_of_the_cores() -> None:
    assert embed_threads_share(1, cores=2) == 2  # one worker: the model on both cores
    assert embed_threads_share(2, cores=2) == 1
    assert embed_threads_share(4, cores=2) == 1  # never none
    assert embed_threads_share(3, cores=16) == 5
    assert embed_threads_share(0, cores=0) == 1
    assert embed_threads_share(1, cores=256) == 64  # what ALLO_EMBED_THREADS accepts at most
    assert 1 <= embed_threads_share(1) <= (os.cpu_count() or 1)


@pytest.fixture
def served(cli_database: str, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What uvicorn would have been started with, and the model threads its workers inherit;
    nothing started, logging and metrics left as they are."""
    import uvicorn

    from allo.ops import logs, metrics

    started: list[dict[str, Any]] = []

    def run(target: str, **options: Any) -> None:
        started.append({**options, "threads": os.environ.get("ALLO_EMBED_THREADS")})

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setattr(logs, "configure", lambda *_a, **_k: None)
    monkeypatch.setattr(metrics, "enable_multiprocess", lambda *_a, **_k: None)
    return started


@pytest.mark.parametrize(
    ("workers", "environment", "threads"),
    [
        ("1", {}, str(embed_threads_share(1))),
        ("2", {}, str(embed_threads_share(2))),
        ("1", {"ALLO_EMBED_THREADS": "3"}, "3"),  # the operator's choice stands
        ("1", {"OMP_NUM_THREADS": "1"}, None),  # so does OpenMP's own setting
    ],
)
def test_serve_tells_its_workers_their_share(
    served: list[dict[str, Any]],
    workers: str,
    environment: dict[str, str],
    threads: str | None,
) -> None:
    env: dict[str, str | None] = {"ALLO_EMBED_THREADS": None, "OMP_NUM_THREADS": None}
    env.update(environment)
    result = CliRunner().invoke(app, ["serve", "--workers", workers], env=env)
    assert result.exit_code == 0, result.output
    (options,) = served
    assert options["workers"] == int(workers)
    assert options["threads"] == threads
