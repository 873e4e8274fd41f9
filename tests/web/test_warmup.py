"""The start-up warm-up builds what the first requests would otherwise wait for."""

from __future__ import annotations

from allo.runtime import Runtime
from allo.web.api.warmup import STEPS, warm_up


def test_warm_up_builds_the_per_process_services(runtime: Runtime) -> None:
    assert "search" not in runtime.services
    # the passage extraction (tens of seconds on the bundled base) comes last, off the test
    assert list(STEPS)[-1] == "passages"
    took = warm_up(runtime, {k: step for k, step in STEPS.items() if k != "passages"})
    assert set(took) == {"search", "directory", "contacts"}
    assert {"search", "directory", "warmed_up"} <= set(runtime.services)
