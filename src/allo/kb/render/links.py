"""Where a link to another publication points: our own page when we hold it, else the source."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

FICHE_ID_RE = re.compile(r"^(?:[FNR]\d+|article\d+|\d+|L[\w-]+)$")
_SP_PATHS = {
    "particuliers": "particuliers",
    "professionnels": "professionnels-entreprises",
    "associations": "associations",
}


def official_url(fiche_id: str, audience: str | None = None) -> str:
    path = _SP_PATHS.get((audience or "").lower(), "particuliers")
    return f"https://www.service-public.fr/{path}/vosdroits/{fiche_id}"


def link_targets(
    related: Iterable[Mapping[str, Any]] | None, breadcrumb: Iterable[Mapping[str, Any]] | None
) -> set[str]:
    """The publications a fiche's rendering links to: its related items and its breadcrumb."""
    targets = {str(item["id"]) for item in related or [] if item.get("id")}
    targets.update(str(crumb["id"]) for crumb in breadcrumb or [] if crumb.get("id"))
    return targets


class LinkResolver(Protocol):
    def href(self, fiche_id: str, audience: str | None = None) -> str: ...

    def title(self, fiche_id: str) -> str | None: ...

    def is_local(self, fiche_id: str) -> bool: ...


class KnownFiches:
    """Resolves to `/fiches/ID` for the fiches of the knowledge base, to service-public.fr otherwise.

    `titles` maps the IDs we hold to their titles (used when a link has no text of its own);
    `None` means "assume every ID is held" (rendering without a database).
    """

    def __init__(self, titles: Mapping[str, str] | None = None, base: str = "/fiches/") -> None:
        self.titles = titles
        self.base = base

    def is_local(self, fiche_id: str) -> bool:
        return self.titles is None or fiche_id in self.titles

    def href(self, fiche_id: str, audience: str | None = None) -> str:
        if self.is_local(fiche_id):
            return self.base + fiche_id
        return official_url(fiche_id, audience)

    def title(self, fiche_id: str) -> str | None:
        return None if self.titles is None else self.titles.get(fiche_id)
