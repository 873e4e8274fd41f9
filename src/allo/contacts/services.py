"""The two-level contact flow: arrive, take, consult, answer / orient / escalate, close.

Rules every use case keeps:
- a contact is always in exactly one queue (`Contact.queue`, one column): escalation, redirection
  and return to level 1 are one UPDATE of that column plus their event, in the caller's
  transaction (services never commit);
- an agent acts only on a contact they hold (state "taken", agent_id = them), after locking its
  row, so two requests on the same contact are serialised;
- free text (question, notes, reasons) is redacted before it is stored;
- every step is a timestamped ContactEvent, without free text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from allo.contacts import calendar
from allo.contacts import repository as repo
from allo.contacts.agents import set_state
from allo.contacts.models import (
    CHANNELS,
    LEVEL1_QUEUE,
    QUEUE_LABELS,
    QUEUES,
    SECTORS,
    Agent,
    Contact,
    ContactEvent,
    ContactNote,
)
from allo.db.base import utcnow
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.kb.escalation import SheetSet
from allo.privacy.redaction import RedactionResult, redact
from allo.search.agreements import default_catalog

MAX_QUESTION_CHARS = 5_000
MAX_NOTE_CHARS = 5_000
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_FICHE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

#: Roles that handle contacts; the others (editor, supervisor, administrator) only read.
HANDLER_ROLES = ("advisor", "specialist")


class CallControl(Protocol):
    """The telephony side of the flow (contacts.telephony.CallBridge): commands for the phone
    platform, sent only once the step's transaction has committed."""

    def answer(self, session: Session, call_id: str, agent_id: int) -> None: ...

    def transfer(self, session: Session, call_id: str, queue: str) -> None: ...


@dataclass(frozen=True)
class Orientation:
    """Where the caller is sent: an office of the directory, a website or a phone number."""

    office_id: str | None = None
    label: str = ""
    url: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "office_id": self.office_id,
            "label": self.label,
            "url": self.url,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class CallerAgreement:
    """The caller's collective agreement, chosen from the search's list of agreements: it travels
    with the contact, so the specialist does not ask for it again."""

    idcc: str
    title: str
    url: str = ""

    @classmethod
    def from_idcc(cls, idcc: str | None) -> CallerAgreement | None:
        """The agreement of an IDCC of the list (None: none chosen; unknown: InvalidInput)."""
        chosen = default_catalog().chosen(idcc)
        return cls(chosen.idcc, chosen.title, chosen.url) if chosen is not None else None

    def as_dict(self) -> dict[str, str]:
        """Checked here, whoever built it: the specialist's page shows the title and the link."""
        if not re.fullmatch(r"\d{1,5}", self.idcc):
            raise InvalidInput(f"Numéro IDCC invalide : « {self.idcc[:12]} ».")
        if not self.title.strip() or len(self.title) > 400:
            raise InvalidInput("Le titre de la convention collective est vide ou trop long.")
        if self.url and not re.match(r"^https://[^\s]{3,}$", self.url):
            raise InvalidInput("L'adresse du texte de la convention doit commencer par https://.")
        return {"idcc": self.idcc, "title": self.title.strip(), "url": self.url}


# --- helpers -----------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _event(
    session: Session,
    contact: Contact,
    kind: str,
    now: datetime,
    agent: Agent | None = None,
    **data: Any,
) -> None:
    session.add(
        ContactEvent(
            contact_id=contact.id,
            at=now,
            kind=kind,
            agent_id=agent.id if agent else None,
            queue=contact.queue,
            level=contact.level,
            data=data,
        )
    )


def _clean_text(text: str, what: str, limit: int) -> RedactionResult:
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} est trop long ({len(text)} caractères, {limit} au plus).")
    return redact(text)


def _add_note(
    session: Session, contact: Contact, agent: Agent | None, text: str, kind: str, now: datetime
) -> ContactNote | None:
    cleaned = _clean_text(text, "La note", MAX_NOTE_CHARS)
    if not cleaned.text:
        return None
    note = ContactNote(
        contact_id=contact.id,
        agent_id=agent.id if agent else None,
        level=contact.level,
        kind=kind,
        text=cleaned.text,
        redactions=cleaned.as_list(),
        created_at=now,
    )
    session.add(note)
    session.flush()
    _event(session, contact, "noted", now, agent, note_id=note.id, note_kind=kind)
    return note


def _check_commune(commune: str | None) -> str | None:
    if commune is None or not commune.strip():
        return None
    code = commune.strip().upper()
    if not _INSEE.match(code):
        raise InvalidInput(
            f"Code commune INSEE invalide : « {commune} » (5 caractères, ex. 75056)."
        )
    return code


