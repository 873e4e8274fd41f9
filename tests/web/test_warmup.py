"""The start-up warm-up builds what the first requests would otherwise wait for."""

from __future__ import annotations

from allo.runtime import Runtime
from allo.web.api.warmup import STEPS, warm_up


def test_warm_up_builds_the_per_process_services(runtime: Runtime) -> None:
    assert "search" not in runtime.services
    took = warm_up(runtime, STEPS)
    assert set(took) == {"search", "directory", "contacts"}
    assert {"search", "directory", "warmed_up"} <= set(runtime.services)
