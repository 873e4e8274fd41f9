"""Parse one labour-ministry fiche ("fiches pratiques du droit du travail", travail-emploi.gouv.fr).

The export (npm `@socialgouv/fiches-travail-data`) gives title, description, an HTML intro and
HTML sections with their legal references; the body we keep is one sanitised HTML document.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape
from typing import Any

from allo.kb import kinds
from allo.kb.records import TRAVAIL, Variant, digest
from allo.kb.render.html_body import html_to_text, sanitize_html

BASE_URL = "https://travail-emploi.gouv.fr/"
TYPE_LABEL = "Fiche pratique du droit du travail"
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CODES = {"LEGITEXT000006072050": "Code du travail"}


class InvalidTravailRecord(ValueError):
    """The JSON record lacks what a fiche needs; the message is French."""


def _str(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(value: str) -> date | None:
    match = _DATE_RE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


def _references(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for section in sections:
        refs = section.get("references")
        if not isinstance(refs, dict):
            continue
        for code_id, code in refs.items():
            if not isinstance(code, dict):
                continue
            name = str(code.get("name") or _CODES.get(code_id, "")).strip()
            name = name[:1].upper() + name[1:]
            for article in code.get("articles") or []:
                if not isinstance(article, dict):
                    continue
                number = str(article.get("fmt") or article.get("text") or "").strip()
                if not number:
                    continue
                key = f"{code_id}:{number}"
                if key in seen:
                    continue
                seen.add(key)
                legi = str(article.get("id") or "")
                url = (
                    f"https://www.legifrance.gouv.fr/codes/article_lc/{legi}"
                    if legi.startswith("LEGIARTI")
                    else ""
                )
                title = f"{name} : article {number}" if name else f"Article {number}"
                out.append({"id": legi or None, "title": title, "url": url, "type": "Article"})
    return out


def build_body(record: dict[str, Any], title: str) -> str:
    """One HTML document: the intro, then each section under its own heading."""
    parts = []
    intro = _str(record, "intro")
    if intro:
        parts.append(f'<div class="fr-highlight">{intro}</div>')
    for section in record.get("sections") or []:
        if not isinstance(section, dict):
            continue
        section_title = _str(section, "title")
        html = _str(section, "html")
        heading = (
            f"<h2>{escape(section_title)}</h2>" if section_title and section_title != title else ""
        )
        parts.append(f"<section>{heading}{html}</section>")
    return sanitize_html("".join(parts), base_url=BASE_URL)


def parse_travail(data: bytes) -> Variant:
    try:
        record = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidTravailRecord(f"JSON invalide ({exc})") from None
    if not isinstance(record, dict):
        raise InvalidTravailRecord("enregistrement qui n'est pas un objet JSON")
    pub_id = _str(record, "pubId")
    if not ID_RE.match(pub_id):
        raise InvalidTravailRecord(f"identifiant pubId invalide : {pub_id!r}")
    title = _str(record, "title")
    if not title:
        raise InvalidTravailRecord("titre manquant")
    sections = [s for s in record.get("sections") or [] if isinstance(s, dict)]
    body = build_body(record, title)
    warnings = []
    if not sections:
        warnings.append("fiche sans section")
    url = _str(record, "url")
    fields: dict[str, Any] = {
        "id": pub_id,
        "source": "travail",
        "kind": kinds.FICHE,
        "type_label": TYPE_LABEL,
        "title": title,
        "description": _str(record, "description"),
        "subject": "Travail",
        "breadcrumb": [],
        "url": url if url.startswith("https://") else "",
        "modified": _date(_str(record, "date")),
        "body": body,
        "body_format": "html",
        "text": html_to_text(body),
        "related": [],
        "services": [],
        "pivots": [],
        "contacts": [],
        "references": _references(sections),
    }
    return Variant(
        fiche_id=pub_id,
        feed=TRAVAIL,
        source="travail",
        content_hash=digest(data),
        raw=data,
        fields=fields,
        # the labour ministry's fiches address employees and employers alike
        declared_audiences=["particuliers", "professionnels"],
        warnings=warnings,
    )