def _check_fiche_ids(session: Session, fiche_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(f.strip() for f in fiche_ids if f and f.strip()))
    bad = [f for f in ids if not _FICHE_ID.match(f)]
    if bad:
        raise InvalidInput(f"Identifiant de fiche invalide : « {bad[0][:64]} ».")
    if ids and repo.count_fiches(session) > 0:
        missing = [f for f in ids if f not in repo.existing_fiche_ids(session, ids)]
        if missing:
            raise InvalidInput(f"Fiche inconnue de la base de connaissance : {', '.join(missing)}.")
    return ids


def require_handler(agent: Agent) -> None:
    if agent.role not in HANDLER_ROLES:
        raise Forbidden("Seuls les conseillers et les spécialistes traitent les contacts.")


def _held(session: Session, agent: Agent, contact_id: int) -> Contact:
    """The contact, locked, if `agent` holds it; otherwise the right French error."""
    require_handler(agent)
    contact = repo.contact(session, contact_id, for_update=True)
    if contact is None:
        raise NotFound(f"Contact n° {contact_id} introuvable.")
    if contact.state in ("closed", "abandoned"):
        raise Conflict(f"Le contact n° {contact_id} est déjà clôturé.")
    if contact.state == "waiting":
        raise Conflict(f"Le contact n° {contact_id} attend dans sa file : prenez-le d'abord.")
    if contact.agent_id != agent.id:
        raise Conflict(f"Le contact n° {contact_id} est traité par un autre agent.")
    return contact


def _leave_agent(session: Session, contact: Contact, agent: Agent, now: datetime) -> None:
    contact.agent_id = None
    contact.taken_at = None
    session.flush()
    if agent.state == "busy" and repo.mark_available_if_idle(session, agent.id, now):
        # The row is written; the loaded agent learns it without a second UPDATE.
        set_committed_value(agent, "state", "available")
        set_committed_value(agent, "state_since", now)


def _handling_seconds(contact: Contact, now: datetime) -> float | None:
    return round((now - contact.taken_at).total_seconds(), 3) if contact.taken_at else None


def _finish(
    session: Session, contact: Contact, agent: Agent | None, outcome: str, now: datetime
) -> None:
    handling = _handling_seconds(contact, now)
    contact.state = "closed" if outcome != "abandoned" else "abandoned"
    contact.outcome = outcome
    contact.closed_at = now
    _event(session, contact, "closed", now, agent, outcome=outcome, handling_seconds=handling)
    if agent is not None:
        _leave_agent(session, contact, agent, now)


def allowed_queues(agent: Agent) -> tuple[str, ...]:
    """The queues this agent takes contacts from (advisors: niveau1; specialists: their sectors)."""
    if agent.role == "advisor":
        return (LEVEL1_QUEUE,)
    if agent.role == "specialist":
        return tuple(s for s in agent.sectors if s in SECTORS)
    return ()


def _check_can_take(agent: Agent, queue: str) -> None:
    require_handler(agent)
    if queue not in QUEUES:
        raise NotFound(f"File inconnue : « {queue} ». Files : {', '.join(QUEUES)}.")
    if queue in allowed_queues(agent):
        return
    if agent.role == "specialist" and queue in SECTORS:
        raise Conflict(
            f"Ce contact relève du secteur « {QUEUE_LABELS[queue]} », "
            "qui n'est pas le vôtre : il reste dans sa file."
        )
    if agent.role == "specialist":
        raise Forbidden("Les spécialistes ne prennent pas les contacts du premier niveau.")
    raise Forbidden("Les conseillers du premier niveau ne prennent que la file « niveau1 ».")


# --- arrival -------------------------------------------------------------------------------


def create_contact(
    session: Session,
    *,
    channel: str,
    question: str = "",
    commune: str | None = None,
    theme: str = "",
    call_id: str | None = None,
    agent: Agent | None = None,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
) -> Contact:
    """A new contact in the level-1 queue. Nothing identifies the caller: no number, no name.

    With the service's time zone `tz` (every entry point from outside passes it), the service
    calendar applies: a phone contact outside hours is refused (calendar.ServiceClosed, 409)
    whatever the way in. Without it (fixtures, imports) the contact is recorded as given."""
    now = _now(now)
    if channel not in CHANNELS:
        raise InvalidInput(f"Canal inconnu : « {channel} ». Canaux : {', '.join(CHANNELS)}.")
    if tz is not None:
        calendar.ensure_accepts(session, channel, tz, now)
    cleaned = _clean_text(question, "La question", MAX_QUESTION_CHARS)
    if call_id is not None and repo.contact_by_call(session, call_id) is not None:
        raise Conflict("Cet appel a déjà un contact.")
    contact = Contact(
        channel=channel,
        created_at=now,
        question=cleaned.text,
        question_redactions=cleaned.as_list(),
        commune=_check_commune(commune),
        theme=redact((theme or "").strip()[:255]).text[:255],
        queue=LEVEL1_QUEUE,
        state="waiting",
        level=1,
        queued_at=now,
        outcome_detail={},
        fiches_consulted=[],
        qualification={},
        escalations=0,
        call_id=call_id,
    )
    session.add(contact)
    session.flush()
    _event(session, contact, "created", now, agent, channel=channel)
    _event(session, contact, "queued", now, agent)
    return contact


