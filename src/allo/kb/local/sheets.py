"""Escalation sheets as content of the base: loaded once from the JSON files, then written,
reviewed, versioned and published by editors like local fiches (same workflow module, same word
diffs). The consoles read the published sheets (`published_set`).

Services never commit (the request or the command owns the transaction) and raise
`allo.errors.*` with French messages.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.errors import Conflict, InvalidInput, NotFound
from allo.kb import escalation
from allo.kb.escalation import SHEET_IDS, SheetSet
from allo.kb.local import repository, workflow
from allo.kb.local.diff import WordDiff, word_diff
from allo.kb.local.sheet_models import EscalationSheetRow, EscalationSheetVersion
from allo.kb.local.workflow import STATE_LABELS, Editor, Policy

NOUN = "fiche d'escalade"
INITIAL_AUTHOR = "Chargement initial"
#: the largest bundled sheet is about 12,000 characters of JSON
MAX_CONTENT = 200_000
MAX_COMMENT = 500
#: the parts of a sheet shown in diffs, in reading order
FIELD_LABELS = {
    "label": "Nom du secteur",
    "definition": "Définition",
    "subjects": "Sujets couverts",
    "keywords": "Mots-clés",
    "fiche_themes": "Thèmes de fiches",
    "questions": "Questions de qualification",
    "outside_bodies": "Organismes extérieurs",
}


# -- validation --------------------------------------------------------------------------------
def clean_content(sheet_id: str, content: Any) -> dict[str, Any]:
    """Check a sheet's structured data (same rules as the JSON files), French messages."""
    if sheet_id not in SHEET_IDS:
        raise NotFound(f"Fiche d'escalade inconnue : « {sheet_id[:32]} » ({', '.join(SHEET_IDS)}).")
    if not isinstance(content, dict):
        raise InvalidInput("La fiche d'escalade doit être un objet JSON (secteur, questions…).")
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_CONTENT:
        raise InvalidInput(
            f"Fiche d'escalade trop longue : {len(text)} caractères pour {MAX_CONTENT} au plus ; "
            "rien n'a été enregistré."
        )
    escalation.parse_sheet(content, sheet_id)
    return json.loads(text)


def _comment(comment: str) -> str:
    cleaned = " ".join(str(comment or "").split())
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput(f"« Commentaire » : {MAX_COMMENT} caractères au plus.")
    return cleaned


def _record(
    session: Session, row: EscalationSheetRow, agent: Editor | None, comment: str, author: str = ""
) -> EscalationSheetVersion:
    version = EscalationSheetVersion(
        sheet_id=row.id,
        number=row.version,
        author_id=agent.id if agent else None,
        author_name=(agent.display_name or agent.username) if agent else author,
        comment=_comment(comment),
        content=dict(row.content),
        created_at=utcnow(),
    )
    session.add(version)
    return version


