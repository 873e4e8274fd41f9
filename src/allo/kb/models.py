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

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
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


class ChangeReport(Base):
    """What one import or sync changed in the official data, for the editors' watch.

    Recorded in the import's own transaction (a rolled-back import leaves no report); a sync
    that refuses a file records a report with `status = "refused"` and the French reason.
    The items say what changed; counts are kept here so a list of reports needs no join.
    """

    __tablename__ = "kb_change_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: what ran: "kb-import", "directory-import" or "data-sync" (see allo.kb.changes.TRIGGERS)
    trigger: Mapped[str] = mapped_column(String(32))
    #: "applied" (the changes are in the base) or "refused" (nothing changed, see `message`)
    status: Mapped[str] = mapped_column(String(16), default="applied")
    #: one French sentence: the summary, or why a sync changed nothing
    message: Mapped[str] = mapped_column(Text, default="")
    #: {"fiche": {"new": 3, "changed": 12, "withdrawn": 0}, "office": {…}}
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    #: names of the files read (no paths: they may name a user's folders)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)


class ChangeItem(Base):
    """One fiche or office that appeared, changed or was withdrawn in a report.

    `object_id` is the fiche or office ID (kept after a withdrawal: the row it named is gone).
    Editors mark an item as seen (`seen_at`, `seen_by`); an adapted local fiche whose source
    changed is found by `object_id` among the fiche items.
    """

    __tablename__ = "kb_change_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("kb_change_reports.id", ondelete="CASCADE"), index=True
    )
    #: "fiche" or "office"
    domain: Mapped[str] = mapped_column(String(16))
    #: "new", "changed" or "withdrawn"
    action: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[str] = mapped_column(String(80), index=True)
    #: the fiche's or office's title (its former title when withdrawn)
    title: Mapped[str] = mapped_column(Text, default="")
    #: a fiche's theme (dc:subject); an office's type code ("mairie", "caf"…)
    theme: Mapped[str] = mapped_column(String(255), default="")
    #: a fiche's audiences ("particuliers"…); empty for an office
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the fields that changed (fiche: title, text, audiences…; office: phone, hours…)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: readable diff: a unified diff of a fiche's text, "field: before → after" lines for an office
    diff: Mapped[str] = mapped_column(Text, default="")
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_by: Mapped[int | None] = mapped_column(
        ForeignKey("agent.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (Index("ix_kb_change_items_report_domain", "report_id", "domain", "action"),)
