"""Tables of the escalation sheets: the editors' copy with its workflow, and every version.

A sheet's content is the structured data of its JSON file (`allo/kb/escalation/<id>.json`);
the consoles read `published_content`, so editing a sheet never changes what advisors use
until a second editor publishes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base
from allo.kb.local.versioned_columns import VersionColumns, WorkflowColumns


class EscalationSheetRow(WorkflowColumns, Base):
    """One escalation sheet (id: the sector, or `niveau1`); content of version `version`."""

    __tablename__ = "escalation_sheet"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: what the consoles use (None: never published)
    published_content: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class EscalationSheetVersion(VersionColumns, Base):
    """One save of a sheet."""

    __tablename__ = "escalation_sheet_version"

    sheet_id: Mapped[str] = mapped_column(
        ForeignKey("escalation_sheet.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("sheet_id", "number", name="uq_escalation_sheet_version"),)
