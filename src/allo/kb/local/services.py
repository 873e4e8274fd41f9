"""Local fiche use cases: write, save versions, review, publish, archive, adapt an official fiche.

Services never commit (the request or the command owns the transaction) and raise
`allo.errors.*` with French messages. Every save is a new version; a save based on an older
version than the current one is refused (409) with what changed meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.directory.types import catalog
from allo.errors import Conflict, InvalidInput, NotFound
from allo.kb import kinds, stored_html
from allo.kb.escalation import SECTORS
from allo.kb.local import repository, workflow
from allo.kb.local.diff import WordDiff, word_diff
from allo.kb.local.models import LocalFiche, LocalFicheVersion
from allo.kb.local.workflow import STATE_LABELS, Editor, Policy
from allo.kb.models import Fiche
from allo.kb.records import AUDIENCES
from allo.kb.render.html_body import html_to_text
from allo.kb.render.links import FICHE_ID_RE
from allo.kb.render.markdown import fiche_links, render_markdown

INTERNAL_KIND = kinds.INTERNAL
TYPE_LABEL = "Fiche du service"
#: the fields an editor writes; a version's snapshot holds exactly these
EDITABLE = (
    "title",
    "summary",
    "audiences",
    "sector",
    "theme",
    "keywords",
    "body",
    "advisor_note",
    "related",
    "pivots",
    "services",
    "sites",
    "public",
    "review_by",
)
TEXT_FIELDS = ("title", "summary", "theme", "body", "advisor_note")
FIELD_LABELS = {
    "title": "Titre",
    "summary": "Résumé",
    "audiences": "Publics",
    "sector": "Secteur",
    "theme": "Thème",
    "keywords": "Mots-clés",
    "body": "Texte de la fiche",
    "advisor_note": "Pour le conseiller",
    "related": "Fiches officielles liées",
    "pivots": "Où s'adresser (types d'organismes)",
    "services": "Services en ligne",
    "sites": "Sites externes",
    "public": "Diffusion publique",
    "review_by": "À revoir avant le",
}
MAX_TITLE = 300
MAX_SUMMARY = 2_000
#: a long official fiche is about 40,000 characters; 200,000 leaves room and refuses 1 MB
MAX_BODY = 200_000
MAX_NOTE = 20_000
MAX_COMMENT = 500
MAX_ITEMS = 50
MAX_URL = 2_000
#: default « à revoir avant le » of a fiche published without one
REVIEW_AFTER = timedelta(days=365)
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


# -- validation --------------------------------------------------------------------------------
def _text(value: Any, label: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"« {label} » doit être un texte.")
    cleaned = value.translate(_CONTROL).replace("\r\n", "\n").strip()
    if required and not cleaned:
        raise InvalidInput(f"« {label} » est obligatoire.")
    if len(cleaned) > limit:
        raise InvalidInput(
            f"« {label} » est trop long : {len(cleaned):,} caractères pour {limit:,} au plus. "
            "Découpez la fiche ou raccourcissez le texte : rien n'a été enregistré.".replace(
                ",", "\u202f"
            )
        )
    return cleaned


def _strings(value: Any, label: str, limit: int = 120) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\n]", value)]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"« {label} » doit être une liste de textes.")
    items = [" ".join(v.split())[:limit] for v in value]
    items = list(dict.fromkeys(v for v in items if v))
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"« {label} » : {MAX_ITEMS} éléments au plus.")
    return items


def _links(value: Any, label: str) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"« {label} » doit être une liste de liens (titre et adresse).")
    out: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise InvalidInput(f"« {label} » : chaque lien a un titre et une adresse.")
        url = str(item.get("url") or "").strip()
        title = " ".join(str(item.get("title") or "").split())[:300]
        if not url and not title:
            continue
        if len(url) > MAX_URL or not _URL.match(url):
            raise InvalidInput(
                f"« {label} » : adresse refusée « {url[:80]} ». Seules les adresses commençant "
                "par http:// ou https:// sont acceptées."
            )
        out.append({"title": title or url, "url": url})
    if len(out) > MAX_ITEMS:
        raise InvalidInput(f"« {label} » : {MAX_ITEMS} liens au plus.")
    return out


def _date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise InvalidInput("« À revoir avant le » : date attendue au format AAAA-MM-JJ.") from exc


def clean_content(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise what an editor sent; every problem is a French `InvalidInput`."""
    content: dict[str, Any] = {
        "title": _text(data.get("title"), "Titre", MAX_TITLE, required=True),
        "summary": _text(data.get("summary"), "Résumé", MAX_SUMMARY),
        "theme": _text(data.get("theme"), "Thème", 255),
        "body": _text(data.get("body"), "Texte de la fiche", MAX_BODY),
        "advisor_note": _text(data.get("advisor_note"), "Pour le conseiller", MAX_NOTE),
        "keywords": _strings(data.get("keywords"), "Mots-clés", 60),
        "services": _links(data.get("services"), "Services en ligne"),
        "sites": _links(data.get("sites"), "Sites externes"),
        "public": bool(data.get("public") or False),
        "review_by": _date(data.get("review_by")),
    }
    audiences = _strings(data.get("audiences"), "Publics")
    unknown = [a for a in audiences if a not in AUDIENCES]
    if unknown:
        raise InvalidInput(f"Public inconnu : « {unknown[0]} » (attendu : {', '.join(AUDIENCES)}).")
    content["audiences"] = sorted(audiences)
    sector = str(data.get("sector") or "").strip()
    if sector and sector not in SECTORS:
        raise InvalidInput(f"Secteur inconnu : « {sector[:40]} » (attendu : {', '.join(SECTORS)}).")
    content["sector"] = sector
    related = _strings(data.get("related"), "Fiches officielles liées", 64)
    bad = [r for r in related if not FICHE_ID_RE.match(r)]
    if bad:
        raise InvalidInput(f"Identifiant de fiche invalide : « {bad[0]} » (ex. F1234).")
    inline = [r for r in fiche_links(content["body"]) if FICHE_ID_RE.match(r)]
    known = repository.existing_ids(session, [*related, *inline])
    missing = [r for r in [*related, *inline] if r not in known]
    if missing:
        raise InvalidInput(
            f"Fiche inconnue de la base : « {missing[0]} ». Vérifiez l'identifiant "
            "(ex. F1234) : rien n'a été enregistré.",
            details={"unknown": missing},
        )
    content["related"] = related
    pivots: list[str] = []
    for pivot in _strings(data.get("pivots"), "Où s'adresser", 80):
        code = catalog().resolve(pivot).code  # French InvalidInput for an unknown type
        if code not in pivots:
            pivots.append(code)
    content["pivots"] = pivots
    return {name: content[name] for name in EDITABLE}


