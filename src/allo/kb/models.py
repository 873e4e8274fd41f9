"""The fiche: one answer sheet of the knowledge base, whatever its source.

Identifiers are the source's own (DILA `F1342`/`N358`/`R54755`, travail-emploi `article375542`);
local fiches written by editors get the `L` prefix. A fiche published under several audiences is
one row whose `audiences` lists them all.

Each source record a fiche is built from (the same DILA ID exported under several audiences, or
one travail-emploi record) is kept as a `FicheVariant`: re-imports compare per-variant hashes, and
an import that covers only one feed can rebuild the merged row without the other feeds' files.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class Fiche(Base):
    __tablename__ = "fiche"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: "dila", "travail" or "local"
    source: Mapped[str] = mapped_column(String(16), index=True)
    #: normalised publication kind: fiche, question, dossier, theme, sous-theme, ressource,
    #: comment-faire, service, definition… (see allo.kb.kinds)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    #: the source's own label, e.g. "Fiche d'information conditionnée"
    type_label: Mapped[str] = mapped_column(String(128), default="")
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    #: dc:subject, the theme ("Papiers - Citoyenneté")
    subject: Mapped[str] = mapped_column(String(255), default="")
    #: FilDAriane: [{"id": "N19810", "title": "Papiers - Citoyenneté"}, …]
    breadcrumb: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: ["particuliers", "professionnels", "associations"] (sorted, distinct)
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str] = mapped_column(String(512), default="")
    modified: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: the source markup: the DILA <Publication> XML, or HTML for travail-emploi and local fiches
    body: Mapped[str] = mapped_column(Text, default="")
    #: "dila-xml" or "html"
    body_format: Mapped[str] = mapped_column(String(16), default="dila-xml")
    #: plain text of the body, for search and the text rendering
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"id": "F1341", "title": "…", "rel": "fiche-liee|question-reponse|voir-aussi|lien-interne|relation|dossier"}]
    related: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: online services and forms: [{"id", "title", "url", "kind": "teleservice|formulaire|…", "cerfa"}]
    services: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: OuSAdresser PivotLocal codes, the directory's office types ("mairie", "caf", …)
    pivots: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: OuSAdresser national contacts: [{"title", "url", "phone", "text"}]
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: legal references: [{"title", "url"}] from <Reference> and dc:source
    references: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the body rendered to HTML as the pages show it, links resolved (allo.kb.stored_html), so a
    #: page shows a fiche without parsing its XML; None until rendered. Re-rendered by the import when the
    #: fiche changes, a fiche it links to appears, goes or changes title, or the renderer changes.
    html: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    #: fingerprint of the renderer that made `html` (allo.kb.stored_html.RENDERER); another value
    #: means the stored HTML is stale
    html_renderer: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: sha256 of the source content, so a re-import rewrites only what changed
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_fiche_source_kind", "source", "kind"),
        # kb_version() reads max(updated_at) on every search-index freshness check.
        Index("ix_fiche_updated_at", "updated_at"),
    )


class FicheVariant(Base):
    """One source record of a fiche, as imported from one feed."""

    __tablename__ = "fiche_variant"

    fiche_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("fiche.id", ondelete="CASCADE"), primary_key=True
    )
    #: the export it came from: "particuliers", "professionnels", "associations" or "travail"
    feed: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: sha256 of the raw source record
    content_hash: Mapped[str] = mapped_column(String(64))
    #: the raw source record (XML bytes or JSON), zlib-compressed
    source: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
