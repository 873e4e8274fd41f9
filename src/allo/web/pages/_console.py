"""What the advisor and specialist consoles share: the contact with its context, notes with their
redactions made visible, knowledge-base search and reading, orientation to an office, and the
escalation sheet.

Every view is built from the contacts, knowledge-base, search and directory services; nothing
here reads a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy.orm import Session

from allo.contacts import reading
from allo.contacts import repository as contacts_repo
from allo.contacts.agents import STATE_LABELS
from allo.contacts.fiche_search import search_function
from allo.contacts.models import CHANNEL_LABELS, QUEUE_LABELS, Agent, Contact, ContactNote
from allo.contacts.services import allowed_queues
from allo.db.base import utcnow
from allo.db.session import unit_of_work
from allo.directory.services import get_directory
from allo.errors import AlloError, InvalidInput
from allo.kb import services as kb
from allo.kb.escalation import SECTORS, SheetSet
from allo.kb.kinds import LABELS as KIND_LABELS
from allo.kb.local import services as local_fiches
from allo.kb.local import sheets as sheet_store
from allo.kb.render.dsfr import layout
from allo.kb.render.markdown import render_markdown
from allo.privacy.redaction import KIND_LABELS as REDACTION_LABELS
from allo.privacy.redaction import PLACEHOLDERS
from allo.runtime import Runtime
from allo.search.agreements import default_catalog
from allo.search.service import get_search_service
from allo.web.pages import _fiche_html
from allo.web.pages._base import doc
from allo.web.pages._filters import duration_fr, time_fr
from allo.web.pages._offices import PlaceAnswer, place_answer, search_orientation
from allo.web.pages._search_notices import AgreementLink
from allo.web.pages.portal import ResultItem, passage_fields

NOTE_LABELS = {
    "note": "Note",
    "answer": "Réponse",
    "escalation": "Note d’escalade",
    "redirect": "Réorientation",
    "return": "Retour au premier niveau",
}
EVENT_LABELS = {
    "created": "Arrivée",
    "queued": "Mise en file",
    "offered": "Appel présenté",
    "taken": "Pris en charge",
    "consulted": "Fiche consultée",
    "noted": "Note ajoutée",
    "qualified": "Fiche d’escalade remplie",
    "agreement": "Convention collective de l’appelant",
    "escalated": "Transféré au second niveau",
    "redirected": "Réorienté vers un autre secteur",
    "returned": "Renvoyé au premier niveau",
    "released": "Remis en file",
    "answered": "Répondu",
    "oriented": "Orienté",
    "closed": "Clôturé",
    "abandoned": "Abandonné",
}
SEARCH_RESULTS = 8
#: the consoles only ever come back to one of these pages after an action
CONSOLES = ("/console", "/specialiste")


@dataclass(frozen=True)
class TextPart:
    """A piece of stored free text: plain, or a placeholder put by the redaction."""

    text: str = field(metadata=doc("The text of this piece."))
    masked: str = field(default="", metadata=doc("What was masked here (French), or empty."))


@dataclass(frozen=True)
class NoteView:
    """A note of the contact, with what redaction removed made visible."""

    kind: str = field(metadata=doc("Kind in French (Note, Note d’escalade…)."))
    author: str = field(metadata=doc("Agent who wrote it."))
    level: int = field(metadata=doc("Level (1 or 2) it was written at."))
    at: str = field(metadata=doc("Time it was written (« 14 h 05 »)."))
    parts: list[TextPart] = field(metadata=doc("The text, in plain and masked pieces."))
    masked: list[str] = field(metadata=doc("French names of what was masked in it."))


@dataclass(frozen=True)
class FicheLink:
    """A fiche mentioned by a contact."""

    id: str = field(metadata=doc("Fiche identifier."))
    title: str = field(metadata=doc("Its title."))


@dataclass(frozen=True)
class AnswerView:
    """One answer of the escalation sheet, as the specialist reads it."""

    question: str = field(metadata=doc("The sheet's question."))
    answer: str = field(metadata=doc("The answer chosen at level 1."))


@dataclass(frozen=True)
class ContactPanel:
    """The contact an agent holds, with everything known of it."""

    id: int = field(metadata=doc("Contact number (the citizen's reference)."))
    channel: str = field(metadata=doc("Channel in French (Téléphone, Question écrite…)."))
    channel_code: str = field(metadata=doc("Channel code: phone, web, email."))
    queue: str = field(metadata=doc("Queue in French (Premier niveau, Travail…)."))
    level: int = field(metadata=doc("1 or 2."))
    since: str = field(metadata=doc("How long ago it arrived (« 3 min 20 s »)."))
    question: str = field(metadata=doc("The question as stored (redacted)."))
    question_parts: list[TextPart] = field(metadata=doc("The question with its masked pieces."))
    question_masked: list[str] = field(metadata=doc("French names of what was masked."))
    commune: str = field(metadata=doc("The caller's commune (« Lyon (69) »), or empty."))
    commune_code: str = field(metadata=doc("INSEE code of the commune, or empty."))
    notes: list[NoteView] = field(metadata=doc("Notes, oldest first."))
    fiches: list[FicheLink] = field(metadata=doc("Fiches consulted so far."))
    sheet_label: str = field(metadata=doc("Sector of the escalation sheet filled, or empty."))
    sheet_answers: list[AnswerView] = field(metadata=doc("The sheet's answers from level 1."))
    suggested_sector: str = field(metadata=doc("Sector suggested when it was escalated, or empty."))
    agreement: AgreementLink | None = field(
        metadata=doc("The caller's collective agreement, chosen at level 1, if any.")
    )
    history: list[str] = field(metadata=doc("Timeline of its steps, in French."))


@dataclass(frozen=True)
class FicheReading:
    """A fiche opened in a console."""

    id: str = field(metadata=doc("Fiche identifier."))
    title: str = field(metadata=doc("Title."))
    kind: str = field(metadata=doc("Kind in French."))
    description: str = field(metadata=doc("Summary."))
    body: Markup = field(metadata=doc("The rendered fiche, cases as accordions."))
    pivot_types: list[tuple[str, str]] = field(
        metadata=doc("(code, French label) of the local office types the fiche names.")
    )
    service_fiche: bool = field(
        default=False, metadata=doc("A fiche written by the service (« Fiche du service » badge).")
    )
    advisor_note: Markup | None = field(
        default=None,
        metadata=doc(
            "« Pour le conseiller » of a service fiche (rendered, never shown to citizens)."
        ),
    )


@dataclass(frozen=True)
class ChoiceView:
    """One possible answer of an escalation question."""

    value: str = field(metadata=doc("Submitted value."))
    label: str = field(metadata=doc("French label."))
    hint: str = field(metadata=doc("Where it leads when not to this sector (body, note)."))
    checked: bool = field(metadata=doc("Whether it is chosen."))


@dataclass(frozen=True)
class QuestionView:
    """A question of the escalation sheet."""

    id: str = field(metadata=doc("Question identifier (form field q_<id>)."))
    text: str = field(metadata=doc("The question."))
    help: str = field(metadata=doc("Help text, or empty."))
    choices: list[ChoiceView] = field(metadata=doc("Its possible answers."))


@dataclass(frozen=True)
class SheetView:
    """The escalation sheet of a sector, as a form."""

    sector: str = field(metadata=doc("Sector code."))
    label: str = field(metadata=doc("Sector in French."))
    definition: str = field(metadata=doc("What the sector covers."))
    questions: list[QuestionView] = field(metadata=doc("Questions that qualify the contact."))
    outside: list[str] = field(metadata=doc("Outside bodies and when to send callers to them."))


@dataclass(frozen=True)
class Suggestion:
    """The sector the question seems to belong to."""

    sector: str = field(metadata=doc("Sector code, or « aucun » (level 1 keeps it)."))
    label: str = field(metadata=doc("In French."))
    confidence: str = field(metadata=doc("Share of the evidence, « 72 % »."))
    reasons: list[str] = field(metadata=doc("Words and themes that pointed to it."))


def sheets(runtime: Runtime) -> SheetSet:
    """The published escalation sheets of the base (docs/EDITORIAL.md)."""
    with unit_of_work(runtime.read_sessions) as session:
        return sheet_store.published_set(session, runtime.settings.home)


def sector_label(code: str) -> str:
    return QUEUE_LABELS.get(code, "Premier niveau" if code == "aucun" else code)


def split_masked(text: str, redactions: list[dict[str, Any]]) -> list[TextPart]:
    """The stored text cut at its placeholders, so the page can show what was masked."""
    parts: list[TextPart] = []
    position = 0
    for r in sorted(redactions, key=lambda r: int(r.get("start", 0))):
        start, end = int(r.get("start", 0)), int(r.get("end", 0))
        if not (position <= start < end <= len(text)):
            continue
        if start > position:
            parts.append(TextPart(text[position:start]))
        label = REDACTION_LABELS.get(str(r.get("kind")), "donnée personnelle")
        parts.append(TextPart(text[start:end] or PLACEHOLDERS.get(str(r.get("kind")), ""), label))
        position = end
    if position < len(text):
        parts.append(TextPart(text[position:]))
    return parts


def masked_names(redactions: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for r in redactions:
        label = REDACTION_LABELS.get(str(r.get("kind")), "donnée personnelle")
        if label not in names:
            names.append(label)
    return names


def _local(moment: datetime, runtime: Runtime) -> datetime:

    return moment.astimezone(runtime.settings.zone)


def held_contact(session: Session, agent: Agent) -> Contact | None:
    """The contact this agent is handling, if any (the oldest one), in one indexed query."""
    return contacts_repo.held_contact(session, agent.id, allowed_queues(agent))


def commune_label(runtime: Runtime, session: Session, code: str | None) -> str:
    if not code:
        return ""
    try:
        return get_directory(runtime).resolve_place("insee:" + code, session).place.label
    except AlloError:
        return code


def contact_panel(
    runtime: Runtime, session: Session, agent: Agent, contact_id: int
) -> ContactPanel:
    view = reading.view(session, agent, contact_id)
    contact = view.contact
    names = view.agent_names
    now = utcnow()
    titles = kb.titles(session, contact.fiches_consulted) if contact.fiches_consulted else {}
    qualification = contact.qualification or {}
    sheet_code = str(qualification.get("sheet") or "")
    answers: list[AnswerView] = []
    if sheet_code:
        try:
            sheet = sheets(runtime).get(sheet_code)
        except InvalidInput:
            sheet = None
        questions = {q.id: q for q in sheet.questions} if sheet else {}
        for qid, value in (qualification.get("answers") or {}).items():
            question = questions.get(qid)
            chosen = question.answer(str(value)) if question else None
            answers.append(
                AnswerView(
                    question=question.text if question else qid,
                    answer=chosen.label if chosen else str(value),
                )
            )
    return ContactPanel(
        id=contact.id,
        channel=CHANNEL_LABELS.get(contact.channel, contact.channel),
        channel_code=contact.channel,
        queue=QUEUE_LABELS.get(contact.queue, contact.queue),
        level=contact.level,
        since=duration_fr(now - contact.created_at),
        question=contact.question,
        question_parts=split_masked(contact.question, contact.question_redactions or []),
        question_masked=masked_names(contact.question_redactions or []),
        commune=commune_label(runtime, session, contact.commune),
        commune_code=contact.commune or "",
        notes=[_note(n, names, runtime) for n in view.notes],
        fiches=[FicheLink(fid, titles.get(fid, fid)) for fid in contact.fiches_consulted],
        sheet_label=sector_label(sheet_code) if sheet_code else "",
        sheet_answers=answers,
        suggested_sector=sector_label(str(qualification.get("suggested_sector") or ""))
        if qualification.get("suggested_sector")
        else "",
        agreement=_agreement(qualification.get("agreement")),
        history=[
            f"{time_fr(_local(e.at, runtime))} — {EVENT_LABELS.get(e.kind, e.kind)}"
            + (f" ({names[e.agent_id]})" if e.agent_id in names else "")
            + (f" → {sector_label(e.data['sector'])}" if (e.data or {}).get("sector") else "")
            + (_agreement_said(e.data) if e.kind == "agreement" else "")
            for e in view.events
            if e.kind not in ("queued", "noted")
        ],
    )


def _agreement_said(data: Any) -> str:
    """« : Syntec (IDCC 1486) », or « : non précisée » when the agent cleared it."""
    idcc = str((data or {}).get("idcc") or "")
    if not idcc:
        return " : non précisée"
    known = default_catalog().get(idcc)
    return f" : {known.short_title} (IDCC {idcc})" if known is not None else f" : IDCC {idcc}"


def _agreement(stored: Any) -> AgreementLink | None:
    """The agreement stored in a contact's qualification (checked when it was stored)."""
    if not isinstance(stored, dict) or not stored.get("idcc"):
        return None
    return AgreementLink(
        str(stored["idcc"]), str(stored.get("title", "")), str(stored.get("url", ""))
    )