def snapshot(fiche: LocalFiche) -> dict[str, Any]:
    content = {name: getattr(fiche, name) for name in EDITABLE}
    content["review_by"] = fiche.review_by.isoformat() if fiche.review_by else None
    return content


def apply_content(fiche: LocalFiche, content: dict[str, Any]) -> None:
    for name in EDITABLE:
        value = content.get(name)
        if name == "review_by":
            value = date.fromisoformat(value) if value else None
        setattr(fiche, name, value)


def record_version(
    session: Session, fiche: LocalFiche, agent: Editor | None, comment: str, *, author: str = ""
) -> LocalFicheVersion:
    version = LocalFicheVersion(
        fiche_id=fiche.id,
        number=fiche.version,
        author_id=agent.id if agent else None,
        author_name=(agent.display_name or agent.username) if agent else author,
        comment=_text(comment, "Commentaire", MAX_COMMENT),
        content=snapshot(fiche),
        created_at=utcnow(),
    )
    session.add(version)
    return version


_editor = workflow.require_editor


# -- reading -----------------------------------------------------------------------------------
def get(session: Session, fiche_id: str, *, for_update: bool = False) -> LocalFiche:
    fiche = repository.get(session, fiche_id.strip()[:64], for_update=for_update)
    if fiche is None:
        raise NotFound(f"Fiche du service introuvable : « {fiche_id[:64]} ».")
    return fiche


def list_fiches(session: Session, state: str | None = None) -> list[LocalFiche]:
    if state is not None and state not in STATE_LABELS:
        raise InvalidInput(f"État inconnu : « {state[:20]} » ({', '.join(STATE_LABELS)}).")
    return repository.list_fiches(session, [state] if state else None)


def versions(session: Session, fiche_id: str) -> list[LocalFicheVersion]:
    get(session, fiche_id)
    return repository.versions(session, fiche_id)