def update_details(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    question: str | None = None,
    commune: str | None = None,
    theme: str | None = None,
) -> Contact:
    """The holder fills in what the caller said (phone contacts arrive without a question)."""
    contact = _held(session, agent, contact_id)
    if question is not None:
        cleaned = _clean_text(question, "La question", MAX_QUESTION_CHARS)
        contact.question = cleaned.text
        contact.question_redactions = cleaned.as_list()
    if commune is not None:
        contact.commune = _check_commune(commune)
    if theme is not None:
        contact.theme = redact(theme.strip()[:255]).text[:255]
    return contact


# --- taking ----------------------------------------------------------------------------------


def _taken(
    session: Session, contact: Contact, agent: Agent, now: datetime, calls: CallControl | None
) -> None:
    wait = round((now - contact.queued_at).total_seconds(), 3)
    if contact.first_taken_at is None:
        contact.first_taken_at = now
    _event(session, contact, "taken", now, agent, wait_seconds=wait)
    set_state(session, agent, "busy", now=now)
    if calls is not None and contact.call_id:
        calls.answer(session, contact.call_id, agent.id)


def take_next(
    session: Session,
    agent: Agent,
    queue: str,
    *,
    now: datetime | None = None,
    calls: CallControl | None = None,
) -> Contact | None:
    """The oldest waiting contact of `queue`, now held by `agent`; None if the queue is empty.

    Atomic: two agents asking at the same moment never get the same contact (repository.claim_next).
    """
    now = _now(now)
    _check_can_take(agent, queue)
    contact = repo.claim_next(session, queue, agent.id, now)
    if contact is None:
        return None
    _taken(session, contact, agent, now, calls)
    return contact


def take(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    now: datetime | None = None,
    calls: CallControl | None = None,
) -> Contact:
    """Take one given waiting contact (a specialist picking from the sector's list)."""
    now = _now(now)
    require_handler(agent)
    contact = repo.contact(session, contact_id, for_update=True)
    if contact is None:
        raise NotFound(f"Contact n° {contact_id} introuvable.")
    _check_can_take(agent, contact.queue)
    if contact.state != "waiting":
        if contact.state == "taken" and contact.agent_id == agent.id:
            return contact
        raise Conflict(f"Le contact n° {contact_id} n'est plus en attente.")
    if not repo.claim(session, contact_id, agent.id, now):
        raise Conflict(f"Le contact n° {contact_id} n'est plus en attente.")
    session.refresh(contact)
    _taken(session, contact, agent, now, calls)
    return contact


def release(
    session: Session, agent: Agent, contact_id: int, *, now: datetime | None = None
) -> Contact:
    """Put a held contact back at the head of its queue, without an outcome."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    contact.state = "waiting"
    _event(session, contact, "released", now, agent)
    _leave_agent(session, contact, agent, now)
    return contact


# --- what happens during the contact ---------------------------------------------------------


def consult(
    session: Session, agent: Agent, contact_id: int, fiche_id: str, *, now: datetime | None = None
) -> Contact:
    now = _now(now)
    contact = _held(session, agent, contact_id)
    checked = _check_fiche_ids(session, [fiche_id])
    if not checked:
        raise InvalidInput("Identifiant de fiche manquant.")
    fid = checked[0]
    if fid not in contact.fiches_consulted:
        contact.fiches_consulted = [*contact.fiches_consulted, fid]
    _event(session, contact, "consulted", now, agent, fiche_id=fid)
    return contact


def set_agreement(
    session: Session,
    agent: Agent,
    contact_id: int,
    agreement: CallerAgreement | None,
    *,
    now: datetime | None = None,
) -> Contact:
    """The caller's collective agreement, as the agent holding the contact chose it (None: none
    known): kept in the qualification, so it survives a reload of the console and goes with an
    escalation or a redirect."""
    contact = _held(session, agent, contact_id)
    kept = {k: v for k, v in (contact.qualification or {}).items() if k != "agreement"}
    before = (contact.qualification or {}).get("agreement")
    chosen = agreement.as_dict() if agreement is not None else None
    contact.qualification = kept | ({"agreement": chosen} if chosen is not None else {})
    _agreement_step(session, contact, agent, before, chosen, _now(now))
    return contact


def _agreement_step(
    session: Session, contact: Contact, agent: Agent, before: Any, chosen: Any, now: datetime
) -> None:
    """A step of the timeline when the caller's agreement changes, not each time it is sent."""

    def idcc(stored: Any) -> str | None:
        ok = isinstance(stored, Mapping) and stored.get("idcc")
        return str(stored["idcc"]) if ok else None

    if idcc(chosen) != idcc(before):
        _event(session, contact, "agreement", now, agent, idcc=idcc(chosen))


