"""The editors' watch ("veille"): which items of a change report touch what the service relies on.

A changed or withdrawn official fiche matters first when the service built on it: a local fiche
adapted from it, a local fiche or an escalation sheet linking to it, or advisors opening it often
(the most consulted fiches of the last 30 days). `prioritised` ranks a report's fiche items with,
for each, the French reasons why it matters; the editors' page and dashboard read it.

How often advisors opened each fiche is the contacts domain's to count: the callers pass its
`consulted_counts` (the knowledge base does not import contacts).

Reads only (services never commit); the page marks items seen through `allo.kb.changes.mark_seen`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.errors import InvalidInput
from allo.kb import changes, repository
from allo.kb.escalation import SheetSet
from allo.kb.local import repository as local_repository
from allo.kb.render.markdown import fiche_links
from allo.kb.repository import ItemHead

#: the period of "consulted most" (days)
CONSULTED_DAYS = 30
#: how many of the most consulted fiches of the period count as relied on
TOP_CONSULTED = 100
#: weight of each reason in the ranking (a consultation adds one point on top of its weight)
WEIGHTS = {"adapted": 1000, "linked": 500, "escalation": 500, "consulted": 100}
#: a fiche id written in an escalation sheet's text (« voir F1234 », an official address, …)
_SHEET_FICHE = re.compile(r"(?<![\w/])(?:fiche:)?([FNR]\d{2,6})\b|/vosdroits/([FNR]\d{2,6})\b")


@dataclass(frozen=True)
class Reason:
    """Why an item matters: `kind` (adapted, linked, escalation, consulted) and French text."""

    kind: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Ranked:
    """A report item with the reasons it touches the service (none: not relied on)."""

    item: ItemHead
    reasons: list[Reason]
    score: int

    @property
    def relevant(self) -> bool:
        return bool(self.reasons)


@dataclass
class Reliance:
    """What the service relies on, by official fiche id."""

    #: fiche id → local fiches (« L3 « titre » ») adapted from it
    adapted: dict[str, list[str]] = field(default_factory=dict)
    #: fiche id → local fiches linking to it (related fiches or links in the body)
    linked: dict[str, list[str]] = field(default_factory=dict)
    #: fiche id → escalation sheets naming it
    escalation: dict[str, list[str]] = field(default_factory=dict)
    #: fiche id → times opened in the period, for the most consulted fiches only
    consulted: dict[str, int] = field(default_factory=dict)

    def reasons(self, fiche_id: str) -> list[Reason]:
        out: list[Reason] = []
        if fiche_id in self.adapted:
            out.append(
                Reason("adapted", "fiche adaptée par le service", ", ".join(self.adapted[fiche_id]))
            )
        if fiche_id in self.linked:
            out.append(
                Reason(
                    "linked", "liée depuis une fiche du service", ", ".join(self.linked[fiche_id])
                )
            )
        if fiche_id in self.escalation:
            out.append(
                Reason(
                    "escalation",
                    "liée depuis une fiche d'escalade",
                    ", ".join(self.escalation[fiche_id]),
                )
            )
        if fiche_id in self.consulted:
            n = self.consulted[fiche_id]
            out.append(Reason("consulted", f"consultée {n} fois en {CONSULTED_DAYS} jours"))
        return out

    def fiche_ids(self) -> set[str]:
        """Every fiche id the service relies on, for whatever reason."""
        return {*self.adapted, *self.linked, *self.escalation, *self.consulted}

    def score(self, fiche_id: str, reasons: Sequence[Reason]) -> int:
        return sum(WEIGHTS[r.kind] for r in reasons) + self.consulted.get(fiche_id, 0)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))


def sheet_fiche_ids(sheets: SheetSet) -> dict[str, list[str]]:
    """Fiche ids named anywhere in the escalation sheets' text → the sheets' labels."""
    out: dict[str, list[str]] = {}
    for sheet in [*sheets.sheets.values(), sheets.level1]:
        for text in _strings(sheet):
            for match in _SHEET_FICHE.finditer(text):
                fiche_id = match.group(1) or match.group(2)
                labels = out.setdefault(fiche_id, [])
                if sheet.label not in labels:
                    labels.append(sheet.label)
    return out


#: (session, since) → how many times advisors opened each fiche since then, by fiche id
ConsultedCounts = Callable[[Session, datetime], dict[str, int]]


def reliance(
    session: Session,
    sheets: SheetSet | None,
    now: datetime | None,
    consulted: ConsultedCounts | None,
) -> Reliance:
    """What the service relies on now: local fiches, escalation sheets, advisors' consultations
    (None: not counted — a caller must say so, the reason is never dropped by omission)."""
    found = Reliance()
    for fiche in local_repository.live_fiches(session):
        name = f"{fiche.id} « {fiche.title} »"
        if fiche.source_id:
            found.adapted.setdefault(fiche.source_id, []).append(name)
        for target in dict.fromkeys([*fiche.related, *fiche_links(fiche.body)]):
            if target != fiche.source_id:
                found.linked.setdefault(target, []).append(name)
    if sheets is not None:
        found.escalation = sheet_fiche_ids(sheets)
    since = (now or utcnow()) - timedelta(days=CONSULTED_DAYS)
    counts = consulted(session, since) if consulted is not None else {}
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CONSULTED]
    found.consulted = dict(top)
    return found


def rank(heads: list[ItemHead], relied: Reliance) -> list[Ranked]:
    """Relevant items first (highest score), then the others; by fiche id within a score."""
    ranked = []
    for head in heads:
        reasons = relied.reasons(head.object_id)
        ranked.append(Ranked(head, reasons, relied.score(head.object_id, reasons)))
    ranked.sort(key=lambda r: (-r.score, r.item.object_id, r.item.id))
    return ranked


def prioritised(
    session: Session,
    report_id: int,
    *,
    sheets: SheetSet | None = None,
    now: datetime | None = None,
    theme: str | None = None,
    audience: str | None = None,
    action: str | None = None,
    unseen: bool = False,
    relevant_only: bool = False,
    consulted: ConsultedCounts | None,
) -> list[Ranked]:
    """A report's fiche items, those that touch the service first, each with its reasons."""
    changes.get_report(session, report_id)
    if action is not None and action not in changes.ACTIONS:
        raise InvalidInput(
            f"Action inconnue : {action!r} (attendu : {', '.join(changes.ACTIONS)})."
        )
    heads = [
        h
        for h in repository.change_item_heads(session, report_id=report_id, unseen=unseen)
        if (not theme or h.theme == theme)
        and (not audience or audience in h.audiences)
        and (action is None or h.action == action)
    ]
    ranked = rank(heads, reliance(session, sheets, now, consulted))
    return [r for r in ranked if r.relevant] if relevant_only else ranked


