"""Tables of the privacy domain: the audit log.

An entry says who (agent id), did what (action) to which object (type + id) and when; never
free text nor personal data. `agent_id` is a plain integer, not a foreign key, so the trail
survives the agent's removal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the agent who acted; NULL for the system (retention job) or an anonymous citizen
    agent_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: read / create / update / escalate / close / purge / …
    action: Mapped[str] = mapped_column(String(32))
    #: contact / message / calendar / stats / survey / audit / …
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: identifiers and counts only (checked by allo.privacy.audit.record)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_entry_object", "object_type", "object_id"),)
