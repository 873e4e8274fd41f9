"""Collective agreements named in a query: « prime syntec », « jours fériés restauration rapide ».

A labour question often names the caller's collective agreement. What the agreement adds (its
primes, its extra days) is in its own text, not in the fiches, and its name says nothing of
which fiche answers: « industrie pharmaceutique » in « prime naissance industrie
pharmaceutique » draws fiches on medicines. As with a place in « caf lyon », the name is read
out of the query: the fiches are searched without it, those that say a collective agreement can
change the answer come first (`RankingConfig.agreement_weight`), and the agreement itself
(IDCC, title, Légifrance) is shown beside them.

Names come from the official list (data/search/agreements.json, DILA's KALI base through
@socialgouv/kali-data; scripts/vendor_agreements.py): each agreement's short title and runs of
two words or more of its parts, a one-word short title (« Banque », « Plasturgie »), and the
acronyms of its titles (HCR, SYNTEC, FEHAP). A name counts only when the query says it is an
agreement (« convention », « collective », « CCN », « IDCC ») or when the base itself hardly
uses it: « prime industrie pharmaceutique » names an agreement, « crédit immobilier »,
« agent immobilier » or « pass sport » do not (docs/SEARCH.md, « Collective agreements »).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from allo.errors import InvalidInput
from allo.search.analysis import DATA_DIR, fold, stop_words, words
from allo.search.lexicon import light_key

AGREEMENTS_FILE = DATA_DIR / "agreements.json"
#: words of the official names that name no sector: they neither make nor break a name
FILLERS = frozenset(
    {
        "activite",
        "assimile",
        "collectiv",
        "connex",
        "convention",
        "dit",
        "entrepris",
        "jusqu",
        "national",
        "occupant",
        "personnel",
        "plu",
        "profession",
        "salari",
        "tome",
    }
)
#: a query word saying that what follows or precedes is a collective agreement (light keys)
CUES = frozenset({"convention", "collectiv", "ccn", "cc", "idcc"})
#: a name of two words or more, or an acronym, that more of the base's titles and descriptions
#: than this hold is an ordinary phrase there (« agent immobilier », « transport aérien »)
MAX_TITLE_USES = 2
#: the longest run of typed words tried as a name (« Gardiens Concierges Et Employes
#: D'Immeubles »: five)
MAX_NAME_WORDS = 8
_ACRONYM = re.compile(r"\b[A-ZÉÈ]{3,}\b")
_ROMAN = re.compile(r"^[IVXLC]+$")
_NUMBER = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True, slots=True)
class Agreement:
    """A national collective agreement: its IDCC number, titles and text on Légifrance."""

    idcc: str
    title: str
    short_title: str
    url: str


@dataclass(frozen=True, slots=True)
class AgreementQuery:
    """What a query names: the agreement(s), the words that named it, the rest of the query."""

    #: the agreements the name fits, best first (« bâtiment ouvriers »: two, by company size)
    agreements: tuple[Agreement, ...]
    #: the words that named it, as typed
    name_text: str
    #: the query without them: what the fiche search runs on (empty: nothing else was typed)
    rest: str


@dataclass(frozen=True, slots=True)
class _Name:
    agreements: tuple[Agreement, ...]
    #: "acronym", "words" (two or more) or "word" (a one-word short title)
    kind: str


def _keys(text: str) -> list[str]:
    """The content words of a name or query fragment, as light keys."""
    stops = stop_words()
    return [k for k in (light_key(w) for w in words(text) if w not in stops) if k not in FILLERS]


class AgreementCatalog:
    """Every agreement by the names a query can give it."""

    def __init__(self, agreements: list[Agreement]) -> None:
        self.agreements = agreements
        self.by_idcc = {a.idcc.lstrip("0"): a for a in agreements}
        found: dict[tuple[str, ...], tuple[list[Agreement], str]] = {}

        def add(key: tuple[str, ...], agreement: Agreement, kind: str) -> None:
            entry = found.setdefault(key, ([], kind))
            if agreement not in entry[0]:
                entry[0].append(agreement)

        for agreement in agreements:
            main = agreement.short_title.split("(")[0]
            for part in [main, *re.split(r"[:,]", main)]:
                keys = _keys(part)
                for i in range(len(keys) - 1):
                    for j in range(i + 2, len(keys) + 1):
                        add(tuple(keys[i:j]), agreement, "words")
            head = re.split(r"[:]", main)[0]
            head_keys = _keys(head)
            if len(head_keys) == 1 and "," not in head:
                add(tuple(head_keys), agreement, "word")
            for acronym in _ACRONYM.findall(f"{agreement.title} {agreement.short_title}"):
                if not _ROMAN.match(acronym):
                    add(tuple(_keys(acronym)), agreement, "acronym")
        self.names = {k: _Name(tuple(v[0]), v[1]) for k, v in found.items() if k}

    @classmethod
    def load(cls, path: Path | None = None) -> AgreementCatalog:
        raw = json.loads((path or AGREEMENTS_FILE).read_text("utf-8"))
        return cls(
            [
                Agreement(
                    idcc=str(a["idcc"]),
                    title=str(a["title"]),
                    short_title=str(a["short_title"]),
                    url=str(a["url"]),
                )
                for a in raw["agreements"]
            ]
        )

    def get(self, idcc: str) -> Agreement | None:
        """The agreement of an IDCC number as typed (« 44 » or « 0044 »), or None."""
        key = idcc.strip().lstrip("0")
        return self.by_idcc.get(key) if key.isdecimal() else None

    def chosen(self, idcc: str | None) -> Agreement | None:
        """The agreement of an IDCC chosen from the list (None: none chosen); an unknown one is
        refused rather than silently ignored, since whoever chose it believes it applies."""
        if idcc is None or not str(idcc).strip():
            return None
        agreement = self.get(str(idcc)[:12])
        if agreement is None:
            raise InvalidInput(
                f"Convention collective inconnue : IDCC « {str(idcc)[:12]} ». "
                "Choisissez-la dans la liste des conventions collectives."
            )
        return agreement

    def choices(self) -> list[Agreement]:
        """Every agreement in the order a picker lists them: by short title, accents aside."""
        return sorted(self.agreements, key=lambda a: (fold(a.short_title), a.idcc))

    def detect(
        self,
        text: str,
        title_uses: Callable[[str], int],
        base_uses: Callable[[str], int],
    ) -> AgreementQuery | None:
        """The agreement a query names, or None. `title_uses(words)`: how many fiches hold all
        these words in their title or description; `base_uses(words)`: anywhere in them."""
        tokens = text.split()
        if not tokens or len(tokens) > 40:
            return None
        token_keys = [_keys(t) for t in tokens]
        cued = any(light_key(w) in CUES for w in words(text))
        if cued:
            for i, token in enumerate(tokens):
                agreement = self.get(token) if _NUMBER.match(token) else None
                if agreement is not None:
                    return self._found((agreement,), tokens, i, i + 1)
        spans = [
            (i, j)
            for size in range(min(MAX_NAME_WORDS, len(tokens)), 0, -1)
            for i in range(len(tokens) - size + 1)
            for j in (i + size,)
            if token_keys[i] and token_keys[j - 1]  # a name starts and ends on a name word
        ]
        for i, j in spans:
            key = tuple(k for keys in token_keys[i:j] for k in keys)
            name = self.names.get(key)
            if name is None:
                continue
            typed = " ".join(tokens[i:j])
            if cued or self._distinct(name, typed, text, title_uses, base_uses):
                return self._found(name.agreements, tokens, i, j)
        return None

    @staticmethod
    def _distinct(
        name: _Name,
        typed: str,
        text: str,
        title_uses: Callable[[str], int],
        base_uses: Callable[[str], int],
    ) -> bool:
        """Whether a name, typed without saying it is an agreement, can only be one: a word the
        base never uses, or words its titles hardly use and never with the rest of the query
        (« transport aérien retard » is a fiche's subject, « prime transport aérien » is not)."""
        if name.kind == "word":
            return base_uses(typed) == 0
        return title_uses(typed) <= MAX_TITLE_USES and base_uses(text) == 0

    @staticmethod
    def _found(
        agreements: tuple[Agreement, ...], tokens: list[str], i: int, j: int
    ) -> AgreementQuery:
        rest = tokens[:i] + tokens[j:]
        if not any(_keys(t) for t in rest):
            rest = []  # nothing but the name (and « de », « la »): the query as typed
        return AgreementQuery(agreements, " ".join(tokens[i:j]), " ".join(rest))


def with_chosen(chosen: Agreement, named: AgreementQuery | None, text: str) -> AgreementQuery:
    """The caller's agreement, chosen by the advisor from the list, as if the query had named
    it: it comes first and nothing is guessed; an agreement the query names as well is kept
    beside it, and its name stays out of `text`, the words the fiches are searched with."""
    others = tuple(a for a in named.agreements if a != chosen) if named is not None else ()
    return AgreementQuery((chosen, *others), named.name_text if named is not None else "", text)


@lru_cache(maxsize=1)
def default_catalog() -> AgreementCatalog:
    return AgreementCatalog.load()