def add_note(
    session: Session, agent: Agent, contact_id: int, text: str, *, now: datetime | None = None
) -> ContactNote:
    now = _now(now)
    contact = _held(session, agent, contact_id)
    note = _add_note(session, contact, agent, text, "note", now)
    if note is None:
        raise InvalidInput("La note est vide.")
    return note


# --- outcomes ----------------------------------------------------------------------------------


def answer(
    session: Session,
    agent: Agent,
    contact_id: int,
    fiche_ids: Sequence[str],
    *,
    note: str = "",
    now: datetime | None = None,
) -> Contact:
    """Closed as answered, with the fiches the answer came from."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    ids = _check_fiche_ids(session, fiche_ids)
    if not ids and contact.level == 1:
        raise InvalidInput("Indiquez la ou les fiches qui ont servi à répondre.")
    _add_note(session, contact, agent, note, "answer", now)
    for fid in ids:
        if fid not in contact.fiches_consulted:
            contact.fiches_consulted = [*contact.fiches_consulted, fid]
    contact.outcome_detail = {"fiche_ids": ids}
    _event(session, contact, "answered", now, agent, fiche_ids=ids)
    _finish(session, contact, agent, "answered", now)
    return contact


def _check_orientation(session: Session, orientation: Orientation) -> Orientation:
    office_id = (orientation.office_id or "").strip() or None
    url = (orientation.url or "").strip() or None
    phone = (orientation.phone or "").strip() or None
    label = (orientation.label or "").strip()
    if not (office_id or url or phone):
        raise InvalidInput("Indiquez l'organisme de l'annuaire, le site ou le numéro de téléphone.")
    if url and not re.match(r"^https?://[^\s]{3,}$", url):
        raise InvalidInput(
            "Adresse de site invalide (elle doit commencer par http:// ou https://)."
        )
    if phone and not re.match(r"^[0-9+ ().-]{3,32}$", phone):
        raise InvalidInput("Numéro de téléphone invalide.")
    if office_id:
        name = repo.office_name(session, office_id)
        if name is False:
            raise InvalidInput(f"Organisme inconnu de l'annuaire : « {office_id[:80]} ».")
        if isinstance(name, str) and not label:
            label = name
    if not label:
        label = url or phone or office_id or ""
    return Orientation(office_id=office_id, label=label[:255], url=url, phone=phone)


def orient(
    session: Session,
    agent: Agent,
    contact_id: int,
    orientation: Orientation,
    *,
    note: str = "",
    now: datetime | None = None,
) -> Contact:
    """Closed as oriented: the caller is sent to an office, a website or a phone number."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    checked = _check_orientation(session, orientation)
    _add_note(session, contact, agent, note, "answer", now)
    contact.outcome_detail = checked.as_dict()
    _event(
        session,
        contact,
        "oriented",
        now,
        agent,
        office_id=checked.office_id,
        url=checked.url is not None,
        phone=checked.phone is not None,
    )
    _finish(session, contact, agent, "oriented", now)
    return contact


def _move(
    session: Session,
    contact: Contact,
    agent: Agent,
    queue: str,
    kind: str,
    now: datetime,
    **data: Any,
) -> None:
    """Leave the agent and enter `queue`: one row update, so never in no queue or in two."""
    previous = contact.queue
    contact.queue = queue
    contact.level = 1 if queue == LEVEL1_QUEUE else 2
    contact.state = "waiting"
    contact.queued_at = now
    _event(session, contact, kind, now, agent, **{"from": previous}, **data)
    _event(session, contact, "queued", now, agent)
    _leave_agent(session, contact, agent, now)


