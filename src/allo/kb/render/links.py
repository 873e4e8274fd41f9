"""Where a link to another publication points: our own page when we hold it, else the source."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

FICHE_ID_RE = re.compile(r"^(?:[FNR]\d+|article\d+|\d+|L[\w-]+)$")
#: where each audience's fiches are published today (the sites moved from service-public.fr to
#: service-public.gouv.fr; professional fiches to entreprendre.service-public.gouv.fr)
OFFICIAL_SITES = {
    "particuliers": "https://www.service-public.gouv.fr/particuliers/vosdroits/",
    "professionnels": "https://entreprendre.service-public.gouv.fr/vosdroits/",
    "associations": "https://www.service-public.gouv.fr/associations/vosdroits/",
}
_SP_URL = re.compile(
    r"^(?P<scheme>https?)://(?P<sub>[a-z0-9-]+\.)?service-public\.fr(?P<path>[/?#].*)?$",
    re.IGNORECASE,
)
_PRO_PATH = re.compile(r"^/professionnels-entreprises(?=/|$)", re.IGNORECASE)
#: hosts that stay under service-public.fr (DILA's data feeds)
_KEPT_HOSTS = frozenset({"lecomarquage."})


def official_url(fiche_id: str, audience: str | None = None) -> str:
    base = OFFICIAL_SITES.get((audience or "").lower(), OFFICIAL_SITES["particuliers"])
    return base + fiche_id


def current_url(url: str) -> str:
    """A service-public.fr address as it is today: `www.service-public.fr/particuliers/…` →
    `www.service-public.gouv.fr/particuliers/…`, `…/professionnels-entreprises/…` and
    `entreprendre.service-public.fr/…` → `entreprendre.service-public.gouv.fr/…`. Fiches of
    every period carry both forms; any other address is returned as it is."""
    match = _SP_URL.match(url.strip())
    if match is None:
        return url
    sub = (match["sub"] or "www.").lower()
    if sub in _KEPT_HOSTS:
        return url
    path = match["path"] or "/"
    if sub == "www." and _PRO_PATH.match(path):
        sub, path = "entreprendre.", _PRO_PATH.sub("", path) or "/"
    return f"https://{sub}service-public.gouv.fr{path}"


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
