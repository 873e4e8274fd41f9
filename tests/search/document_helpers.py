"""A bare search document for index-level tests (no database, no rendering)."""

from __future__ import annotations

from allo.search.documents import SearchDocument


def bare_document(doc_id: str, title: str, body: str) -> SearchDocument:
    return SearchDocument(
        id=doc_id,
        source="dila",
        kind="fiche",
        title=title,
        description="",
        audiences=("particuliers",),
        url=f"https://example.test/{doc_id}",
        questions="",
        related="",
        linked_by="",
        context="",
        body=body,
    )
