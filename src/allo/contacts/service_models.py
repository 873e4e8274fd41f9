"""Tables around the contact flow (issue 6): the written channel's private links, the service's
calendar and the anonymous satisfaction ratings.

They live beside `contacts/models.py` (the flow itself) and only point to it: a web message is
a `Contact` with channel "web" plus the hash of its private link.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class WebMessage(Base):
    """The private link of a written question: only the SHA-256 of its token is stored.

    The citizen's email, when given for a notification, is kept here (never in free text, never
    logged) only until the notification is sent, the link expires or the contact is purged.
    """

    __tablename__ = "web_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), unique=True
    )
    #: sha256 hex of the private token (secrets.token_urlsafe(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the link answers 404 after this moment
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: where to say "your answer is ready"; wiped once notified (NULL when not asked)
    notify_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ServiceCalendar(Base):
    """The service's own hours, set by the administrator (one row; absent means the defaults)."""

    __tablename__ = "service_calendar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: {"monday": [["08:00", "20:00"]], …, "sunday": []}
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed_on_public_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    #: extra closed days, ISO dates
    closed_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )


class SurveyResponse(Base):
    """An anonymous rating: what the contact was (channel, sector, outcome), never who or when.

    The key is random and only the day is kept, so neither the order of rows nor a timestamp
    links a rating back to a contact.
    """

    __tablename__ = "survey_response"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: local day of the rating (no time of day)
    day: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: last sector the contact went to, NULL if level 1 kept it
    sector: Mapped[str | None] = mapped_column(String(16), nullable=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the contact's final outcome (answered / oriented / …)
    outcome: Mapped[str] = mapped_column(String(16))
    rating: Mapped[int] = mapped_column(Integer)
    #: optional comment, redacted
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)


class SurveyReceipt(Base):
    """ "This contact has been rated": one rating per contact, with no link to the rating."""

    __tablename__ = "survey_receipt"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True
    )
