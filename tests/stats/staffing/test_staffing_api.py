"""/api/staffing: roles, Origin check, the plan with its coverage, the forecast, roster import."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.contacts.service_helpers import login

ROSTER = "agent;count;queue;date;start;end;breaks\n;12;niveau1;2031-06-03;08:00;12:00;\n"


def test_staffing_needs_a_supervisor(client: Any, db: Session) -> None:
    assert client.get("/api/staffing/plan?date=2031-06-03").status_code == 401
    _advisor, advisor = login(db, "advisor")
    assert client.get("/api/staffing/plan?date=2031-06-03", headers=advisor).status_code == 403
    response = client.post("/api/staffing/roster", json={"csv": ROSTER}, headers=advisor)
    assert response.status_code == 403


def test_plan_forecast_and_roster_over_http(client: Any, db: Session) -> None:
    _sup, sup = login(db, "supervisor")
    imported = client.post(
        "/api/staffing/roster",
        json={"csv": ROSTER + "x;;accueil;2031-06-03;08:00;09:00;\n", "source": "juin.csv"},
        headers=sup,
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["shifts"] == 1
    assert "inconnue" in imported.json()["rejected"][0]["message"]

    response = client.get("/api/staffing/plan?date=2031-06-03", headers=sup)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "profil" and body["closed"] is None
    rows = {(r["queue"], r["start"][11:16]): r for r in body["rows"]}
    ten = rows[("niveau1", "10:00")]
    assert {"agents_required", "service_level", "asa_s", "abandonment", "occupancy"} <= set(ten)
    assert ten["agents_required"] > 12 and ten["service_level"] >= 0.8
    assert ten["rostered"] == 12 and rows[("niveau1", "13:00")]["rostered"] == 0
    assert ("niveau1", "07:30") not in rows and ("niveau1", "19:30") in rows

    closed = client.get("/api/staffing/plan?date=2031-12-25", headers=sup).json()
    assert closed["rows"] == [] and "férié" in closed["closed"]
    forecast = client.get("/api/staffing/forecast?from=2031-06-03&to=2031-06-09", headers=sup)
    assert forecast.status_code == 200
    assert [d["date"][-2:] for d in forecast.json()] == ["03", "04", "05", "06", "07", "08", "09"]
    monday = forecast.json()[0]
    assert monday["channel"] == "phone" and [w["channel"] for w in monday["written"]] == ["web"]
    assert monday["written"][0]["queues"]["niveau1"]["calls"] == pytest.approx(700, abs=1)
    deferred = body["deferred"]
    assert deferred and {d["channel"] for d in deferred} == {"web"}
    assert all(d["mode"] == "à traiter en différé" and d["workload_h"] > 0 for d in deferred)


def test_bad_input_is_a_french_422(client: Any, db: Session) -> None:
    _sup, sup = login(db, "supervisor")
    bad = client.get("/api/staffing/plan?date=lundi", headers=sup)
    assert bad.status_code == 422 and "AAAA-MM-JJ" in bad.json()["detail"]
    impossible = client.get(
        "/api/staffing/plan?date=2031-06-03&service_level=1&within=0", headers=sup
    )
    assert impossible.status_code == 422 and "100 %" in impossible.json()["detail"]
    reversed_ = client.get("/api/staffing/forecast?from=2031-06-09&to=2031-06-03", headers=sup)
    assert reversed_.status_code == 422
    nothing = client.post(
        "/api/staffing/roster",
        json={"csv": "agent;queue;date;start;end\nx;niveau1;2031-06-03;12:00;08:00\n"},
        headers=sup,
    )
    assert nothing.status_code == 422 and "inversé" in nothing.json()["detail"]


def test_cookie_posts_from_another_site_are_refused(client: Any, db: Session) -> None:
    _sup, sup = login(db, "supervisor")
    token = sup["Authorization"].split()[1]
    client.cookies.set("allo_session", token)
    response = client.post(
        "/api/staffing/roster", json={"csv": ROSTER}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
