"""Tables of the contacts domain: agents and their sessions, contacts, and the contact's steps.

Queue membership is one column on the contact (`queue`, never NULL): a contact is in exactly
one queue at every moment by construction, and escalation is a single UPDATE of that column
in the same transaction as its event. `state` says where it stands within that queue.

Free text (question, notes) is stored only after redaction; events carry no free text, so the
retention purge (issue 6) only has to blank `Contact.question` and `ContactNote.text`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow
from allo.kb import escalation

#: The six specialist sectors of the second level (seed), which are also their queue names; the
#: knowledge base defines them, with each sector's escalation sheet.
SECTORS: tuple[str, ...] = escalation.SECTORS
#: The level-1 queue.
LEVEL1_QUEUE = "niveau1"
QUEUES: tuple[str, ...] = (LEVEL1_QUEUE, *SECTORS)

ROLES: tuple[str, ...] = ("advisor", "specialist", "editor", "supervisor", "administrator")
AGENT_STATES: tuple[str, ...] = ("available", "busy", "paused", "offline")

CHANNELS: tuple[str, ...] = ("phone", "web", "email")
CHANNEL_LABELS = {"phone": "Téléphone", "web": "Question écrite", "email": "Courriel"}
QUEUE_LABELS: dict[str, str] = {
    "niveau1": "Premier niveau",
    "interieur": "Intérieur",
    "travail": "Travail",
    "consommation": "Consommation",
    "justice": "Justice",
    "fiscalite": "Fiscalité",
    "logement": "Logement - Urbanisme",
}
#: waiting: in its queue, nobody has it; taken: an agent handles it; closed / abandoned: final.
CONTACT_STATES: tuple[str, ...] = ("waiting", "taken", "closed", "abandoned")
CONTACT_STATE_LABELS = {
    "waiting": "En attente",
    "taken": "En cours",
    "closed": "Clôturé",
    "abandoned": "Abandonné",
}
#: Final outcome of a contact (NULL while open). `escalated` is a step, not an outcome.
OUTCOMES: tuple[str, ...] = ("answered", "oriented", "abandoned")
OUTCOME_LABELS = {"answered": "Répondu", "oriented": "Orienté", "abandoned": "Abandonné"}

#: Kinds of ContactEvent, in the order they usually happen.
EVENT_KINDS: tuple[str, ...] = (
    "created",  # arrival (data: channel)
    "queued",  # entered a queue (queue)
    "offered",  # telephony: call presented to the platform
    "taken",  # an agent took it (agent_id, queue, data: wait_seconds)
    "consulted",  # a fiche was opened (data: fiche_id)
    "noted",  # a note was added (data: note_id)
    "qualified",  # escalation sheet answers recorded
    "agreement",  # the caller's collective agreement chosen (data: idcc) or cleared (idcc None)
    "escalated",  # level 1 → sector queue (data: sector)
    "redirected",  # sector → another sector (data: from, to)
    "returned",  # sector → level 1 (data: from)
    "released",  # agent put it back in its queue without an outcome
    "answered",  # outcome (data: fiche_ids)
    "oriented",  # outcome (data: office_id / url / phone)
    "connected",  # telephony: the call was put through to the agent who took the contact
    "transferred",  # telephony: the call followed an escalation
    "closed",  # final step (data: outcome, handling_seconds)
    "abandoned",  # caller hung up while waiting
    "ended",  # telephony: the call ended
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Agent(Base):
    """A person who logs in: advisor, specialist (with sectors), editor, supervisor, administrator."""

    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: login name, unique, lower-case
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))
    #: sectors a specialist covers (empty for other roles)
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: argon2id hash (argon2-cffi PasswordHasher)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: available / busy / paused / offline, for supervision
    state: Mapped[str] = mapped_column(String(16), default="offline")
    state_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_in("state", AGENT_STATES), name="state"),
    )


class AgentToken(Base):
    """A login session: the API bearer token and the console cookie carry the same secret.

    Only its SHA-256 is stored, so a database leak gives no usable session; the table is shared
    by every app worker, so a token works whichever worker receives the request.
    """

    __tablename__ = "agent_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Contact(Base):
    """One question from a citizen, by phone, web message or email, from arrival to closing."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: phone / web / email
    channel: Mapped[str] = mapped_column(String(16))
    #: arrival time
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: question summary, redacted
    question: Mapped[str] = mapped_column(Text, default="")
    #: what redaction removed from the question: [{"kind", "start", "end"}] (no values)
    question_redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: INSEE code of the caller's commune (optional; a place, not an identity)
    commune: Mapped[str | None] = mapped_column(String(5), nullable=True)
    #: theme chosen by the advisor (e.g. a fiche subject: "Travail")
    theme: Mapped[str] = mapped_column(String(255), default="")
    #: the queue the contact is in (exactly one, always): niveau1 or a sector
    queue: Mapped[str] = mapped_column(String(32), default=LEVEL1_QUEUE)
    #: waiting / taken / closed / abandoned
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    #: 1 while at level 1, 2 once escalated to a sector (back to 1 if returned)
    level: Mapped[int] = mapped_column(Integer, default=1)
    #: the sector it was escalated to (last one), NULL if never escalated
    sector: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: the agent handling it now (state "taken"), else NULL
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: when it entered its current queue (the "take next" order and the wait figures)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when a level-1 agent first took it (wait at level 1 = first_taken_at - created_at)
    first_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: when the current agent took it
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: answered / oriented / abandoned once closed, NULL while open
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: answered: {"fiche_ids": [...]}; oriented: {"office_id", "label", "url", "phone"}
    outcome_detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: fiche ids consulted, in order, distinct
    fiches_consulted: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: escalation sheet answers: {"sheet": sector, "answers": {question_id: value}}
    qualification: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: number of escalations (level 1 → sector, sector → sector)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    #: telephony call id, for the connector; never the caller's number
    call_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    #: when the free text was purged by retention (issue 6), NULL until then
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("queue", QUEUES), name="queue"),
        CheckConstraint(_in("state", CONTACT_STATES), name="state"),
        CheckConstraint("level IN (1, 2)", name="level"),
        Index("ix_contact_queue_state_queued_at", "queue", "state", "queued_at"),
    )


class ContactNote(Base):
    """A note by an agent (redacted free text); the escalation note is one with kind "escalation"."""

    __tablename__ = "contact_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: level of the contact when written (1 or 2)
    level: Mapped[int] = mapped_column(Integer, default=1)
    #: note / escalation / return (reason sent back to level 1) / answer
    kind: Mapped[str] = mapped_column(String(16), default="note")
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"kind", "start", "end"}]
    redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactEvent(Base):
    """One timestamped step of a contact (no free text): the figures are computed from these."""

    __tablename__ = "contact_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: the contact's queue after this step
    queue: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer, default=1)
    #: small structured details (ids, sectors, durations), never free text
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),)
