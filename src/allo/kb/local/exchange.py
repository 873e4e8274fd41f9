"""Local fiches as files: one Markdown file per fiche, its metadata in a front matter.

For backups and for sharing content between services running Allo; readable in a text editor and
diffable in git. The front matter holds one `key: value` line per field, each value written in
JSON (so also valid YAML): strings quoted, lists in brackets. The body follows it, as written.

    ---
    id: "L3"
    title: "Carte grise perdue"
    audiences: ["particuliers"]
    ...
    ---
    ## Démarche
    …

Importing never publishes: a new fiche comes in as a draft, an existing one gets a new version
(history kept) and goes back to draft, so a second editor reviews what arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.errors import AlloError, InvalidInput
from allo.kb.local import repository, services
from allo.kb.local.models import LocalFiche

FENCE = "---"
#: metadata written besides the editable fields (informative; `id` is used on import)
EXTRA = ("id", "state", "version", "published_version", "source")
#: the largest file read (a body is at most services.MAX_BODY characters)
MAX_FILE = 2_000_000


def dumps(fiche: LocalFiche) -> str:
    """The fiche's current version as a file."""
    content = services.snapshot(fiche)
    meta: dict[str, Any] = {
        "id": fiche.id,
        "state": fiche.state,
        "version": fiche.version,
        "published_version": fiche.published_version,
    }
    if fiche.source_id:
        meta["source"] = {
            "id": fiche.source_id,
            "hash": fiche.source_hash,
            "modified": fiche.source_modified.isoformat() if fiche.source_modified else None,
        }
    meta.update({k: v for k, v in content.items() if k != "body"})
    lines = [FENCE]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    lines += [FENCE, content["body"]]
    return "\n".join(lines).rstrip("\n") + "\n"


def loads(text: str) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a file; a French `InvalidInput` says what is wrong."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise InvalidInput("le fichier doit commencer par une ligne « --- » (métadonnées).")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise InvalidInput("les métadonnées ne sont pas fermées par une ligne « --- ».") from None
    meta: dict[str, Any] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        key, sep, raw = line.partition(":")
        if not sep or not key.strip():
            raise InvalidInput(f"ligne {number} : « clé: valeur » attendu.")
        try:
            meta[key.strip()] = json.loads(raw.strip())
        except json.JSONDecodeError:
            raise InvalidInput(
                f"ligne {number} : valeur illisible pour « {key.strip()[:40]} » "
                '(texte entre guillemets, liste entre crochets : ["a", "b"]).'
            ) from None
    return meta, "\n".join(lines[end + 1 :]).strip("\n") + "\n"


@dataclass
class ExchangeReport:
    written: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: (file name, French reason)
    problems: list[tuple[str, str]] = field(default_factory=list)


def export_all(session: Session, folder: Path) -> ExchangeReport:
    """One `<id>.md` per local fiche (archived ones included) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    report = ExchangeReport()
    for fiche in repository.list_fiches(session):
        (folder / f"{fiche.id}.md").write_text(dumps(fiche), encoding="utf-8")
        report.written += 1
    return report


def import_folder(session: Session, folder: Path) -> ExchangeReport:
    """Every `*.md` of `folder` (or one file); a bad file is reported and the others imported.

    Each file runs in a savepoint, so a bad one leaves nothing half-written."""
    paths = [folder] if folder.is_file() else sorted(folder.glob("*.md"))
    report = ExchangeReport()
    for path in paths:
        try:
            if path.stat().st_size > MAX_FILE:
                raise InvalidInput(f"fichier trop gros (plus de {MAX_FILE // 1_000_000} Mo).")
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            report.problems.append((path.name, "le fichier n'est pas en UTF-8."))
            continue
        except (OSError, AlloError) as exc:
            report.problems.append((path.name, getattr(exc, "message", None) or str(exc)))
            continue
        try:
            with session.begin_nested():
                outcome, fiche_id = import_text(session, text, path.name)
        except AlloError as exc:
            report.problems.append((path.name, exc.message))
            continue
        getattr(report, outcome).append(fiche_id)
    return report


def import_text(session: Session, text: str, name: str) -> tuple[str, str]:
    """("created" | "updated" | "unchanged", fiche id) for one file's text."""
    meta, body = loads(text)
    data = {key: meta.get(key) for key in services.EDITABLE if key != "body"}
    data["body"] = body
    content = services.clean_content(session, data)
    wanted = str(meta.get("id") or "")
    existing = repository.get(session, wanted) if wanted else None
    author = f"Import ({name[:80]})"
    if existing is None:
        fiche = services.create_content(
            session, None, content, author, fiche_id=wanted or None, author=author
        )
        _source(session, fiche, meta.get("source"))
        return "created", fiche.id
    if content == services.snapshot(existing):
        return "unchanged", existing.id
    services.apply_content(existing, content)
    existing.version += 1
    existing.state = "draft"
    existing.approved_version = existing.approved_by_id = None
    existing.last_author_id = None
    existing.updated_at = utcnow()
    services.record_version(session, existing, None, author, author=author)
    session.flush()
    return "updated", existing.id


def _source(session: Session, fiche: LocalFiche, source: Any) -> None:
    """An adaptation keeps its source reference; its text snapshot is taken from the base when
    the official fiche is still at the adapted version."""
    if not isinstance(source, dict) or not source.get("id"):
        return
    fiche.source_id = str(source["id"])[:64]
    fiche.source_hash = str(source.get("hash") or "")[:64] or None
    try:
        fiche.source_modified = (
            date.fromisoformat(str(source["modified"])) if source.get("modified") else None
        )
    except ValueError:
        fiche.source_modified = None
    current = repository.official_hashes(session, [fiche.source_id]).get(fiche.source_id)
    if current is not None and current[0] == fiche.source_hash:
        fiche.source_text = current[1]
    session.flush()
