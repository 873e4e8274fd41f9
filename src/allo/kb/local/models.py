"""Tables of the local fiches: the working copy with its workflow, and every saved version."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base
from allo.kb.local.versioned_columns import VersionColumns, WorkflowColumns


class LocalFiche(WorkflowColumns, Base):
    """The editors' current copy of a local fiche (its content is that of version `version`)."""

    __tablename__ = "local_fiche"

    #: "L" followed by `number`: the id the fiche keeps in the knowledge base once published
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: particuliers / professionnels / associations
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: one of the six sectors, or "" (level 1)
    sector: Mapped[str] = mapped_column(String(32), default="")
    theme: Mapped[str] = mapped_column(String(255), default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Markdown with the DILA blocks (allo.kb.render.markdown)
    body: Mapped[str] = mapped_column(Text, default="")
    #: « pour le conseiller »: never shown to citizens, never copied into the `fiche` table
    advisor_note: Mapped[str] = mapped_column(Text, default="")
    #: ids of official fiches linked ("voir aussi")
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: directory office types (PivotLocal codes: "prefecture", "mairie"…)
    pivots: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: online services: [{"title", "url"}]
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: external sites: [{"title", "url"}]
    sites: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: « diffusion publique »: shown on the portal; otherwise agents only
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    #: « à revoir avant le »
    review_by: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: adaptation of an official fiche: its id, content hash, date and text when adapted
    source_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_modified: Mapped[date | None] = mapped_column(Date, nullable=True)
    source_title: Mapped[str] = mapped_column(Text, default="")
    source_text: Mapped[str] = mapped_column(Text, default="")


class LocalFicheVersion(VersionColumns, Base):
    """One save of a local fiche."""

    __tablename__ = "local_fiche_version"

    fiche_id: Mapped[str] = mapped_column(
        ForeignKey("local_fiche.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("fiche_id", "number", name="uq_local_fiche_version"),)
