"""Tables of the editorial backlog: flags raised by agents on fiches, and the portal's
aggregated "searched without an answer" counts.

A flag keeps a snapshot of the fiche title (a withdrawn fiche still reads well in the list) and
the contact's theme and sector (not the contact's text). Notes and answers are redacted before
storage. Portal queries are never stored one by one: only a redacted, normalised wording with
its counts per day, deleted with the service's retention.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow

#: What an agent can say about a fiche, with its French label.
FLAG_KINDS: dict[str, str] = {
    "a_corriger": "À corriger",
    "incomplete": "Incomplète",
    "obsolete": "Obsolète",
    "manque": "Manque une fiche",
}
#: open: waiting for an editor; handled: an editor answered it.
FLAG_STATES: dict[str, str] = {"open": "À traiter", "handled": "Traité"}


def _in(column: str, values: dict[str, str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class FicheFlag(Base):
    """A fiche flagged from a console (« à corriger », « manque une fiche »…) and its handling."""

    __tablename__ = "fiche_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the agent who flagged (NULL once the agent is removed)
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: a key of FLAG_KINDS
    kind: Mapped[str] = mapped_column(String(16))
    #: the fiche concerned; NULL for « manque une fiche » without a close fiche
    fiche_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: the fiche's title when flagged
    fiche_title: Mapped[str] = mapped_column(Text, default="")
    #: the agent's short note, redacted
    note: Mapped[str] = mapped_column(Text, default="")
    #: what redaction removed from the note: [{"kind", "start", "end"}] (no values)
    note_redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the contact being handled when the fiche was flagged, if any
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), nullable=True
    )
    #: the contact's theme and sector when flagged (empty / NULL without a contact)
    theme: Mapped[str] = mapped_column(String(255), default="")
    sector: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: a key of FLAG_STATES
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handled_by: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: the editor's short answer, redacted
    answer: Mapped[str] = mapped_column(Text, default="")
    answer_redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        CheckConstraint(_in("kind", FLAG_KINDS), name="kind"),
        CheckConstraint(_in("state", FLAG_STATES), name="state"),
    )


class PortalQueryCount(Base):
    """How often one (redacted, normalised) wording was searched on the portal on one day, how
    often it found nothing, and how often a fiche was opened from its results."""

    __tablename__ = "portal_query_count"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    wording: Mapped[str] = mapped_column(String(200), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    #: searches that found no fiche at all
    empty: Mapped[int] = mapped_column(Integer, default=0)
    #: fiches opened from a result page of this wording
    opened: Mapped[int] = mapped_column(Integer, default=0)
