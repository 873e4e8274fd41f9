"""Change reports: what each import or sync of the official data changed, for the editors' watch.

Every `allo kb import`, `allo directory import` and `allo data sync` records one `ChangeReport`
(allo.kb.models) in its own transaction, with one `ChangeItem` per fiche or office that appeared,
changed or was withdrawn, and a readable diff. Editors list the reports, read the items and mark
them as seen (`GET /api/kb/changes`, `allo kb changes`, and the editorial pages built on
`list_reports` / `report_items` / `mark_seen`).

- Fiches: the knowledge-base importer knows what it rewrites; it hands over the before/after
  state of each fiche it adds, rewrites or withdraws (`FicheChange`), and the diff is made here.
- Offices: `OfficeWatch` compares the directory's office rows before and after an import, column
  by column, so it does not depend on how the directory importer works (one read of the table
  before, one after, in the same transaction).

Services never commit: the command that imports owns the transaction.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.errors import InvalidInput, NotFound
from allo.french import plural
from allo.kb import repository
from allo.kb.models import ChangeItem, ChangeReport
from allo.kb.repository import FICHE_FIELDS

#: what recorded a report
TRIGGERS = ("kb-import", "directory-import", "data-sync")
ACTIONS = ("new", "changed", "withdrawn")
DOMAINS = ("fiche", "office")
APPLIED, REFUSED = "applied", "refused"
#: what each code reads as, for the watch page and the CLI
TRIGGER_LABELS = {
    "kb-import": "Import des fiches",
    "directory-import": "Import de l'annuaire",
    "data-sync": "Synchronisation des données",
}
STATUS_LABELS = {APPLIED: "Appliqué", REFUSED: "Refusé"}
DOMAIN_LABELS = {"fiche": "Fiches", "office": "Organismes de l'annuaire"}
#: an item's action agrees with its domain: « Nouvelle » fiche, « Nouveau » organisme
ACTION_LABELS = {
    "fiche": {"new": "Nouvelle", "changed": "Modifiée", "withdrawn": "Retirée"},
    "office": {"new": "Nouveau", "changed": "Modifié", "withdrawn": "Retiré"},
}
#: a diff longer than this is cut (the item says how many lines were left out)
MAX_DIFF_LINES = 400
MAX_PAGE = 500

#: French names of the fields an editor reads in a diff
FIELD_LABELS = {
    "title": "Titre",
    "description": "Description",
    "subject": "Thème",
    "audiences": "Publics",
    "text": "Texte",
    "pivots": "Où s'adresser (types d'organismes)",
    "contacts": "Contacts nationaux",
    "services": "Services en ligne",
    "references": "Références",
    "related": "Fiches liées",
    "breadcrumb": "Fil d'Ariane",
    "modified": "Date de mise à jour",
    "url": "Adresse",
    # offices
    "name": "Nom",
    "type": "Type",
    "insee": "Commune (INSEE)",
    "addresses": "Adresses",
    "phone": "Téléphone",
    "email": "Courriel",
    "hours": "Horaires",
    "comment": "Commentaire",
    "contact_url": "Formulaire de contact",
}

#: office columns never compared: bookkeeping of the import itself
_OFFICE_IGNORED = frozenset({"imported_at", "updated_at", "content_hash"})


@dataclass(frozen=True)
class FicheChange:
    """A fiche the importer added (`before` None), rewrote, or withdrew (`after` None)."""

    fiche_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def action(self) -> str:
        if self.before is None:
            return "new"
        return "withdrawn" if self.after is None else "changed"


@dataclass
class ItemDraft:
    """A change item before it is stored (the importers' and the watch's output)."""

    domain: str
    action: str
    object_id: str
    title: str = ""
    theme: str = ""
    audiences: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    diff: str = ""

    def row(self, report_id: int) -> dict[str, Any]:
        return {
            "report_id": report_id,
            "domain": self.domain,
            "action": self.action,
            "object_id": self.object_id,
            "title": self.title,
            "theme": self.theme[:255],
            "audiences": self.audiences,
            "fields": self.fields,
            "diff": self.diff,
        }


# -- diffs ---------------------------------------------------------------------------------
def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _short(value: Any, limit: int = 300) -> str:
    text = " ".join(_plain(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut(lines: list[str]) -> str:
    if len(lines) > MAX_DIFF_LINES:
        left = len(lines) - MAX_DIFF_LINES
        lines = [*lines[:MAX_DIFF_LINES], f"… ({plural(left, 'ligne')} de plus)"]
    return "\n".join(lines)


def text_diff(before: str, after: str) -> list[str]:
    """A unified diff of two texts, line by line, with two lines of context."""
    return list(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), "avant", "après", n=2, lineterm=""
        )
    )


def fiche_item(change: FicheChange) -> ItemDraft:
    """The change item of one fiche: what changed, and the diff of its text."""
    state = change.after or change.before or {}
    item = ItemDraft(
        domain="fiche",
        action=change.action,
        object_id=change.fiche_id,
        title=str(state.get("title") or ""),
        theme=str(state.get("subject") or ""),
        audiences=list(state.get("audiences") or []),
    )
    if change.before is None or change.after is None:
        return item
    lines: list[str] = []
    for name in FICHE_FIELDS:
        old, new = change.before.get(name), change.after.get(name)
        if _plain(old) == _plain(new):
            continue
        item.fields.append(name)
        if name != "text":
            lines.append(f"{FIELD_LABELS[name]} : {_short(old)} → {_short(new)}")
    if "text" in item.fields:
        lines.extend(text_diff(str(change.before.get("text") or ""), str(change.after["text"])))
    item.diff = _cut(lines)
    return item


# -- offices -------------------------------------------------------------------------------
class OfficeWatch:
    """The directory's office rows before an import, to tell what the import changed.

    Rows are read as raw values (JSON columns as their stored text, not parsed) and kept as one
    byte string each (about 0.6 kB: ~40 MB for the 61,112 offices of the full directory), so
    the comparison after the import is a byte comparison; only rows that differ are decoded,
    field by field, and a field whose JSON text differs but whose value does not (another key
    order) is not a change.
    """

    def __init__(self, names: list[str], rows: dict[str, bytes]) -> None:
        self.names = names
        self.before = rows

    @classmethod
    def start(cls, session: Session) -> OfficeWatch:
        names, rows = _office_snapshot(session)
        return cls(names, rows)

    def changes(self, session: Session) -> list[ItemDraft]:
        """Compare with the rows as they are now (call it before the import's commit)."""
        names, after = _office_snapshot(session)
        items: list[ItemDraft] = []
        for office_id, blob in after.items():
            previous = self.before.get(office_id)
            if previous is None:
                items.append(_office_item("new", office_id, _fields(names, blob)))
            elif previous != blob:
                old, new = _fields(self.names, previous), _fields(names, blob)
                changed = [n for n in sorted(set(old) | set(new)) if old.get(n) != new.get(n)]
                if not changed:
                    continue
                item = _office_item("changed", office_id, new)
                item.fields = changed
                item.diff = _cut(
                    [
                        f"{FIELD_LABELS.get(n, n)} : {_short(old.get(n))} → {_short(new.get(n))}"
                        for n in changed
                    ]
                )
                items.append(item)
        for office_id in self.before.keys() - after.keys():
            items.append(
                _office_item("withdrawn", office_id, _fields(self.names, self.before[office_id]))
            )
        return items


_SEP = "\x1f"  # ASCII unit separator: never in the directory's text


def _office_snapshot(session: Session) -> tuple[list[str], dict[str, bytes]]:
    names, rows = repository.office_raw_rows(session, _OFFICE_IGNORED)
    at = names.index("id")
    out: dict[str, bytes] = {}
    for row in rows:
        text = _SEP.join("\x00" if v is None else str(v) for v in row)
        out[row[at]] = text.encode()
    return names, out


def _fields(names: list[str], blob: bytes) -> dict[str, Any]:
    """A stored snapshot row back to values (JSON text parsed, so key order does not count)."""
    out: dict[str, Any] = {}
    for name, raw in zip(names, blob.decode().split(_SEP), strict=True):
        if raw == "\x00":
            out[name] = None
        elif raw[:1] in ("[", "{"):
            try:
                out[name] = json.loads(raw)
            except ValueError:
                out[name] = raw
        else:
            out[name] = raw
    return out


def _office_item(action: str, office_id: str, row: dict[str, Any]) -> ItemDraft:
    return ItemDraft(
        domain="office",
        action=action,
        object_id=office_id,
        title=str(row.get("name") or ""),
        theme=str(row.get("type") or ""),
    )


# -- recording -----------------------------------------------------------------------------
def counts_of(items: Iterable[ItemDraft]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        per_domain = counts.setdefault(item.domain, dict.fromkeys(ACTIONS, 0))
        per_domain[item.action] += 1
    return counts


def summary(counts: dict[str, dict[str, int]]) -> str:
    """One French sentence: « Fiches : 3 nouvelles, 12 modifiées, 0 retirée. … »"""
    parts = []
    for domain, label, e in (("fiche", "Fiches", "e"), ("office", "Organismes", "")):
        c = counts.get(domain)
        if c is not None:
            new = plural(c["new"], "nouvelle") if e else plural(c["new"], "nouveau", "nouveaux")
            parts.append(
                f"{label} : {new}, {plural(c['changed'], 'modifié' + e)}, "
                f"{plural(c['withdrawn'], 'retiré' + e)}."
            )
    return " ".join(parts) or "Aucun changement."


def record(
    session: Session,
    trigger: str,
    items: Sequence[ItemDraft],
    *,
    sources: Sequence[str] = (),
    domains: Sequence[str] = (),
    message: str = "",
) -> ChangeReport:
    """Store a report and its items (in the caller's transaction).

    `domains`: the data the run looked at, counted even when nothing changed in it.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    counts = {d: dict.fromkeys(ACTIONS, 0) for d in domains}
    for domain, per in counts_of(items).items():
        counts[domain] = per
    report = ChangeReport(
        created_at=utcnow(),
        trigger=trigger,
        status=APPLIED,
        message=message or summary(counts),
        counts=counts,
        sources=list(sources),
    )
    session.add(report)
    session.flush()
    repository.insert_change_items(session, [item.row(report.id) for item in items])
    return report


def record_refusal(
    session: Session, trigger: str, message: str, *, sources: Sequence[str] = ()
) -> ChangeReport:
    """A sync that changed nothing: why, in French (recorded in a transaction of its own)."""
    report = ChangeReport(
        created_at=utcnow(),
        trigger=trigger,
        status=REFUSED,
        message=message,
        counts={},
        sources=list(sources),
    )
    session.add(report)
    session.flush()
    return report


def fiche_items(changes: Iterable[FicheChange]) -> list[ItemDraft]:
    return [fiche_item(change) for change in changes]


# -- reading (editors) ---------------------------------------------------------------------
def list_reports(session: Session, *, limit: int = 50, offset: int = 0) -> list[ChangeReport]:
    """Most recent first."""
    _check_page(limit, offset)
    return repository.change_reports(session, limit=limit, offset=offset)


def get_report(session: Session, report_id: int) -> ChangeReport:
    report = repository.change_report(session, report_id)
    if report is None:
        raise NotFound(f"Rapport de changements introuvable : {report_id}.")
    return report


def report_items(
    session: Session,
    report_id: int,
    *,
    domain: str | None = None,
    action: str | None = None,
    unseen: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[ChangeItem]:
    """A report's items, fiches first then offices, by ID."""
    get_report(session, report_id)
    if domain is not None and domain not in DOMAINS:
        raise InvalidInput(f"Domaine inconnu : {domain!r} (attendu : fiche ou office).")
    if action is not None and action not in ACTIONS:
        raise InvalidInput(f"Action inconnue : {action!r} (attendu : {', '.join(ACTIONS)}).")
    _check_page(limit, offset)
    return repository.change_items(
        session, report_id, domain=domain, action=action, unseen=unseen, limit=limit, offset=offset
    )


def mark_seen(session: Session, item_ids: Sequence[int], agent_id: int | None) -> int:
    """Mark items as seen by an editor; items already seen keep their first reader. Returns how
    many items were marked now."""
    if len(item_ids) > MAX_PAGE:
        raise InvalidInput(f"Au plus {MAX_PAGE} éléments à la fois.")
    return repository.mark_change_items_seen(session, list(item_ids), agent_id, utcnow())


def _check_page(limit: int, offset: int) -> None:
    if not 0 < limit <= MAX_PAGE:
        raise InvalidInput(f"La limite doit être comprise entre 1 et {MAX_PAGE}.")
    if offset < 0:
        raise InvalidInput("Le décalage ne peut pas être négatif.")