def escalate(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    sector: str,
    answers: Mapping[str, str],
    note: str,
    sheets: SheetSet,
    suggested_sector: str | None = None,
    agreement: CallerAgreement | None = None,
    now: datetime | None = None,
    calls: CallControl | None = None,
) -> Contact:
    """Level 1 → the sector's queue, with the sheet's answers, the caller's collective agreement
    if level 1 chose it, and a note, in one transaction."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    if contact.level != 1:
        raise Conflict(
            "Ce contact est déjà au second niveau : utilisez « réorienter vers un autre secteur »."
        )
    sheet = sheets.get(sector)
    sheet.validate_answers(dict(answers))
    if suggested_sector is not None and suggested_sector not in (*SECTORS, "aucun"):
        raise InvalidInput(f"Secteur suggéré inconnu : « {suggested_sector} ».")
    if not (note or "").strip():
        raise InvalidInput("Une note d'escalade est obligatoire : résumez ce que vous avez appris.")
    before = (contact.qualification or {}).get("agreement")  # chosen earlier in the contact
    chosen = agreement.as_dict() if agreement is not None else before
    _add_note(session, contact, agent, note, "escalation", now)
    contact.qualification = {
        "sheet": sector,
        "answers": dict(answers),
        "suggested_sector": suggested_sector,
    } | ({"agreement": chosen} if chosen is not None else {})
    contact.sector = sector
    contact.escalations += 1
    _agreement_step(session, contact, agent, before, chosen, now)
    _event(session, contact, "qualified", now, agent, sheet=sector, answers=len(answers))
    _move(session, contact, agent, sector, "escalated", now, sector=sector)
    if calls is not None and contact.call_id:
        calls.transfer(session, contact.call_id, contact.queue)
    return contact


def redirect(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    sector: str,
    reason: str,
    answers: Mapping[str, str] | None = None,
    sheets: SheetSet,
    now: datetime | None = None,
    calls: CallControl | None = None,
) -> Contact:
    """Level 2 → another sector's queue (the contact was not for this sector)."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    if contact.level != 2:
        raise Conflict(
            "Seul un contact du second niveau peut être réorienté vers un autre secteur."
        )
    sheet = sheets.get(sector)
    if sector == contact.queue:
        raise Conflict("Le contact est déjà dans ce secteur.")
    if answers:
        sheet.validate_answers(dict(answers))
    if not (reason or "").strip():
        raise InvalidInput("Indiquez pourquoi le contact change de secteur.")
    _add_note(session, contact, agent, reason, "redirect", now)
    contact.qualification = {
        **contact.qualification,
        "sheet": sector,
        "answers": dict(answers or contact.qualification.get("answers", {})),
    }
    contact.sector = sector
    contact.escalations += 1
    _move(session, contact, agent, sector, "redirected", now, sector=sector)
    if calls is not None and contact.call_id:
        calls.transfer(session, contact.call_id, contact.queue)
    return contact


def return_to_level1(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    reason: str,
    now: datetime | None = None,
    calls: CallControl | None = None,
) -> Contact:
    """Level 2 → level 1, with the reason (e.g. the question is in fact a simple one)."""
    now = _now(now)
    contact = _held(session, agent, contact_id)
    if contact.level != 2:
        raise Conflict("Ce contact est déjà au premier niveau.")
    if not (reason or "").strip():
        raise InvalidInput("Indiquez pourquoi le contact revient au premier niveau.")
    _add_note(session, contact, agent, reason, "return", now)
    _move(session, contact, agent, LEVEL1_QUEUE, "returned", now)
    if calls is not None and contact.call_id:
        calls.transfer(session, contact.call_id, contact.queue)
    return contact


def abandon(
    session: Session, contact: Contact, *, now: datetime | None = None, locked: bool = False
) -> bool:
    """The caller hung up while waiting: the contact ends as abandoned. False if not waiting.

    `locked`: the caller already read `contact` FOR UPDATE in this transaction (the calls
    webhook does), so it is current and is not read again."""
    now = _now(now)
    current = contact if locked else repo.contact(session, contact.id, for_update=True)
    if current is None or current.state != "waiting":
        return False
    current.outcome_detail = {"waited_seconds": round((now - current.queued_at).total_seconds(), 3)}
    _event(session, current, "abandoned", now)
    _finish(session, current, None, "abandoned", now)
    return True


def record_call_event(
    session: Session, contact: Contact, kind: str, *, now: datetime | None = None, **data: Any
) -> None:
    """A telephony step (offered, transferred, ended) on the contact's timeline."""
    _event(session, contact, kind, _now(now), None, **data)
