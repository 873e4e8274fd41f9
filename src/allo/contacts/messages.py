"""The written channel: a citizen's question from the portal, without an account.

The message becomes an ordinary `Contact` (channel "web") in the level-1 queue, created by the
flow's own `services.create_contact`, so advisors take, answer, orient and escalate it exactly
like a phone contact; the written answer is the answer note (`ContactNote` kind "answer").

The citizen gets a private link: `secrets.token_urlsafe(32)` (256 bits), returned once; only
its SHA-256 is stored (`WebMessage.token_hash`), so the database cannot rebuild a link. An
unknown, forged or expired token gives the same NotFound, whichever it was.

Optional commune and email: both are removed from the stored question (the email by the
redaction; the commune's code, given separately, is kept as the contact's INSEE code, and its
occurrences in the text are masked too). The email, if given for a notification, is stored
apart in `WebMessage.notify_email` — never in free text, never logged — and wiped as soon as
the "your answer is ready" notice is sent, or when the link expires or the contact is purged.
The link itself travels only in the acknowledgement sent at once (it is never stored).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.contacts import calendar, services
from allo.contacts.models import Contact, ContactNote
from allo.contacts.notifier import Notifier
from allo.contacts.service_models import WebMessage
from allo.contacts.surveys import already_rated
from allo.db.base import utcnow
from allo.errors import InvalidInput, NotFound

TOKEN_BYTES = 32
#: Long enough to come back for the answer; never beyond the retention of the text itself.
MAX_LINK_DAYS = 60
NOT_FOUND = "Ce lien est introuvable ou a expiré."
STATUS_LABELS = {
    "waiting": "Votre question est en attente de traitement.",
    "taken": "Un conseiller traite votre question.",
    "closed": "Une réponse vous a été apportée.",
    "abandoned": "Votre question n'a pas pu être traitée.",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_days(retention_days: int) -> int:
    return max(1, min(MAX_LINK_DAYS, retention_days))


def _check_email(email: str | None) -> str | None:
    value = (email or "").strip()
    if not value:
        return None
    # One mailbox, checked by email-validator (RFC 5322 syntax, no list, no display name, no
    # quoted local part); no DNS look-up on the request path.
    try:
        checked = validate_email(value, check_deliverability=False, allow_quoted_local=False)
    except EmailNotValidError:
        raise InvalidInput(
            "Adresse électronique invalide (une seule adresse, exemple : prenom.nom@exemple.fr)."
        ) from None
    return checked.normalized


def _mask(text: str, secret: str | None, placeholder: str) -> str:
    if not secret:
        return text
    return re.sub(re.escape(secret), placeholder, text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Submitted:
    contact: Contact
    message: WebMessage
    #: the private token, to hand to the citizen once (never stored)
    token: str
    #: the service is closed now: the message waits for the reopening
    service_closed: bool
    #: when it reopens (None if open now, or closed for more than a year)
    queued_until: datetime | None


def submit(
    session: Session,
    *,
    question: str,
    commune: str | None,
    email: str | None,
    retention_days: int,
    tz: ZoneInfo,
    notifier: Notifier | None = None,
    link_base: str = "",
) -> Submitted:
    """Queue a written question at level 1 and issue its private link."""
    address = _check_email(email)
    text = (question or "").strip()
    if not text:
        raise InvalidInput("La question est vide : écrivez votre question.")
    text = _mask(text, address, "[courriel]")
    text = _mask(text, (email or "").strip() or None, "[courriel]")
    text = _mask(text, (commune or "").strip() or None, "[commune]")
    hours = calendar.ensure_accepts(session, "web", tz)
    contact = services.create_contact(session, channel="web", question=text, commune=commune)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    message = WebMessage(
        contact_id=contact.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=link_days(retention_days)),
        notify_email=address,
    )
    session.add(message)
    session.flush()
    if address and notifier is not None:
        notifier.send(
            address,
            "Allo — votre question a bien été reçue",
            "Votre question a bien été reçue. Vous lirez la réponse à cette adresse privée, "
            f"à conserver : {link_base}{token}\n"
            "Nous vous écrirons ici quand la réponse sera prête.",
        )
    closed = not calendar.is_open(hours, now, tz)
    return Submitted(
        contact=contact,
        message=message,
        token=token,
        service_closed=closed,
        queued_until=calendar.next_opening(hours, now, tz) if closed else None,
    )


def find(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[WebMessage, Contact]:
    """The message behind a private token; NotFound (same message) if unknown or expired."""
    if not token or len(token) > 128:
        raise NotFound(NOT_FOUND)
    message = session.scalar(select(WebMessage).where(WebMessage.token_hash == hash_token(token)))
    if message is None or message.expires_at <= (now or utcnow()):
        raise NotFound(NOT_FOUND)
    contact = session.get(Contact, message.contact_id)
    if contact is None:
        raise NotFound(NOT_FOUND)
    return message, contact


def public_view(session: Session, message: WebMessage, contact: Contact) -> dict[str, Any]:
    """What the citizen may read: status, their (redacted) question and the written answer."""
    answers = list(
        session.scalars(
            select(ContactNote)
            .where(ContactNote.contact_id == contact.id, ContactNote.kind == "answer")
            .order_by(ContactNote.created_at, ContactNote.id)
        )
    )
    closed = contact.state == "closed"
    detail = contact.outcome_detail or {}
    return {
        "status": contact.state,
        "status_label": STATUS_LABELS.get(contact.state, ""),
        "sent_at": message.created_at,
        "expires_at": message.expires_at,
        "question": contact.question,
        "purged": contact.purged_at is not None,
        "outcome": contact.outcome if closed else None,
        "answered_at": contact.closed_at if closed else None,
        "answer": "\n\n".join(n.text for n in answers if n.text) if closed else "",
        "fiche_ids": list(detail.get("fiche_ids", [])) if closed else [],
        "orientation": (
            {k: detail.get(k) for k in ("label", "url", "phone", "office_id")}
            if closed and contact.outcome == "oriented"
            else None
        ),
        "transferred_to_specialist": contact.escalations > 0,
        "can_rate": closed and not already_rated(session, contact.id),
    }


def notify_answered(session: Session, notifier: Notifier, *, limit: int = 200) -> int:
    """Tell citizens whose question is closed that the answer is ready; wipe their email."""
    rows = session.execute(
        select(WebMessage)
        .join(Contact, Contact.id == WebMessage.contact_id)
        .where(
            WebMessage.notify_email.is_not(None),
            WebMessage.notified_at.is_(None),
            Contact.state == "closed",
        )
        .order_by(WebMessage.id)
        .limit(limit)
        # every app worker runs this job: each notice is locked by one of them (PostgreSQL);
        # SQLite write transactions are serialised anyway
        .with_for_update(of=WebMessage, skip_locked=True)
    ).scalars()
    sent = 0
    for message in rows:
        address = message.notify_email
        if not address:
            continue
        notifier.send(
            address,
            "Allo — la réponse à votre question est prête",
            "La réponse à votre question est prête. Ouvrez l'adresse privée qui vous a été "
            "donnée lors de l'envoi de votre question pour la lire.",
        )
        message.notify_email = None
        message.notified_at = utcnow()
        sent += 1
    session.flush()
    return sent
