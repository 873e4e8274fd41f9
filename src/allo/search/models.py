"""Sentence vectors and answer passages of the searchable fiches, stored once in the database for every process.

Keyed by sha256(model name + embedded text): a changed fiche gets a new row, an unchanged one is
never embedded again, and a model change starts a new set beside the old one. Vectors are float16
(768 bytes for e5-small's 384 dimensions).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class SearchVector(Base):
    __tablename__ = "search_vector"

    #: hex sha256 of "<model>\n<text>" (allo.search.embcache.text_key)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the embedder's name, model and version (coverage and clean-up are per model)
    model: Mapped[str] = mapped_column(String(128), index=True)
    dim: Mapped[int] = mapped_column(Integer)
    #: float16, little-endian, `dim` values
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchPassages(Base):
    """A fiche's passages (sections, situations, cases: allo.search.passages), taken from its
    body by the import so that no worker or request ever reads a body to show a passage."""

    __tablename__ = "search_passage"

    fiche_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the fiche's content hash they were taken from (another hash: stale)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: allo.search.passages.EXTRACTOR that took them (another value: taken again)
    extractor: Mapped[str] = mapped_column(String(32))
    #: allo.search.passages.ANALYSIS of the stored terms (another value: terms recomputed when
    #: shown, and the passages taken again by the next import or `allo search reindex`)
    analysis: Mapped[str] = mapped_column(String(32))
    #: zlib-compressed JSON (allo.search.passages.encode)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: the titles of its sections and situations (allo.search.passages.section_titles): the
    #: dense model reads them after the title and description
    titles: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # passage_titles_version() reads count and max(created_at) on every index freshness
        # check: 0.2 ms from this index instead of 5.7 ms scanning the passages (full corpus)
        Index("ix_search_passage_created_at", "created_at"),
    )