def version_content(session: Session, fiche_id: str, number: int) -> dict[str, Any]:
    found = repository.version(session, fiche_id, number)
    if found is None:
        raise NotFound(f"Version {number} introuvable pour la fiche {fiche_id}.")
    return dict(found.content)


# -- writing -----------------------------------------------------------------------------------
def create(
    session: Session,
    agent: Editor,
    data: dict[str, Any],
    comment: str = "Création",
    *,
    fiche_id: str | None = None,
) -> LocalFiche:
    _editor(agent)
    content = clean_content(session, data)
    return create_content(session, agent, content, comment, fiche_id=fiche_id)


def create_content(
    session: Session,
    agent: Editor | None,
    content: dict[str, Any],
    comment: str,
    *,
    fiche_id: str | None = None,
    author: str = "",
) -> LocalFiche:
    number = repository.next_number(session)
    if fiche_id:
        match = re.fullmatch(r"L(\d{1,9})", fiche_id)
        if match is None:
            raise InvalidInput(f"Identifiant de fiche du service invalide : « {fiche_id[:64]} ».")
        number = int(match.group(1))
    now = utcnow()
    fiche = LocalFiche(
        id=f"L{number}",
        number=number,
        state="draft",
        version=1,
        last_author_id=agent.id if agent else None,
        source_title="",
        source_text="",
        created_at=now,
        updated_at=now,
    )
    apply_content(fiche, content)
    session.add(fiche)
    session.flush()
    record_version(session, fiche, agent, comment or "Création", author=author)
    session.flush()
    return fiche


def changes_since(session: Session, fiche: LocalFiche, base_version: int) -> dict[str, Any]:
    """What changed between `base_version` and the current one: versions and field diffs."""
    base = repository.version(session, fiche.id, base_version)
    later = [v for v in repository.versions(session, fiche.id) if v.number > base_version]
    fields = diff_contents(base.content if base else {}, snapshot(fiche))
    return {
        "current_version": fiche.version,
        "versions": [
            {
                "version": v.number,
                "author": v.author_name,
                "at": v.created_at.isoformat(),
                "comment": v.comment,
            }
            for v in later
        ],
        "fields": {name: d.as_json() for name, d in fields.items()},
    }


def update(
    session: Session,
    agent: Editor,
    fiche_id: str,
    data: dict[str, Any],
    base_version: int,
    comment: str = "",
) -> LocalFiche:
    """Save a new version. `base_version` is the version the editor started from: if someone
    saved since, nothing is overwritten and the 409 says what changed meanwhile."""
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    if base_version != fiche.version:
        raise Conflict(
            f"La fiche a été modifiée entre-temps (version {fiche.version}, vous êtes parti de "
            f"la version {base_version}). Reprenez les changements ci-dessous puis enregistrez "
            "à nouveau : rien n'a été écrasé.",
            details=changes_since(session, fiche, base_version),
        )
    content = clean_content(session, data)
    if content == snapshot(fiche):
        return fiche  # nothing changed: no empty version
    apply_content(fiche, content)
    workflow.new_version(fiche, agent)
    record_version(session, fiche, agent, comment or "Modification")
    session.flush()
    return fiche


def restore(session: Session, agent: Editor, fiche_id: str, number: int) -> LocalFiche:
    """An old version's content becomes a new draft version (history is never rewritten)."""
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    content = version_content(session, fiche_id, number)
    apply_content(fiche, {name: content.get(name) for name in EDITABLE})
    workflow.new_version(fiche, agent)
    record_version(session, fiche, agent, f"Restauration de la version {number}")
    session.flush()
    return fiche


# -- workflow ----------------------------------------------------------------------------------
def submit(session: Session, agent: Editor, fiche_id: str) -> LocalFiche:
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    workflow.submit(fiche)
    return fiche


def approve(session: Session, agent: Editor, fiche_id: str, policy: Policy) -> LocalFiche:
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    workflow.approve(fiche, agent, policy)
    return fiche


def publish(
    session: Session, agent: Editor, fiche_id: str, policy: Policy, *, today: date
) -> LocalFiche:
    """Put the current version in the knowledge base: findable by advisors within seconds in
    every worker (the search index follows `kb_version`), on the portal if public. `today` is
    the service's day (`Settings.today()`), from which a review date counts."""
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    workflow.publish(fiche, agent, policy)
    if fiche.review_by is None:
        fiche.review_by = today + REVIEW_AFTER
    _write_kb_row(session, fiche, today)
    session.flush()
    return fiche