def _note(note: ContactNote, names: dict[int, str], runtime: Runtime) -> NoteView:
    return NoteView(
        kind=NOTE_LABELS.get(note.kind, note.kind),
        author=names.get(note.agent_id or 0, "—"),
        level=note.level,
        at=time_fr(_local(note.created_at, runtime)),
        parts=split_masked(note.text, note.redactions or []),
        masked=masked_names(note.redactions or []),
    )


def search_results(runtime: Runtime, q: str, console: str, idcc: str = "") -> list[ResultItem]:
    """`idcc`: the caller's collective agreement chosen in the picker (kept in the links)."""
    text = " ".join(q.split())[:200]
    if len(text) < 2:
        return []
    fiche_query, _offices = search_orientation(runtime, text)  # "caf lyon" → fiches for "caf"
    hits = get_search_service(runtime).search(fiche_query, SEARCH_RESULTS, idcc=idcc or None)
    return [
        ResultItem(
            href=f"{console}?"
            + urlencode({"q": text, "fiche": h.id} | ({"idcc": idcc} if idcc else {}))
            + (f"#{h.passage.anchor}" if h.passage else ""),
            title=h.title,
            description=h.description[:180],
            kind=KIND_LABELS.get(h.kind, h.kind),
            audiences=[],
            source=SERVICE_FICHE if h.source == "local" else "",
            id=h.id,
            **passage_fields(h),
        )
        for h in hits
    ]


