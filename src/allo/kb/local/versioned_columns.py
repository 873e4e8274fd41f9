"""Columns every piece of versioned content has (local fiches, escalation sheets): the
workflow fields `allo.kb.local.workflow` changes on the working copy, and who saved each
version, when and why. One declaration, so both tables follow the same workflow by construction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from allo.db.base import UTCDateTime, utcnow
from allo.kb.local.workflow import STATE_LABELS

#: brouillon → en relecture → publiée → archivée
STATES = tuple(STATE_LABELS)


class WorkflowColumns:
    """The working copy's state; its content is that of version `version`."""

    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: number of the current version (a save's `base_version` must equal it)
    version: Mapped[int] = mapped_column(Integer, default=1)
    last_author_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: the version a second editor approved (four-eyes), if any
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: the version advisors use now (None: not published)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # a constraint belongs to one table: each class gets its own
        states = ", ".join(f"'{s}'" for s in STATES)
        return (CheckConstraint(f"state IN ({states})", name="state"),)


class VersionColumns:
    """One save: who, when, why, and the whole editable content then (a JSON snapshot)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )
    #: kept so history stays readable after an agent is removed, and for export
    author_name: Mapped[str] = mapped_column(String(128), default="")
    comment: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