# -- the initial set and what the consoles read ------------------------------------------------
def load_initial(session: Session, override_dir: Path | None = None) -> list[str]:
    """Load the JSON files (bundled, or `<ALLO_HOME>/escalation/` copies) as published sheets,
    for every sheet the base does not hold yet. Returns the ids loaded."""
    present = {row.id for row in repository.sheets(session)}
    missing = [s for s in SHEET_IDS if s not in present]
    if not missing:
        return []
    raws = escalation.read_raw_files(override_dir)
    now = utcnow()
    for sheet_id in missing:
        row = EscalationSheetRow(
            id=sheet_id,
            state="published",
            version=1,
            content=raws[sheet_id],
            published_content=raws[sheet_id],
            published_version=1,
            published_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        _record(session, row, None, "Fiche d'escalade initiale", author=INITIAL_AUTHOR)
    session.flush()
    return missing


_cache: dict[tuple[Any, ...], SheetSet] = {}
_cache_lock = threading.Lock()


def published_set(session: Session, home: Path) -> SheetSet:
    """The sheets the consoles use: the published version of each, or the initial JSON file for
    a sheet never published (or archived). Cached until a publication changes the stamps."""
    stamps = repository.published_sheet_stamps(session)
    files = escalation.sheets_for_home(home)
    key = (str(session.get_bind().engine.url), tuple(stamps), id(files))
    cached = _cache.get(key)
    if cached is not None:
        return cached
    published = repository.published_sheet_contents(session)
    if not published:
        result = files
    else:
        raws = {}
        sources = {}
        for sheet_id in SHEET_IDS:
            if sheet_id in published:
                raws[sheet_id] = published[sheet_id]
                sources[sheet_id] = f"base:{sheet_id}"
            else:
                raws[sheet_id] = escalation.read_raw_files(home / "escalation")[sheet_id]
                sources[sheet_id] = files.sources[sheet_id]
        result = escalation.sheet_set(raws, sources)
    with _cache_lock:
        _cache.clear()
        _cache[key] = result
    return result


# -- reading -----------------------------------------------------------------------------------
def get(session: Session, sheet_id: str, *, for_update: bool = False) -> EscalationSheetRow:
    row = repository.sheet(session, sheet_id.strip()[:32], for_update=for_update)
    if row is None:
        raise NotFound(f"Fiche d'escalade introuvable : « {sheet_id[:32]} ».")
    return row


def list_sheets(session: Session) -> list[EscalationSheetRow]:
    return repository.sheets(session)


def versions(session: Session, sheet_id: str) -> list[EscalationSheetVersion]:
    get(session, sheet_id)
    return repository.sheet_versions(session, sheet_id)


def version_content(session: Session, sheet_id: str, number: int) -> dict[str, Any]:
    found = repository.sheet_version(session, sheet_id, number)
    if found is None:
        raise NotFound(f"Version {number} introuvable pour la fiche d'escalade {sheet_id}.")
    return dict(found.content)


# -- writing -----------------------------------------------------------------------------------
def create(
    session: Session, agent: Editor, sheet_id: str, content: Any, comment: str = ""
) -> EscalationSheetRow:
    """A sheet the base does not hold yet (one of the seven ids), as a draft."""
    workflow.require_editor(agent)
    cleaned = clean_content(sheet_id, content)
    if repository.sheet(session, sheet_id) is not None:
        raise Conflict(f"La fiche d'escalade « {sheet_id} » existe déjà : modifiez-la.")
    now = utcnow()
    row = EscalationSheetRow(
        id=sheet_id,
        state="draft",
        version=1,
        content=cleaned,
        last_author_id=agent.id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _record(session, row, agent, comment or "Création")
    session.flush()
    return row


def update(
    session: Session,
    agent: Editor | None,
    sheet_id: str,
    content: Any,
    base_version: int,
    comment: str = "",
    *,
    author: str = "",
) -> EscalationSheetRow:
    """Save a new draft version; a save based on an older version is a 409 with what changed."""
    if agent is not None:
        workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    if base_version != row.version:
        raise Conflict(
            f"La fiche d'escalade a été modifiée entre-temps (version {row.version}, vous êtes "
            f"parti de la version {base_version}). Reprenez les changements ci-dessous puis "
            "enregistrez à nouveau : rien n'a été écrasé.",
            details=changes_since(session, row, base_version),
        )
    cleaned = clean_content(row.id, content)
    if cleaned == row.content:
        return row  # nothing changed: no empty version
    row.content = cleaned
    if agent is not None:
        workflow.new_version(row, agent)
    else:
        row.version += 1
        row.state, row.approved_version, row.approved_by_id = "draft", None, None
        row.last_author_id = None
        row.updated_at = utcnow()
    _record(session, row, agent, comment or "Modification", author=author)
    session.flush()
    return row


def changes_since(session: Session, row: EscalationSheetRow, base_version: int) -> dict[str, Any]:
    base = repository.sheet_version(session, row.id, base_version)
    later = [v for v in repository.sheet_versions(session, row.id) if v.number > base_version]
    fields = diff_contents(base.content if base else {}, row.content)
    return {
        "current_version": row.version,
        "versions": [
            {"version": v.number, "author": v.author_name, "at": v.created_at.isoformat()}
            for v in later
        ],
        "fields": {name: d.as_json() for name, d in fields.items()},
    }


def restore(session: Session, agent: Editor, sheet_id: str, number: int) -> EscalationSheetRow:
    """An old version's content becomes a new draft version."""
    workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    row.content = version_content(session, sheet_id, number)
    workflow.new_version(row, agent)
    _record(session, row, agent, f"Restauration de la version {number}")
    session.flush()
    return row


# -- workflow ----------------------------------------------------------------------------------
def submit(session: Session, agent: Editor, sheet_id: str) -> EscalationSheetRow:
    workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    workflow.submit(row)
    return row


def approve(session: Session, agent: Editor, sheet_id: str, policy: Policy) -> EscalationSheetRow:
    workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    workflow.approve(row, agent, policy, NOUN)
    return row


def publish(session: Session, agent: Editor, sheet_id: str, policy: Policy) -> EscalationSheetRow:
    """The consoles use this version from their next request, in every worker."""
    workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    workflow.publish(row, agent, policy, NOUN)
    row.published_content = dict(row.content)
    session.flush()
    return row


def archive(session: Session, agent: Editor, sheet_id: str) -> EscalationSheetRow:
    """Withdraw the editors' versions: the consoles go back to the initial JSON file."""
    workflow.require_editor(agent)
    row = get(session, sheet_id, for_update=True)
    workflow.archive(row, NOUN)
    row.published_content = None
    session.flush()
    return row


# -- diffs -------------------------------------------------------------------------------------
def _leads_to(leads_to: dict[str, Any]) -> str:
    if leads_to.get("sector"):
        target = f"secteur {leads_to['sector']}"
    elif leads_to.get("body"):
        target = f"organisme {leads_to['body']}"
    elif leads_to.get("level1"):
        target = "niveau 1"
    else:
        target = "question suivante"
    note = f" ({leads_to['note']})" if leads_to.get("note") else ""
    return target + note


def as_text(content: dict[str, Any]) -> dict[str, str]:
    """A sheet as readable text, part by part (what diffs compare)."""
    questions = []
    for q in content.get("questions") or []:
        lines = [f"{q.get('id', '')} : {q.get('text', '')}"]
        if q.get("help"):
            lines.append(f"  aide : {q['help']}")
        for a in q.get("answers") or []:
            lines.append(f"  – {a.get('label', '')} → {_leads_to(a.get('leads_to') or {})}")
        questions.append("\n".join(lines))
    bodies = [
        f"{b.get('name', '')} : {b.get('when', '')} {b.get('contact', '')}".strip()
        for b in content.get("outside_bodies") or []
    ]
    return {
        "label": str(content.get("label") or ""),
        "definition": str(content.get("definition") or ""),
        "subjects": "\n".join(content.get("subjects") or []),
        "keywords": ", ".join(content.get("keywords") or []),
        "fiche_themes": ", ".join(content.get("fiche_themes") or []),
        "questions": "\n\n".join(questions),
        "outside_bodies": "\n".join(bodies),
    }


def diff_contents(before: dict[str, Any], after: dict[str, Any]) -> dict[str, WordDiff]:
    old, new = as_text(before), as_text(after)
    return {
        name: word_diff(old[name], new[name]) for name in FIELD_LABELS if old[name] != new[name]
    }


def diff_versions(session: Session, sheet_id: str, start: int, end: int) -> dict[str, WordDiff]:
    get(session, sheet_id)
    return diff_contents(
        version_content(session, sheet_id, start), version_content(session, sheet_id, end)
    )


# -- export / import (the JSON format of the initial set) --------------------------------------
def export(session: Session, directory: Path) -> list[Path]:
    """Write `<id>.json` per sheet: the published version (the current one if never published),
    in the format of `allo/kb/escalation/` so the files can replace the initial set."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for row in repository.sheets(session):
        content = row.published_content if row.published_content is not None else row.content
        path = directory / f"{row.id}.json"
        path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


@dataclass
class ImportResult:
    changed: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: (file name, French reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def import_files(session: Session, path: Path, author: str = "Import") -> ImportResult:
    """Read `<id>.json` files: a changed sheet gets a new draft version (a second editor reviews
    what arrived), a missing one arrives as a draft; a bad file is reported, the others go on."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    result = ImportResult()
    for file in files:
        sheet_id = file.stem
        try:
            if sheet_id not in SHEET_IDS:
                raise InvalidInput(
                    f"nom de fichier inattendu (attendu : {', '.join(SHEET_IDS)} .json)"
                )
            try:
                raw = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidInput(f"fichier illisible : {exc}") from exc
            content = clean_content(sheet_id, raw)
            row = repository.sheet(session, sheet_id)
            with session.begin_nested():
                if row is None:
                    now = utcnow()
                    row = EscalationSheetRow(
                        id=sheet_id, state="draft", version=1, content=content,
                        created_at=now, updated_at=now,
                    )  # fmt: skip
                    session.add(row)
                    session.flush()
                    _record(session, row, None, f"Import de {file.name}", author=author)
                    result.created.append(sheet_id)
                elif content == row.content:
                    result.unchanged.append(sheet_id)
                else:
                    update(
                        session, None, sheet_id, content, row.version,
                        f"Import de {file.name}", author=author,
                    )  # fmt: skip
                    result.changed.append(sheet_id)
        except (InvalidInput, NotFound) as exc:
            result.skipped.append((file.name, exc.message))
    session.flush()
    return result


__all__ = ["STATE_LABELS", "Policy"]
