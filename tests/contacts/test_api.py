"""The JSON API: authentication, roles, status codes, French messages, the whole flow over HTTP."""

from __future__ import annotations

from typing import Any

from tests.contacts.flow_helpers import PASSWORD, Api


def test_login_sets_a_token_and_an_httponly_cookie(api: Api, client: Any) -> None:
    api.login("advisor")  # creates an agent; log in again by hand to read the raw response
    from allo.contacts import agents

    agents.create_agent(api.db, "cookie-test", "advisor", PASSWORD)
    response = client.post(
        "/api/auth/login", json={"username": "cookie-test", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["agent"]["state"] == "available"
    cookie = response.headers["set-cookie"]
    assert "allo_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    # The cookie alone authenticates (the consoles), the bearer token too (the API).
    assert client.get("/api/auth/me").json()["username"] == "cookie-test"
    client.cookies.clear()
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["role"] == "advisor"
    # Logout revokes the token everywhere.
    assert (
        client.post(
            "/api/auth/logout", headers={"Authorization": f"Bearer {body['token']}"}
        ).status_code
        == 204
    )
    assert (
        client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"}).status_code
        == 401
    )


def test_wrong_credentials_and_missing_token(client: Any, api: Api) -> None:
    api.login("advisor")
    bad = client.post("/api/auth/login", json={"username": "personne", "password": "x"})
    assert (
        bad.status_code == 401 and bad.json()["detail"] == "Identifiant ou mot de passe incorrect."
    )
    assert client.post("/api/contacts", json={"channel": "phone"}).status_code == 401
    forged = client.get("/api/auth/me", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401 and "reconnecter" in forged.json()["detail"]


def test_every_contact_route_requires_login(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        if not (
            path.startswith("/api/contacts")
            or path.startswith("/api/queues")
            or path.startswith("/api/escalation")
        ):
            continue
        for method in methods:
            url = path.replace("{contact_id}", "1").replace("{queue}", "niveau1")
            response = client.request(method.upper(), url, json={})
            assert response.status_code == 401, (method, path, response.status_code)


def test_roles_are_enforced(client: Any, api: Api) -> None:
    editor = api.login("editor")
    supervisor = api.login("supervisor")
    advisor = api.login("advisor")
    specialist = api.login("specialist", "logement")
    assert client.post("/api/queues/niveau1/next", headers=editor).status_code == 403
    assert client.post("/api/queues/niveau1/next", headers=supervisor).status_code == 403
    assert client.post("/api/queues/niveau1/next", headers=specialist).status_code == 403
    assert client.get("/api/agents", headers=advisor).status_code == 403
    assert client.get("/api/agents", headers=supervisor).status_code == 200
    assert (
        client.post(
            "/api/agents", json={"username": "x1", "role": "advisor"}, headers=supervisor
        ).status_code
        == 403
    )
    denied = client.post("/api/queues/travail/next", headers=specialist)
    assert denied.status_code == 409 and "pas le vôtre" in denied.json()["detail"]
    # Agents see only their own queues; supervisors see all.
    assert [q["queue"] for q in client.get("/api/queues", headers=advisor).json()] == ["niveau1"]
    assert [q["queue"] for q in client.get("/api/queues", headers=specialist).json()] == [
        "logement"
    ]
    assert len(client.get("/api/queues", headers=supervisor).json()) == 7


def test_full_flow_over_http(client: Any, api: Api) -> None:
    advisor = api.login("advisor")
    specialist = api.login("specialist", "travail")
    supervisor = api.login("supervisor")
    created = client.post(
        "/api/contacts",
        json={
            "channel": "phone",
            "question": "Je suis Paul Martin, mon patron refuse de payer mes heures supplémentaires",
            "commune": "75056",
        },
        headers=advisor,
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    assert created.json()["question_redactions"][0]["placeholder"] == "[nom]"

    # Take until we get ours (the run's database may hold other waiting contacts).
    while True:
        taken = client.post("/api/queues/niveau1/next", headers=advisor)
        assert taken.status_code == 200
        if taken.json()["id"] == cid:
            break
    assert (
        client.post(
            f"/api/contacts/{cid}/consult", json={"fiche_id": "F2405"}, headers=advisor
        ).status_code
        == 200
    )
    note = client.post(
        f"/api/contacts/{cid}/notes", json={"text": "rappeler au 06 12 34 56 78"}, headers=advisor
    )
    assert note.status_code == 201 and note.json()["text"] == "rappeler au [téléphone]"
    assert note.json()["redactions"][0]["label"] == "numéro de téléphone"
    suggestion = client.post(f"/api/contacts/{cid}/suggest-sector", headers=advisor)
    assert suggestion.status_code == 200 and suggestion.json()["sector"] == "travail"
    escalated = client.post(
        f"/api/contacts/{cid}/escalate",
        json={
            "sector": "travail",
            "answers": {"statut": "salarie_prive"},
            "note": "heures sup impayées",
            "suggested_sector": "travail",
        },
        headers=advisor,
    )
    assert escalated.status_code == 200
    assert (escalated.json()["queue"], escalated.json()["level"], escalated.json()["state"]) == (
        "travail",
        2,
        "waiting",
    )
    again = client.post(
        f"/api/contacts/{cid}/escalate", json={"sector": "travail", "note": "x"}, headers=advisor
    )
    assert again.status_code == 409 and again.json()["detail"].startswith("Le contact n° ")

    detail = client.post(f"/api/contacts/{cid}/take", headers=specialist)
    assert detail.status_code == 200
    body = detail.json()
    assert body["fiches_consulted"] == ["F2405"]
    assert body["qualification"]["answers"] == {"statut": "salarie_prive"}
    assert [n["kind"] for n in body["notes"]] == ["note", "escalation"]
    assert all(n["level"] == 1 for n in body["notes"])
    closed = client.post(
        f"/api/contacts/{cid}/close",
        json={"outcome": "answered", "note": "réponse donnée"},
        headers=specialist,
    )
    assert closed.status_code == 200 and closed.json()["outcome"] == "answered"
    twice = client.post(
        f"/api/contacts/{cid}/close", json={"outcome": "answered"}, headers=specialist
    )
    assert (
        twice.status_code == 409
        and twice.json()["detail"] == f"Le contact n° {cid} est déjà clôturé."
    )
    seen = client.get(f"/api/contacts/{cid}", headers=supervisor).json()
    assert [e["kind"] for e in seen["events"]][-2:] == ["answered", "closed"]


def test_unknown_and_malformed(client: Any, api: Api) -> None:
    advisor = api.login("advisor")
    supervisor = api.login("supervisor")
    assert client.get("/api/contacts/999999999", headers=supervisor).status_code == 404
    # beyond the id column's range: a validation error on both backends, never a 500
    assert client.get(f"/api/contacts/{2**40}", headers=supervisor).status_code == 422
    assert (
        client.post(
            "/api/contacts/999999999/answer", json={"fiche_ids": ["F1"]}, headers=advisor
        ).status_code
        == 404
    )
    assert client.post("/api/queues/nulle-part/next", headers=advisor).status_code == 404
    bad = client.post("/api/contacts", json={"channel": "fax"}, headers=advisor)
    assert bad.status_code == 422 and bad.json()["detail"].startswith("Données invalides")
    assert (
        client.post(
            "/api/contacts", json={"channel": "phone", "extra": 1}, headers=advisor
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/contacts",
            content=b"{not json",
            headers={**advisor, "content-type": "application/json"},
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/contacts", json={"channel": "phone", "question": "x" * 5001}, headers=advisor
        ).status_code
        == 422
    )
    assert client.get("/api/contacts/abc", headers=supervisor).status_code == 422
    cid = client.post(
        "/api/contacts", json={"channel": "email", "question": "q"}, headers=advisor
    ).json()["id"]
    assert (
        client.post(
            f"/api/contacts/{cid}/escalate", json={"sector": "sport", "note": "x"}, headers=advisor
        ).status_code
        == 422
    )


def test_escalation_carries_the_caller_s_collective_agreement(client: Any, api: Api) -> None:
    advisor = api.login("advisor")
    specialist = api.login("specialist", "travail")
    cid = client.post(
        "/api/contacts",
        json={"channel": "phone", "question": "prime de fin d'année"},
        headers=advisor,
    ).json()["id"]
    assert client.post(f"/api/contacts/{cid}/take", headers=advisor).status_code == 200
    body = {"sector": "travail", "note": "prime conventionnelle ?"}
    for wrong in ("9999", "abc", "<b>", "123456"):
        refused = client.post(
            f"/api/contacts/{cid}/escalate", json=body | {"idcc": wrong}, headers=advisor
        )
        assert refused.status_code == 422, wrong
    unknown = client.post(
        f"/api/contacts/{cid}/escalate", json=body | {"idcc": "9999"}, headers=advisor
    )
    assert "Convention collective inconnue" in unknown.json()["detail"]
    # told during the contact, then corrected by the escalation's own choice
    told = client.put(f"/api/contacts/{cid}/agreement", json={"idcc": "1486"}, headers=advisor)
    assert told.status_code == 200, told.text
    assert told.json()["qualification"]["agreement"]["idcc"] == "1486"
    for wrong in ("9999", "abc"):
        refused = client.put(
            f"/api/contacts/{cid}/agreement", json={"idcc": wrong}, headers=advisor
        )
        assert refused.status_code == 422
    other = client.put(f"/api/contacts/{cid}/agreement", json={"idcc": "2120"}, headers=specialist)
    assert other.status_code == 409 and "un autre agent" in other.json()["detail"]
    cleared = client.put(f"/api/contacts/{cid}/agreement", json={"idcc": None}, headers=advisor)
    assert "agreement" not in cleared.json()["qualification"]
    escalated = client.post(
        f"/api/contacts/{cid}/escalate", json=body | {"idcc": "2120"}, headers=advisor
    )
    assert escalated.status_code == 200, escalated.text
    taken = client.post(f"/api/contacts/{cid}/take", headers=specialist).json()
    agreement = taken["qualification"]["agreement"]
    assert agreement["idcc"] == "2120"
    assert agreement["title"] == "Convention collective nationale de la banque"
    assert agreement["url"].startswith("https://www.legifrance.gouv.fr/")
    # each change is a step of the contact's timeline, the refused ones none
    events = client.get(f"/api/contacts/{cid}", headers=specialist).json()["events"]
    steps = [
        (e["data"]["idcc"], e["agent"] is not None) for e in events if e["kind"] == "agreement"
    ]
    assert steps == [("1486", True), (None, True), ("2120", True)]


def test_escalation_sheets_endpoint(client: Any, api: Api) -> None:
    editor = api.login("editor")
    sheets = client.get("/api/escalation-sheets", headers=editor).json()
    assert [s["sector"] for s in sheets["sheets"]] == [
        "interieur",
        "travail",
        "consommation",
        "justice",
        "fiscalite",
        "logement",
    ]
    assert sheets["level1"]["sector"] == "aucun"
    assert all(s["questions"] and s["definition"] for s in sheets["sheets"])


def test_admin_creates_agents_and_supervisor_sees_states(client: Any, api: Api) -> None:
    admin = api.login("administrator")
    created = client.post(
        "/api/agents", json={"username": "nouveau.conseil", "role": "advisor"}, headers=admin
    )
    assert created.status_code == 201 and len(created.json()["generated_password"]) >= 10
    duplicate = client.post(
        "/api/agents", json={"username": "nouveau.conseil", "role": "advisor"}, headers=admin
    )
    assert duplicate.status_code == 409
    no_sector = client.post(
        "/api/agents", json={"username": "spe", "role": "specialist"}, headers=admin
    )
    assert no_sector.status_code == 422 and "secteur" in no_sector.json()["detail"]
    paused = client.put("/api/agents/me/state", json={"state": "paused"}, headers=admin)
    assert paused.json()["state_label"] == "en pause"
    assert (
        client.put("/api/agents/me/state", json={"state": "busy"}, headers=admin).status_code == 422
    )


def test_openapi_documents_every_field(client: Any) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    ours = [
        "LoginIn",
        "LoginOut",
        "AgentOut",
        "ContactIn",
        "ContactDetailOut",
        "EscalateIn",
        "CloseIn",
        "OrientIn",
        "AnswerIn",
        "SuggestionOut",
        "QueueOut",
        "SheetsOut",
        "SheetOut",
        "NoteOut",
        "EventOut",
        "ContactSummaryOut",
    ]
    for name in ours:
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"


def test_cookie_sessions_refuse_cross_site_writes(client: Any, api: Api) -> None:
    from allo.contacts import agents

    agents.create_agent(api.db, "origine", "advisor", PASSWORD)
    client.post("/api/auth/login", json={"username": "origine", "password": PASSWORD})
    foreign = client.post(
        "/api/contacts", json={"channel": "phone"}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403 and "autre site" in foreign.json()["detail"]
    own = client.post(
        "/api/contacts", json={"channel": "phone"}, headers={"origin": "http://testserver"}
    )
    assert own.status_code == 201


def test_queue_contacts_listing(client: Any, api: Api) -> None:
    advisor = api.login("advisor")
    specialist = api.login("specialist", "justice")
    supervisor = api.login("supervisor")
    cid = client.post(
        "/api/contacts", json={"channel": "web", "question": "une question écrite"}, headers=advisor
    ).json()["id"]
    listed = client.get("/api/queues/niveau1/contacts?limit=500", headers=advisor)
    assert listed.status_code == 200
    mine = [c for c in listed.json() if c["id"] == cid]
    assert mine and mine[0]["state"] == "waiting" and mine[0]["mine"] is False
    assert client.get("/api/queues/niveau1/contacts", headers=specialist).status_code == 403
    assert client.get("/api/queues/justice/contacts", headers=specialist).status_code == 200
    assert client.get("/api/queues/travail/contacts", headers=supervisor).status_code == 200
    assert client.get("/api/queues/nulle-part/contacts", headers=supervisor).status_code == 404
