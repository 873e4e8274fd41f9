"""The code articles a search names (« L1224-1 »), as the consoles and the portal show them
above the fiches that cite them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allo.search.service import get_search_service
from allo.web.pages._base import doc


@dataclass(frozen=True)
class ArticleLink:
    label: str = field(metadata=doc("The article as the codes print it (« L1224-1 »)."))
    code_name: str = field(metadata=doc("Its code (« Code du travail »); empty if ambiguous."))
    url: str = field(metadata=doc("Its text on Légifrance, when a fiche gives its address."))
    fiches: int = field(metadata=doc("How many fiches cite it (they come first)."))


def search_articles(runtime: Any, query: str) -> list[ArticleLink]:
    """The articles named by a search (empty: none)."""
    return [
        ArticleLink(a.label, a.code_name, a.url, a.fiches)
        for a in get_search_service(runtime).cited_articles(query)
    ]