def archive(session: Session, agent: Editor, fiche_id: str) -> LocalFiche:
    """Out of the knowledge base (search and pages) at once; its history stays."""
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    workflow.archive(fiche)
    row = repository.fiche_row(session, fiche.id)
    if row is not None:
        session.delete(row)
    session.flush()
    return fiche


def _write_kb_row(session: Session, fiche: LocalFiche, today: date) -> None:
    inline = fiche_links(fiche.body)
    titles = dict(
        (fiche_id, title) for fiche_id, title in _titles(session, [*fiche.related, *inline]).items()
    )
    related = [{"id": r, "title": titles.get(r, r), "rel": "voir-aussi"} for r in fiche.related] + [
        {"id": r, "title": titles.get(r, r), "rel": "lien-interne"}
        for r in inline
        if r not in fiche.related
    ]
    html = stored_html.render_body(fiche.id, fiche.body, "markdown", titles)
    content = snapshot(fiche)
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    values: dict[str, Any] = {
        "source": "local",
        "kind": kinds.FICHE if fiche.public else INTERNAL_KIND,
        "type_label": TYPE_LABEL,
        "title": fiche.title,
        "description": fiche.summary,
        "subject": fiche.theme,
        "breadcrumb": [],
        "audiences": list(fiche.audiences),
        "url": "",
        "modified": today,
        "body": fiche.body,
        "body_format": "markdown",
        "text": "\n".join([*fiche.keywords, html_to_text(html)]),
        "related": related,
        "services": [{**s, "kind": "teleservice"} for s in fiche.services],
        "pivots": list(fiche.pivots),
        "contacts": [],
        "references": list(fiche.sites),
        "html": html,
        "html_renderer": stored_html.RENDERER,
        "content_hash": digest,
        "updated_at": utcnow(),
    }
    row = repository.fiche_row(session, fiche.id)
    if row is None:
        session.add(Fiche(id=fiche.id, imported_at=utcnow(), **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)


def _titles(session: Session, ids: list[str]) -> dict[str, str]:
    from allo.kb import repository as kb_repository

    return kb_repository.titles(session, ids)


# -- diffs -------------------------------------------------------------------------------------
def _as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "body":
        return html_to_text(render_markdown(str(value)))
    if name == "public":
        return "oui" if value else "non"
    if isinstance(value, list):
        return "\n".join(
            f"{v.get('title', '')} — {v.get('url', '')}" if isinstance(v, dict) else str(v)
            for v in value
        )
    return str(value)


def diff_contents(before: dict[str, Any], after: dict[str, Any]) -> dict[str, WordDiff]:
    """Field → word diff of the rendered text, for the fields that changed."""
    out: dict[str, WordDiff] = {}
    for name in EDITABLE:
        old, new = _as_text(name, before.get(name)), _as_text(name, after.get(name))
        if old != new:
            out[name] = word_diff(old, new)
    return out


def diff_versions(session: Session, fiche_id: str, start: int, end: int) -> dict[str, WordDiff]:
    get(session, fiche_id)
    return diff_contents(
        version_content(session, fiche_id, start), version_content(session, fiche_id, end)
    )


# -- adaptation of an official fiche -----------------------------------------------------------
def adapt(session: Session, agent: Editor, official_id: str) -> LocalFiche:
    """« Adapter pour le téléphone »: a draft from a DILA or travail-emploi fiche, remembering
    the exact source version (content hash, date, text) to flag later upstream changes."""
    _editor(agent)
    source = repository.fiche_row(session, official_id.strip()[:64])
    if source is None or source.source not in ("dila", "travail"):
        raise NotFound(f"Fiche officielle introuvable : « {official_id[:64]} ».")
    body = _markdown_from_text(source.text or "")
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY]
    content = clean_content(
        session,
        {
            "title": source.title,
            "summary": source.description,
            "audiences": [a for a in source.audiences or [] if a in AUDIENCES],
            "theme": source.subject,
            "body": body,
            "related": [source.id],
            "pivots": [
                code for p in source.pivots or [] if (code := catalog().for_fiche(p)) is not None
            ],
            "services": [
                {"title": s.get("title", ""), "url": s.get("url", "")}
                for s in source.services or []
                if _URL.match(str(s.get("url") or ""))
            ][:MAX_ITEMS],
        },
    )
    fiche = create_content(
        session, agent, content, f"Adaptation de la fiche officielle {source.id}"
    )
    fiche.source_id = source.id
    fiche.source_hash = source.content_hash
    fiche.source_modified = source.modified
    fiche.source_title = source.title
    fiche.source_text = source.text or ""
    session.flush()
    return fiche


