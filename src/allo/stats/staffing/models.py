"""Tables of the staffing package: imported rosters (who is planned on which queue, when).

A shift is either a named agent (`agent`, count 1) or an anonymous head count (`count` people,
`agent` NULL), on one queue, from `start` to `end` (UTC), minus its breaks. Imports only add
rows: a re-import never overwrites what is stored; an import can be withdrawn as a whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class RosterImport(Base):
    """One roster file as imported: its name, who imported it, what was kept and rejected."""

    __tablename__ = "staffing_roster_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: file name as given (no path)
    source: Mapped[str] = mapped_column(String(255), default="")
    shifts: Mapped[int] = mapped_column(Integer, default=0)
    #: [{"line": n, "message": "…"}] for the rows that were refused
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Shift(Base):
    """People planned on one queue over one span of time."""

    __tablename__ = "staffing_shift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("staffing_roster_import.id", ondelete="CASCADE"), index=True
    )
    #: agent's login or name as written in the roster, NULL for a head count
    agent: Mapped[str | None] = mapped_column(String(128), nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    queue: Mapped[str] = mapped_column(String(32))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    #: [[start ISO UTC, end ISO UTC], …] within the shift
    breaks: Mapped[list[list[str]]] = mapped_column(JSON, default=list)

    __table_args__ = (
        CheckConstraint("count >= 1", name="count"),
        CheckConstraint('"end" > start', name="span"),
        Index("ix_staffing_shift_start_end", "start", "end"),
    )
