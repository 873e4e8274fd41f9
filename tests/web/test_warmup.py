"""The start-up warm-up builds what the first requests would otherwise wait for."""

from __future__ import annotations

import gc

from allo.runtime import Runtime
from allo.web.api.warmup import STEPS, start_up, warm_up


def test_warm_up_builds_the_per_process_services(runtime: Runtime) -> None:
    assert "search" not in runtime.services
    took = warm_up(runtime, STEPS)
    assert set(took) == {"search", "directory", "contacts"}
    assert {"search", "directory", "warmed_up"} <= set(runtime.services)


def test_a_served_worker_freezes_its_start_up_heap(runtime: Runtime) -> None:
    """Full collections stop walking what lives as long as the worker (the preview's p95)."""
    gc.unfreeze()
    try:
        start_up(runtime, freeze=False)  # tests: no warm-up, no freeze
        assert gc.get_freeze_count() == 0
        start_up(runtime, freeze=True)
        assert gc.get_freeze_count() > 10_000  # the modules and the app's objects
    finally:
        gc.unfreeze()


def test_only_the_served_factory_asks_for_the_freeze(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from allo.web import serving
    from allo.web.app import create_app

    monkeypatch.setenv("ALLO_HOME", str(tmp_path))
    monkeypatch.setenv("ALLO_EMBEDDER", "none")
    monkeypatch.setenv("ALLO_WARM_UP", "0")
    monkeypatch.delenv("ALLO_DATABASE_URL", raising=False)  # a scratch SQLite file in tmp_path
    monkeypatch.setattr(serving.logs, "configure", lambda *_a: None)  # leave the tests' logging
    assert serving.create_served_app().state.freeze_heap is True
    assert not getattr(create_app().state, "freeze_heap", False)