def unseen_relevant_count(
    session: Session,
    sheets: SheetSet | None = None,
    now: datetime | None = None,
    *,
    consulted: ConsultedCounts | None,
) -> int:
    """Unseen fiche items, of every report, that touch what the service relies on: one COUNT
    over the relied-on fiche ids (the dashboard's figure; the unseen items are not read)."""
    if not repository.count_change_items(session, domain="fiche", unseen=True):
        return 0
    relied = reliance(session, sheets, now, consulted)
    return repository.count_change_items(
        session, domain="fiche", unseen=True, object_ids=relied.fiche_ids()
    )


def facets(session: Session, report_id: int) -> tuple[list[str], list[str]]:
    """The themes and audiences of a report's fiche items (for the page's filters)."""
    heads = repository.change_item_heads(session, report_id=report_id)
    themes = sorted({h.theme for h in heads if h.theme})
    audiences = sorted({a for h in heads for a in h.audiences})
    return themes, audiences


def mark_report_seen(
    session: Session, report_id: int, agent_id: int | None, item_ids: list[int] | None = None
) -> int:
    """Mark items of a report as seen (all of them when `item_ids` is None); ids of other
    reports are ignored. Returns how many were marked now."""
    changes.get_report(session, report_id)
    ids = repository.change_item_ids(session, report_id, item_ids)
    marked = 0
    for start in range(0, len(ids), changes.MAX_PAGE):
        marked += changes.mark_seen(session, ids[start : start + changes.MAX_PAGE], agent_id)
    return marked