def _markdown_from_text(text: str) -> str:
    """The official fiche's plain text as Markdown paragraphs (Markdown characters escaped)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n|\n", text)]
    escaped = [re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", p) for p in paragraphs if p]
    return "\n\n".join(escaped)


@dataclass
class SourceStatus:
    """Where an adaptation's official source stands now."""

    #: "ok", "changed" (« source modifiée ») or "withdrawn" (« source retirée »)
    state: str
    source_id: str
    diff: WordDiff | None = None
    label: str = field(default="")


SOURCE_LABELS = {"ok": "Source à jour", "changed": "Source modifiée", "withdrawn": "Source retirée"}


def source_status(
    session: Session, fiche: LocalFiche, *, with_diff: bool = False
) -> SourceStatus | None:
    """Compares the stored source hash with the official fiche's current one (no dependency on
    the import's change reports)."""
    if not fiche.source_id:
        return None
    current = repository.official_hashes(session, [fiche.source_id]).get(fiche.source_id)
    if current is None:
        return SourceStatus("withdrawn", fiche.source_id, label=SOURCE_LABELS["withdrawn"])
    digest, text = current
    state = "ok" if digest == fiche.source_hash else "changed"
    diff = word_diff(fiche.source_text, text) if with_diff and state == "changed" else None
    return SourceStatus(state, fiche.source_id, diff, SOURCE_LABELS[state])


def acknowledge_source(session: Session, agent: Editor, fiche_id: str) -> LocalFiche:
    """The editor has taken the upstream change into account: the current source is the new
    reference."""
    _editor(agent)
    fiche = get(session, fiche_id, for_update=True)
    source = repository.fiche_row(session, fiche.source_id or "")
    if source is None:
        raise Conflict("La fiche officielle d'origine a été retirée : rien à prendre en compte.")
    fiche.source_hash = source.content_hash
    fiche.source_modified = source.modified
    fiche.source_title = source.title
    fiche.source_text = source.text or ""
    fiche.updated_at = utcnow()
    return fiche


# -- dashboard and advisors --------------------------------------------------------------------
@dataclass
class Dashboard:
    to_review: list[LocalFiche]
    drafts: list[LocalFiche]
    overdue: list[LocalFiche]
    source_changed: list[tuple[LocalFiche, SourceStatus]]
    broken_links: list[tuple[LocalFiche, list[str]]]
    published: int


def dashboard(session: Session, today: date) -> Dashboard:
    """What the editors have to do; `today` is the service's day (`Settings.today()`)."""
    fiches = repository.list_fiches(session)
    live = [f for f in fiches if f.state != "archived"]
    targets = {f.id: linked_fiches(f) for f in live}
    known = repository.existing_ids(session, [r for ids in targets.values() for r in ids])
    changed = []
    for fiche in repository.adaptations(session):
        status = source_status(session, fiche)
        if status is not None and status.state != "ok":
            changed.append((fiche, status))
    return Dashboard(
        to_review=[f for f in fiches if f.state == "review"],
        drafts=[f for f in fiches if f.state == "draft"],
        overdue=repository.overdue(session, today),
        source_changed=changed,
        broken_links=[
            (f, missing) for f in live if (missing := [r for r in targets[f.id] if r not in known])
        ],
        published=sum(1 for f in fiches if f.state == "published"),
    )


def linked_fiches(fiche: LocalFiche) -> list[str]:
    """The fiches a local fiche links to: its related fiches, then its body's `fiche:` links."""
    return list(dict.fromkeys([*fiche.related, *fiche_links(fiche.body)]))


def advisor_note(session: Session, fiche_id: str) -> str | None:
    """The « pour le conseiller » part of the published version of a local fiche, else None."""
    fiche = repository.get(session, fiche_id)
    if fiche is None or fiche.published_version is None:
        return None
    found = repository.version(session, fiche_id, fiche.published_version)
    note = str((found.content if found else {}).get("advisor_note") or "")
    return note or None
