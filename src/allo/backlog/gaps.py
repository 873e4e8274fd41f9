"""The content-gap backlog: what the service was asked and the base did not answer.

Built only from what the service already records, over the last `days` days:
- contacts answered, oriented or escalated with no fiche consulted (their redacted question);
- escalations whose note says the base had no answer (« pas de fiche », « rien dans la base »…);
- portal searches that found nothing, or whose results led to no fiche opened (the aggregated,
  redacted counts of allo.backlog.portal_log).
Similar wordings are grouped (rapidfuzz on the significant words), most frequent first, so the
editors write the fiches that are missing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from allo.backlog import repository as repo
from allo.backlog.wording import grouping_key
from allo.contacts.models import Agent
from allo.db.base import utcnow
from allo.errors import Forbidden, InvalidInput
from allo.search.analysis import fold

#: Where a gap was seen, with its French label.
SOURCES: dict[str, str] = {
    "contact_sans_fiche": "Contact traité sans fiche consultée",
    "escalade_sans_reponse": "Escalade : la base n'avait pas la réponse",
    "portail_sans_resultat": "Recherche du portail sans résultat",
    "portail_sans_ouverture": "Recherche du portail sans fiche ouverte",
}
#: What an escalation note says when the base had no answer (on folded text).
NO_ANSWER = re.compile(
    r"\b(?:pas|aucune?|sans|manque)\s+(?:de\s+|d')?(?:fiche|reponse|info)"
    r"|\bfiche\s+(?:manquante|absente|introuvable|inexistante)"
    r"|\b(?:rien|pas|non)\s+trouve"
    r"|\b(?:rien|pas|absent)\s+dans\s+la\s+base"
    r"|\bbase\s+(?:ne|n'a|muette|incomplete)"
)
#: Two wordings whose significant words score at least this (token_sort_ratio) are one gap.
SIMILARITY = 80
MAX_DAYS = 366
MAX_ROWS = 5000
READER_ROLES = ("editor", "supervisor", "administrator")


@dataclass
class Gap:
    """One missing answer: the wording seen most, how often, and from where."""

    wording: str
    count: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    variants: Counter[str] = field(default_factory=Counter)
    themes: Counter[str] = field(default_factory=Counter)
    sectors: Counter[str] = field(default_factory=Counter)
    contact_ids: list[int] = field(default_factory=list)
    last_seen: date | None = None

    def add(self, item: _Item) -> None:
        self.count += item.count
        self.by_source[item.source] += item.count
        self.variants[item.wording] += item.count
        if item.theme:
            self.themes[item.theme] += item.count
        if item.sector:
            self.sectors[item.sector] += item.count
        if item.contact_id is not None and len(self.contact_ids) < 20:
            self.contact_ids.append(item.contact_id)
        if self.last_seen is None or item.day > self.last_seen:
            self.last_seen = item.day

    def as_dict(self) -> dict[str, Any]:
        return {
            "wording": self.wording,
            "count": self.count,
            "sources": [
                {"source": s, "label": SOURCES[s], "count": n}
                for s, n in self.by_source.most_common()
            ],
            "variants": [{"wording": w, "count": n} for w, n in self.variants.most_common(5)],
            "themes": [t for t, _ in self.themes.most_common(3)],
            "sectors": [s for s, _ in self.sectors.most_common(3)],
            "contact_ids": self.contact_ids,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
        }


@dataclass(frozen=True)
class _Item:
    wording: str
    count: int
    source: str
    day: date
    theme: str = ""
    sector: str | None = None
    contact_id: int | None = None


def says_no_answer(note: str) -> bool:
    """Whether an escalation note says the base had no answer."""
    return NO_ANSWER.search(fold(note)) is not None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _contact_items(session: Session, since: datetime) -> list[_Item]:
    items: list[_Item] = []
    escalated_without_answer: set[int] = set()
    for row in repo.escalation_notes(session, since, MAX_ROWS):
        if row.contact_id in escalated_without_answer or not says_no_answer(row.text):
            continue
        escalated_without_answer.add(row.contact_id)
        wording = _short(row.question or row.text)
        items.append(
            _Item(
                wording, 1, "escalade_sans_reponse", row.created_at.date(),
                row.theme, row.sector, row.contact_id,
            )
        )  # fmt: skip
    for row in repo.contacts_without_fiche(session, since, MAX_ROWS):
        if row.id in escalated_without_answer:
            continue
        wording = _short(row.question or row.theme)
        if wording:
            items.append(
                _Item(
                    wording, 1, "contact_sans_fiche", row.created_at.date(),
                    row.theme, row.sector, row.id,
                )
            )  # fmt: skip
    return items


def _portal_items(session: Session, since: date) -> list[_Item]:
    items: list[_Item] = []
    for row in repo.query_counts(session, since):
        empty = int(row.empty or 0)
        unopened = max(0, int(row.searches or 0) - empty - int(row.opened or 0))
        if empty:
            items.append(_Item(row.wording, empty, "portail_sans_resultat", row.last_day))
        if unopened:
            items.append(_Item(row.wording, unopened, "portail_sans_ouverture", row.last_day))
    return items


def group(items: list[_Item], *, similarity: int = SIMILARITY) -> list[Gap]:
    """Gaps of similar wordings, most frequent first; each is named by its most frequent wording."""
    by_key: dict[str, list[_Item]] = {}
    for item in items:
        by_key.setdefault(grouping_key(item.wording), []).append(item)
    # The most frequent keys found the groups; a rarer key joins the closest group, if close.
    keys = sorted(by_key, key=lambda k: (-sum(i.count for i in by_key[k]), k))
    groups: list[Gap] = []
    founders: list[str] = []
    for key in keys:
        match = (
            process.extractOne(key, founders, scorer=fuzz.token_sort_ratio, score_cutoff=similarity)
            if key
            else None
        )
        if match is None:
            gap = Gap(wording="")
            groups.append(gap)
            founders.append(key)
        else:
            gap = groups[match[2]]
        for item in by_key[key]:
            gap.add(item)
    for gap in groups:
        gap.wording = gap.variants.most_common(1)[0][0]
    return sorted(groups, key=lambda g: (-g.count, g.wording))


def gaps(
    session: Session,
    agent: Agent,
    *,
    days: int = 30,
    source: str | None = None,
    limit: int = 100,
    now: datetime | None = None,
) -> list[Gap]:
    """The backlog of the last `days` days, grouped, most frequent first."""
    if agent.role not in READER_ROLES:
        raise Forbidden("Le relevé des manques est réservé à l'équipe de rédaction.")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"La période doit être entre 1 et {MAX_DAYS} jours.")
    if not 1 <= limit <= 500:
        raise InvalidInput("Le nombre de manques demandé doit être entre 1 et 500.")
    if source is not None and source not in SOURCES:
        raise InvalidInput("Origine inconnue : " + ", ".join(SOURCES) + ".")
    since = (now or utcnow()) - timedelta(days=days)
    items = _contact_items(session, since) + _portal_items(session, since.date())
    if source is not None:
        items = [i for i in items if i.source == source]
    return group(items)[:limit]
