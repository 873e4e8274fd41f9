"""Schemathesis over the whole OpenAPI document: anonymous and each role, bounded examples.

0 server errors, every status code declared, every body matching its schema. Requests go
through the real app (middlewares included) inside the test's rolled-back transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from sqlalchemy.orm import Session

from allo.runtime import Runtime
from allo.web.app import create_app
from tests.contacts.service_helpers import login

ROLES = [None, "advisor", "specialist", "editor", "supervisor", "administrator"]
#: examples per operation (each sent as every role): bounds the run to about a minute
MAX_EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def role_headers(db: Session) -> dict[str, dict[str, str]]:
    """A bearer token per role (a specialist of one sector), and none for the anonymous caller."""
    out: dict[str, dict[str, str]] = {"anonyme": {}}
    for role in ROLES[1:]:
        assert role is not None
        _agent, out[role] = login(db, role, sectors=("travail",) if role == "specialist" else ())
    return out


def test_api_conforms_to_its_schema(
    runtime: Runtime, role_headers: dict[str, dict[str, str]]
) -> None:
    """Each generated request is sent once per role: the same data, every point of view.

    Driven through Hypothesis directly (schemathesis' pytest plugin does not load under
    pytest 9); the failures of every operation are gathered, then reported together."""
    app = create_app(runtime=runtime)
    with TestClient(app) as warm:  # the directory and the index load once, not in a timeout
        warm.get("/api/directory/types")
        warm.get("/api/search", params={"q": "passeport"})
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        run = _runner(operation, role_headers, failures)
        run()
    assert operations >= 25
    assert failures == [], "\n\n".join(sorted(set(failures)))


def _runner(operation: Any, role_headers: dict[str, dict[str, str]], failures: list[str]) -> Any:
    """The Hypothesis test of one operation; a failure is noted, not raised."""
    label = operation.label

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        for role, headers in role_headers.items():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except (Exception, FailureGroup) as exc:  # gathered, reported below
                failures.append(f"{label} [{role}]: {str(exc)[:300]}")
                return

    return run