def fiche_reading(runtime: Runtime, session: Session, fiche_id: str) -> FicheReading:
    fiche = kb.get_fiche(session, fiche_id[:64])
    directory = get_directory(runtime)
    types: list[tuple[str, str]] = []
    for pivot in fiche.pivots or []:
        code = directory.catalog.for_fiche(pivot)
        if code and all(code != c for c, _ in types):
            types.append((code, directory.catalog.label(code)))
    return FicheReading(
        id=fiche.id,
        title=fiche.title,
        kind=KIND_LABELS.get(fiche.kind, fiche.kind),
        description=fiche.description,
        body=_fiche_html.body_html(runtime, session, fiche, local_box=False),
        pivot_types=types,
        service_fiche=fiche.source == "local",
        advisor_note=_advisor_note(session, fiche.id) if fiche.source == "local" else None,
    )


#: the badge of the service's own fiches in the consoles' results
SERVICE_FICHE = "Fiche du service"


def _advisor_note(session: Session, fiche_id: str) -> Markup | None:
    note = local_fiches.advisor_note(session, fiche_id)
    if not note:
        return None
    return Markup(layout(render_markdown(note)))  # noqa: S704 — sanitised by the allowlist


def orientation(
    runtime: Runtime, session: Session, place: str, office_type: str
) -> tuple[PlaceAnswer | None, str]:
    """The competent offices for the caller's commune, or a French error."""
    if not place.strip() or not office_type:
        return None, ""
    try:
        result = get_directory(runtime).find(session, place, office_type, limit=3)
    except AlloError as exc:
        return None, exc.message
    group = {
        "label": result["type"]["label"],
        "notice": result.get("notice"),
        "offices": result.get("offices", []),
    }
    return place_answer(result, [group]), ""


