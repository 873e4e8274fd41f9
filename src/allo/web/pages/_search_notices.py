"""What a search names besides its words, as the consoles and the portal show it above the
fiches: a collective agreement (« prime syntec »: its own rules are in its text on Légifrance)
and code articles (« L1224-1 »: the fiches citing them come first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allo.search.agreements import default_catalog
from allo.search.service import get_search_service
from allo.web.pages._base import doc


@dataclass(frozen=True)
class AgreementLink:
    idcc: str = field(metadata=doc("IDCC number of the collective agreement."))
    title: str = field(metadata=doc("Its official title."))
    url: str = field(metadata=doc("Its text on Légifrance."))


@dataclass(frozen=True)
class AgreementNotice:
    name: str = field(
        metadata=doc("The words of the search that named it, as typed (empty: only chosen).")
    )
    agreements: list[AgreementLink] = field(
        metadata=doc(
            "The agreements the name fits (« bâtiment ouvriers »: two, by size); the one chosen "
            "in the picker first."
        )
    )
    chosen: bool = field(
        default=False, metadata=doc("Whether the first is the caller's, chosen in the picker.")
    )


@dataclass(frozen=True)
class ArticleLink:
    label: str = field(metadata=doc("The article as the codes print it (« L1224-1 »)."))
    code_name: str = field(metadata=doc("Its code (« Code du travail »); empty if ambiguous."))
    url: str = field(metadata=doc("Its text on Légifrance, when a fiche gives its address."))
    fiches: int = field(metadata=doc("How many fiches cite it (they come first)."))


@dataclass(frozen=True)
class SearchNotices:
    agreement: AgreementNotice | None = field(
        metadata=doc("The collective agreement the search names (« prime syntec »), if any.")
    )
    articles: list[ArticleLink] = field(
        metadata=doc("The code articles the search names (« L1224-1 »): their fiches first.")
    )

    def __bool__(self) -> bool:
        return self.agreement is not None or bool(self.articles)


#: the longest label of the picker's options (one short title runs to 300 characters)
OPTION_LABEL = 90


def agreement_options() -> list[tuple[str, str]]:
    """(IDCC, label) of every collective agreement, as the consoles' picker lists them."""

    def label(title: str) -> str:
        return title if len(title) <= OPTION_LABEL else title[: OPTION_LABEL - 1].rstrip() + "…"

    return [
        (a.idcc, f"{label(a.short_title)} (IDCC {a.idcc})") for a in default_catalog().choices()
    ]


def agreement_link(idcc: str) -> AgreementLink | None:
    """The agreement of an IDCC chosen in a picker (« 44 »: the list's « 0044 »), as a link;
    None if none is chosen; an unknown one is refused (InvalidInput, in French). The search's
    own list, read without building the search index."""
    chosen = default_catalog().chosen(idcc)
    return AgreementLink(chosen.idcc, chosen.title, chosen.url) if chosen is not None else None


def search_notices(runtime: Any, query: str, idcc: str = "") -> SearchNotices:
    """What a search names (the fiche search leaves those words out), read once; `idcc`: the
    agreement chosen in the picker, first."""
    found = get_search_service(runtime).notices(query, idcc or None)
    agreement = found.agreement
    return SearchNotices(
        agreement=AgreementNotice(
            name=agreement.name_text,
            agreements=[AgreementLink(a.idcc, a.title, a.url) for a in agreement.agreements],
            chosen=bool(idcc),
        )
        if agreement is not None
        else None,
        articles=[ArticleLink(a.label, a.code_name, a.url, a.fiches) for a in found.articles],
    )
