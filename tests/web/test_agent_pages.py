"""The agents' pages: login, the advisor and specialist consoles, supervision, and the written
channel seen from both sides — server-side, over the bundled data and demo team."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import lxml.html
import pytest

from allo.contacts import repository as contacts_repo
from allo.contacts import services

HTML = {"Accept": "text/html"}
HTMX = {"HX-Request": "true"}
Login = Callable[[str], Any]


def _doc(response: Any) -> Any:
    return lxml.html.fromstring(response.text)


def _phone_contact(db: Any) -> int:
    contact = services.create_contact(db, channel="phone")
    db.flush()
    return contact.id


# ------------------------------------------------------------------------------------ login


@pytest.mark.parametrize("path", ["/console", "/specialiste", "/supervision"])
def test_agent_pages_send_people_to_the_login_page(client: Any, path: str) -> None:
    response = client.get(path + "?q=x", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert (
        response.headers["location"]
        == "/connexion?" + f"suivant={path.replace('/', '%2F')}%3Fq%3Dx"
    )


def test_htmx_requests_without_session_are_redirected_by_htmx(client: Any) -> None:
    response = client.get("/console/recherche", params={"q": "impôt"}, headers=HTMX)
    assert response.status_code == 401
    assert response.headers["hx-redirect"].startswith("/connexion?suivant=")


def test_wrong_password_is_a_french_error_and_keeps_the_login_name(client: Any) -> None:
    response = client.post(
        "/connexion", data={"identifiant": "conseil1", "mot_de_passe": "mauvais"}
    )
    assert response.status_code == 401
    doc = _doc(response)
    assert (
        "Identifiant ou mot de passe incorrect."
        in doc.xpath("//div[@role='alert']")[0].text_content()
    )
    assert doc.xpath("//input[@id='identifiant']/@value") == ["conseil1"]
    assert "allo_session" not in response.cookies


@pytest.mark.parametrize(
    ("suivant", "landing"),
    [("", "/console"), ("/console?q=impot", "/console?q=impot"), ("//evil.example/x", "/console")],
)
def test_login_lands_on_the_page_asked_for_only_on_this_site(
    client: Any, suivant: str, landing: str
) -> None:
    response = client.post(
        "/connexion",
        data={"identifiant": "conseil1", "mot_de_passe": "demo-conseil1", "suivant": suivant},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == landing
    assert response.cookies.get("allo_session")


def test_wrong_role_gets_the_french_403_page(login: Login) -> None:
    client = login("advisor")
    response = client.get("/supervision", headers=HTML)
    assert response.status_code == 403
    doc = _doc(response)
    assert doc.findtext(".//h1") == "Accès refusé"
    assert "réservée à la supervision" in response.text


def test_header_shows_the_agent_and_logout_ends_the_session(login: Login) -> None:
    client = login("advisor")
    doc = _doc(client.get("/", headers=HTML))
    assert (
        "Camille Conseil" in doc.xpath("//div[@class='fr-header__tools-links']")[0].text_content()
    )
    assert doc.xpath("//a[@class='fr-nav__link' and @href='/console']")
    response = client.post("/deconnexion", follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/console", follow_redirects=False).status_code == 303


# ---------------------------------------------------------------------------- advisor console


def test_advisor_takes_a_phone_contact_and_notes_are_shown_redacted(login: Login, db: Any) -> None:
    contact_id = _phone_contact(db)
    client = login("advisor")
    response = client.post("/console/suivant", data={"retour": "/console"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console?fait=pris&n={contact_id}"
    page = _doc(client.get(response.headers["location"]))
    assert page.findtext(".//h2[@id='contact-titre']") == f"Contact n° {contact_id}"
    assert (
        f"Contact n° {contact_id} pris en charge."
        in page.xpath("//div[@role='status']")[0].text_content()
    )

    client.post(
        f"/console/contacts/{contact_id}/details",
        data={
            "question": "Mon patron veut me licencier, rappelez-moi au 06 12 34 56 78",
            "commune": "42000",
        },
    )
    client.post(
        f"/console/contacts/{contact_id}/notes",
        data={"note": "Son courriel : jean.dupont@example.org"},
    )
    page = _doc(client.get("/console"))
    assert page.xpath("//textarea[@id='contact-question']/text()")[0].endswith("au [téléphone]")
    assert page.xpath("//input[@id='contact-commune']/@value") == ["Saint-Étienne (42)"]
    marks = page.xpath("//div[@class='allo-note']//mark[@class='allo-masque']")
    assert marks and marks[0].text == "[courriel]"
    assert "adresse électronique" in marks[0].get("title")
    assert "jean.dupont" not in client.get("/console").text


def test_console_search_and_reading_record_the_consultation(login: Login, db: Any) -> None:
    contact_id = _phone_contact(db)
    client = login("advisor")
    client.post("/console/suivant")
    results = _doc(
        client.get("/console/recherche", params={"q": "licenciement faute grave"}, headers=HTMX)
    )
    first = results.xpath("//ol/li/a")[0]
    fiche_id = parse_qs(urlparse(first.get("href")).query)["fiche"][0]
    assert first.get("hx-get") == f"/console/fiches/{fiche_id}?console=/console"

    fragment = client.get(first.get("hx-get"), headers=HTMX).text
    assert "<html" not in fragment
    assert f'hx-post="/console/contacts/{contact_id}/consultation"' in fragment
    assert 'id="reponse-fiche-courante" hx-swap-oob="true"' in fragment
    assert (
        client.post(
            f"/console/contacts/{contact_id}/consultation",
            data={"fiche_id": fiche_id},
            headers=HTMX,
        ).status_code
        == 204
    )
    assert contacts_repo.contact(db, contact_id).fiches_consulted == [fiche_id]


def test_escalation_needs_a_note_and_says_so_in_french(login: Login, db: Any) -> None:
    contact_id = _phone_contact(db)
    client = login("advisor")
    client.post("/console/suivant")
    response = client.post(
        f"/console/contacts/{contact_id}/escalade",
        data={"secteur": "travail", "q_statut": "salarie_prive", "note": ""},
    )
    assert response.status_code == 422
    assert (
        "note d'escalade est obligatoire"
        in _doc(response).xpath("//div[@role='alert']")[0].text_content()
    )
    assert contacts_repo.contact(db, contact_id).queue == "niveau1"


def test_escalation_sheet_fragment_lists_the_sector_questions(login: Login) -> None:
    client = login("advisor")
    doc = _doc(client.get("/console/escalade", params={"secteur": "travail"}, headers=HTMX))
    legends = [leg.text_content() for leg in doc.xpath("//legend")]
    assert any("statut de la personne au travail" in t for t in legends)
    assert doc.xpath("//input[@type='radio' and @name='q_statut' and @value='salarie_prive']")


def test_advisor_escalates_and_the_specialist_sees_the_context_and_closes(
    login: Login, client: Any, db: Any
) -> None:
    contact_id = _phone_contact(db)
    login("advisor")
    client.post("/console/suivant")
    client.post(
        f"/console/contacts/{contact_id}/details",
        data={"question": "Mon employeur veut me licencier pour faute grave", "commune": "Lyon"},
    )
    page = _doc(client.get("/console"))
    assert page.xpath("//select[@id='escalade-secteur']/option[@selected]/@value") == ["travail"]
    response = client.post(
        f"/console/contacts/{contact_id}/escalade",
        data={
            "secteur": "travail",
            "suggestion": "travail",
            "q_statut": "salarie_prive",
            "q_conflit": "litige",
            "note": "Salarié du privé, procédure de licenciement engagée.",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/console?fait=escalade&n={contact_id}&secteur=travail"
    client.post("/deconnexion")

    login("specialist")
    page = _doc(client.get("/specialiste"))
    waiting = page.xpath("//div[@id='console-files']//tbody/tr")
    assert [row.xpath("./td")[0].text for row in waiting] == [str(contact_id)]
    client.post(f"/console/contacts/{contact_id}/prise", data={"retour": "/specialiste"})
    page = _doc(client.get("/specialiste"))
    panel = page.xpath("//section[@aria-labelledby='contact-titre']")[0].text_content()
    assert "Mon employeur veut me licencier pour faute grave" in panel
    assert "Lyon (69)" in panel
    assert "Fiche d’escalade : Travail" in panel
    assert "Salarié ou employeur du secteur privé" in panel
    assert "Salarié du privé, procédure de licenciement engagée." in panel
    response = client.post(
        f"/console/contacts/{contact_id}/reponse",
        data={"note": "Procédure expliquée.", "retour": "/specialiste"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/specialiste?fait=repondu&n={contact_id}"
    contact = contacts_repo.contact(db, contact_id)
    assert (contact.state, contact.outcome, contact.sector) == ("closed", "answered", "travail")


def test_the_agreement_chosen_beside_the_search_goes_with_the_escalation(
    login: Login, client: Any, db: Any
) -> None:
    contact_id = _phone_contact(db)
    login("advisor")
    # not holding a contact: a search does not touch an escalation form
    idle = client.get("/console/recherche", params={"q": "prime", "idcc": "2120"}, headers=HTMX)
    assert "escalade-convention" not in idle.text
    client.post("/console/suivant")
    page = _doc(client.get("/console"))
    assert page.xpath("//div[@id='escalade-convention']") and not page.xpath(
        "//form//input[@name='idcc']"
    )
    chosen = _doc(client.get("/console", params={"q": "prime", "idcc": "2120"}))
    form = chosen.xpath(f"//form[@action='/console/contacts/{contact_id}/escalade']")[0]
    assert form.xpath(".//input[@type='hidden' and @name='idcc']/@value") == ["2120"]
    assert "Convention collective nationale de la banque (IDCC 2120)" in form.text_content()
    # choosing in the picker (htmx) brings the choice into the escalation form, out of band
    fragment = client.get(
        "/console/recherche",
        params={"q": "prime", "idcc": "0044", "console": "/console"},
        headers=HTMX,
    ).text
    oob = lxml.html.fragments_fromstring(fragment)
    swapped = [e for e in oob if getattr(e, "get", None) and e.get("id") == "escalade-convention"]
    assert swapped and swapped[0].get("hx-swap-oob") == "true"
    assert swapped[0].xpath(".//input[@name='idcc']/@value") == ["0044"]
    cleared = client.get(
        "/console/recherche", params={"q": "prime", "console": "/console"}, headers=HTMX
    ).text
    assert 'id="escalade-convention" hx-swap-oob="true"' in cleared
    assert 'name="idcc"' not in cleared.split('id="escalade-convention"')[1]

    # an unknown one is refused and the contact stays at level 1
    data = {"secteur": "travail", "note": "Prime de fin d'année : que dit la convention ?"}
    refused = client.post(f"/console/contacts/{contact_id}/escalade", data=data | {"idcc": "9999"})
    assert refused.status_code == 422
    assert "Convention collective inconnue" in refused.text
    assert contacts_repo.contact(db, contact_id).queue == "niveau1"
    sent = client.post(
        f"/console/contacts/{contact_id}/escalade",
        data=data | {"idcc": "2120"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    client.post("/deconnexion")

    # the specialist reads it, and searches with it without choosing it again
    login("specialist")
    client.post(f"/console/contacts/{contact_id}/prise", data={"retour": "/specialiste"})
    page = _doc(client.get("/specialiste", params={"q": "prime de fin d'année"}))
    panel = page.xpath("//section[@aria-labelledby='contact-titre']")[0]
    shown = panel.xpath(".//p[contains(@class, 'allo-contact-agreement')]")[0]
    assert "Convention collective nationale de la banque" in shown.text_content()
    assert "IDCC 2120" in shown.text_content()
    assert shown.xpath(".//a/@href")[0].startswith("https://www.legifrance.gouv.fr/")
    assert page.xpath("//select[@id='console-idcc']/option[@selected]/@value") == ["2120"]
    assert "IDCC 2120" in page.xpath("//div[contains(@class, 'allo-agreement')]")[0].text_content()


def test_the_agreement_chosen_during_a_contact_is_kept_with_it(
    login: Login, client: Any, db: Any
) -> None:
    contact_id = _phone_contact(db)
    login("advisor")
    client.post("/console/suivant")
    page = _doc(client.get("/console"))
    poster = page.xpath(f"//div[@hx-post='/console/contacts/{contact_id}/convention']")
    assert poster and poster[0].get("hx-trigger") == "change from:#console-idcc"
    chose = client.post(
        f"/console/contacts/{contact_id}/convention", data={"idcc": "2120"}, headers=HTMX
    )
    assert chose.status_code == 204
    assert contacts_repo.contact(db, contact_id).qualification["agreement"]["idcc"] == "2120"
    # the console reloaded after another action: the picker and the escalation form still have it
    reloaded = _doc(client.get("/console"))
    assert reloaded.xpath("//select[@id='console-idcc']/option[@selected]/@value") == ["2120"]
    form = reloaded.xpath(f"//form[@action='/console/contacts/{contact_id}/escalade']")[0]
    assert form.xpath(".//input[@name='idcc']/@value") == ["2120"]
    refused = client.post(
        f"/console/contacts/{contact_id}/convention", data={"idcc": "9999"}, headers=HTMX
    )
    assert refused.status_code == 422
    assert contacts_repo.contact(db, contact_id).qualification["agreement"]["idcc"] == "2120"
    cleared = client.post(
        f"/console/contacts/{contact_id}/convention", data={"idcc": ""}, headers=HTMX
    )
    assert cleared.status_code == 204
    assert "agreement" not in contacts_repo.contact(db, contact_id).qualification
    after = _doc(client.get("/console"))
    assert after.xpath("//select[@id='console-idcc']/option[@selected]/@value") == [""]
    # both choices are steps of the contact's timeline, with who made them
    steps = [
        li.text_content()
        for li in after.xpath("//ol/li")
        if "Convention collective de l’appelant" in li.text_content()
    ]
    assert len(steps) == 2
    assert "(IDCC 2120)" in steps[0] and "Banque" in steps[0]
    assert steps[1].endswith(": non précisée")


def test_only_an_agent_handling_contacts_may_record_the_agreement(
    login: Login, client: Any, db: Any
) -> None:
    contact_id = _phone_contact(db)
    url = f"/console/contacts/{contact_id}/convention"
    anonymous = client.post(url, data={"idcc": "2120"}, headers=HTMX)
    assert anonymous.status_code == 401 and anonymous.headers["hx-redirect"].startswith(
        "/connexion"
    )
    supervisor = login("supervisor")
    assert supervisor.post(url, data={"idcc": "2120"}, headers=HTMX).status_code == 403
    token = supervisor.post(
        "/api/auth/login", json={"username": "supervision", "password": "demo-supervision"}
    ).json()["token"]
    api = supervisor.put(
        f"/api/contacts/{contact_id}/agreement",
        json={"idcc": "2120"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 403
    assert "agreement" not in (contacts_repo.contact(db, contact_id).qualification or {})


def test_specialist_can_send_a_contact_back_to_level_1(login: Login, db: Any) -> None:
    contact_id = _phone_contact(db)
    advisor = contacts_repo.agent_by_username(db, "conseil2")
    services.take_next(db, advisor, "niveau1")
    from allo.kb.escalation import load_sheets

    services.escalate(
        db, advisor, contact_id, sector="travail", answers={}, note="n", sheets=load_sheets()
    )
    client = login("specialist")
    client.post(f"/console/contacts/{contact_id}/prise", data={"retour": "/specialiste"})
    response = client.post(
        f"/console/contacts/{contact_id}/retour-niveau1",
        data={"motif": "Question simple sur le préavis.", "retour": "/specialiste"},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/specialiste?fait=retour")
    assert contacts_repo.contact(db, contact_id).queue == "niveau1"


def test_empty_queue_is_said_in_french(login: Login) -> None:
    client = login("advisor")
    response = client.post("/console/suivant", follow_redirects=False)
    assert response.headers["location"] == "/console?fait=vide"
    page = _doc(client.get(response.headers["location"]))
    assert "La file est vide" in page.xpath("//div[@role='status']")[0].text_content()


def test_console_documents_its_keyboard_shortcuts(login: Login) -> None:
    client = login("advisor")
    page = _doc(client.get("/console"))
    documented = page.xpath("//div[@id='raccourcis']//li")
    keys = {li.xpath("./kbd")[1].text for li in documented}
    declared = {s.split("+")[1].upper() for s in page.xpath("//@data-shortcut")}
    assert declared <= keys
    assert {"N", "R"} <= declared


# ------------------------------------------------------------------------------ supervision


def test_supervision_shows_queues_agents_and_the_days_figures(login: Login, db: Any) -> None:
    contact_id = _phone_contact(db)
    advisor = contacts_repo.agent_by_username(db, "conseil2")
    services.take_next(db, advisor, "niveau1")
    from allo.kb.escalation import load_sheets

    services.escalate(
        db, advisor, contact_id, sector="travail", answers={}, note="n", sheets=load_sheets()
    )
    client = login("supervisor")
    page = _doc(client.get("/supervision"))
    queues = {
        row.xpath("./th")[0].text: row.xpath("./td")[0].text_content()
        for row in page.xpath("(//div[@id='supervision-direct']//table)[1]/tbody/tr")
    }
    assert queues["Travail"] == "1"
    sector_chart = page.xpath("//figure[@id='graphique-secteurs']//*[local-name()='desc']")[0]
    assert "Travail : 1" in sector_chart.text
    svgs = page.xpath("//*[local-name()='svg' and @role='img']")
    assert len(svgs) == 6
    live = client.get("/supervision/direct", headers=HTMX)
    assert live.status_code == 200 and "<html" not in live.text


def test_supervision_rejects_an_unreadable_day_in_french(login: Login) -> None:
    client = login("supervisor")
    response = client.get("/supervision", params={"jour": "hier"})
    assert response.status_code == 200
    assert "AAAA-MM-JJ" in _doc(response).xpath("//div[@role='alert']")[0].text_content()


# ---------------------------------------------------------------------------- written channel


def test_written_question_answered_then_read_and_rated_through_the_private_link(
    client: Any, login: Login
) -> None:
    sent = client.post(
        "/poser-une-question",
        data={
            "question": "Mon propriétaire garde mon dépôt de garantie. Mon numéro : 06 12 34 56 78",
            "commune": "69003",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    private = sent.headers["location"]
    assert re.fullmatch(r"/ma-question\?jeton=[\w-]{40,}&envoye=1", private)
    page = client.get(private)
    assert page.headers["cache-control"] == "no-store"
    doc = _doc(page)
    assert "[téléphone]" in doc.xpath("//blockquote")[0].text_content()
    assert "06 12 34 56 78" not in page.text
    assert doc.xpath("//input[@id='lien-prive']/@value")[0].endswith(
        private.removesuffix("&envoye=1")
    )

    login("advisor")
    taken = client.post("/console/suivant", follow_redirects=False).headers["location"]
    contact_id = int(parse_qs(urlparse(taken).query)["n"][0])
    response = client.post(
        f"/console/contacts/{contact_id}/reponse",
        data={"fiches": ["F1726"], "note": "Le bailleur a deux mois pour restituer le dépôt."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    client.post("/deconnexion")

    doc = _doc(client.get(private))
    assert (
        "Le bailleur a deux mois pour restituer le dépôt."
        in doc.xpath("//div[@class='allo-answer']")[0].text_content()
    )
    assert doc.xpath("//form[@action='/ma-question/avis']")
    token = parse_qs(urlparse(private).query)["jeton"][0]
    rated = client.post(
        "/ma-question/avis", data={"jeton": token, "note": "5"}, follow_redirects=False
    )
    assert rated.status_code == 303
    assert "Merci pour votre avis" in client.get(rated.headers["location"]).text
    again = client.post("/ma-question/avis", data={"jeton": token, "note": "4"})
    assert again.status_code == 409
    assert "déjà" in _doc(again).xpath("//div[@role='alert']")[0].text_content()


def test_question_form_errors_are_french_and_keep_what_was_typed(client: Any) -> None:
    response = client.post(
        "/poser-une-question",
        data={"question": "  ", "commune": "Zzyzxville", "email": "pas-un-courriel"},
    )
    assert response.status_code == 422
    doc = _doc(response)
    assert doc.xpath("//p[@id='question-texte-erreur']")[0].text == "Écrivez votre question."
    assert "Commune introuvable" in doc.xpath("//p[@id='question-commune-erreur']")[0].text
    assert doc.xpath("//input[@id='question-courriel']/@value") == ["pas-un-courriel"]


def test_unknown_private_link_is_a_french_404(client: Any) -> None:
    response = client.get("/ma-question", params={"jeton": "x" * 43}, headers=HTML)
    assert response.status_code == 404
    assert "Ce lien est introuvable ou a expiré." in response.text


def test_console_finds_the_held_contact_behind_a_long_queue(login: Login, db: Any) -> None:
    """The held contact is looked up by its holder, not among the queue's 500 oldest."""
    from datetime import timedelta

    from allo.db.base import utcnow

    earlier = utcnow() - timedelta(hours=1)
    for i in range(501):
        services.create_contact(db, channel="phone", now=earlier + timedelta(seconds=i))
    contact_id = _phone_contact(db)
    advisor = contacts_repo.agent_by_username(db, "conseil1")
    services.take(db, advisor, contact_id)
    db.commit()
    page = _doc(login("advisor").get("/console"))
    assert page.findtext(".//h2[@id='contact-titre']") == f"Contact n° {contact_id}"