def sheet_view(runtime: Runtime, sector: str, chosen: dict[str, str]) -> SheetView | None:
    if sector not in SECTORS:
        return None
    sheet = sheets(runtime).get(sector)
    return SheetView(
        sector=sheet.sector,
        label=sheet.label,
        definition=sheet.definition,
        questions=[
            QuestionView(
                id=q.id,
                text=q.text,
                help=q.help,
                choices=[
                    ChoiceView(
                        value=a.value,
                        label=a.label,
                        hint=_lead_hint(a.leads_to, sector),
                        checked=chosen.get(q.id) == a.value,
                    )
                    for a in q.answers
                ],
            )
            for q in sheet.questions
        ],
        outside=[f"{b.name} : {b.when}" for b in sheet.outside_bodies],
    )


def _lead_hint(leads_to: dict[str, Any], sector: str) -> str:
    parts = []
    target = leads_to.get("sector")
    if target and target != sector:
        parts.append(f"relève plutôt du secteur {sector_label(target)}")
    if leads_to.get("body"):
        parts.append(f"orienter vers : {leads_to['body']}")
    if leads_to.get("level1"):
        parts.append("le premier niveau peut répondre")
    if leads_to.get("note"):
        parts.append(str(leads_to["note"]))
    return " — ".join(parts)


def suggestion(
    runtime: Runtime, session: Session, agent: Agent, contact_id: int
) -> Suggestion | None:
    try:
        found, _ids = reading.suggest_for_contact(
            session,
            agent,
            contact_id,
            sheets=sheets(runtime),
            search=search_function(runtime),
        )
    except AlloError:
        return None
    return Suggestion(
        sector=found.sector,
        label=sector_label(found.sector),
        confidence=f"{round(found.confidence * 100)} %",
        reasons=list(dict.fromkeys(found.reasons))[:6],
    )


def sector_options(selected: str) -> list[tuple[str, str, bool]]:
    return [(s, sector_label(s), s == selected) for s in SECTORS]


def state_label(agent: Agent) -> str:
    return STATE_LABELS.get(agent.state, agent.state)


def back_to(target: str | None) -> str:
    return target if target in CONSOLES else CONSOLES[0]
