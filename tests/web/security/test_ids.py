"""Out-of-range ids are refused with a 422, never a 500 (finding 6): every route, by enumeration."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tests.contacts.service_helpers import login as api_login
from tests.web.security.routes import api_routes

HUGE = "99999999999999999999"


def test_audit_before_id_out_of_range(client: Any, db: Session) -> None:
    _admin, headers = api_login(db, "administrator")
    response = client.get(f"/api/audit?before_id={HUGE}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Données invalides")


def test_console_action_out_of_range(client: Any, login: Callable[[str], Any]) -> None:
    login("advisor")
    response = client.post(f"/console/contacts/{HUGE}/prise", headers={"Accept": "text/html"})
    assert response.status_code == 422


def test_no_route_answers_500_to_a_huge_integer(
    client: Any, login: Callable[[str], Any], runtime: Any
) -> None:
    """Every route with an integer path parameter, huge value, as a logged-in supervisor."""
    login("supervisor")
    checked = 0
    for full_path, route in api_routes(runtime):
        params = {p.name for p in route.dependant.path_params if p.field_info.annotation is int}
        if not params:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m, p=params: HUGE if m.group(1) in p else "x", full_path)
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(method, path, json={}, data=None)
            assert response.status_code < 500, (method, path, response.status_code)
            checked += 1
    assert checked >= 20
