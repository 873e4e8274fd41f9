"""The collective agreement a search names (« prime syntec »), as the consoles and the portal
show it beside the fiches: its rules of its own are in its text on Légifrance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allo.search.service import get_search_service
from allo.web.pages._base import doc


@dataclass(frozen=True)
class AgreementLink:
    idcc: str = field(metadata=doc("IDCC number of the collective agreement."))
    title: str = field(metadata=doc("Its official title."))
    url: str = field(metadata=doc("Its text on Légifrance."))


@dataclass(frozen=True)
class AgreementNotice:
    name: str = field(metadata=doc("The words of the search that named it, as typed."))
    agreements: list[AgreementLink] = field(
        metadata=doc("The agreements the name fits (« bâtiment ouvriers »: two, by size).")
    )


def search_agreement(runtime: Any, query: str) -> AgreementNotice | None:
    """The agreement named by a search, or None (the fiche search leaves its name out)."""
    found = get_search_service(runtime).agreement_in(query)
    if found is None:
        return None
    return AgreementNotice(
        name=found.name_text,
        agreements=[AgreementLink(a.idcc, a.title, a.url) for a in found.agreements],
    )
