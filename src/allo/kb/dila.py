"""Parse one DILA "vos droits et démarches" publication (XML schema 3.3 or 3.4) into fiche fields.

A publication is a `<Publication>` (fiches F…, dossiers and themes N…) or a
`<ServiceComplementaire>` (resources R…: forms, online services, models, simulators).

Both schemas go into the same base: a publication names its schema in
`xsi:noNamespaceSchemaLocation` ("../Schemas/3.4/Publication.xsd"); 3.4 calls the
publication-level "où s'adresser" `QuiPeutMAider` and it is read exactly as `OuSAdresser` (its
`PivotLocal` codes couple the fiche to the directory). A later schema (3.5) is read the same way,
with a warning, so an unannounced change upstream is noticed but does not stop the import.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lxml import etree

from allo.kb import kinds
from allo.kb.elements import DC, SCHEMAS, WHERE_TO_GO, unknown_elements
from allo.kb.records import AUDIENCES, Variant, digest
from allo.kb.render.dila_text import render_text_element
from allo.kb.render.links import current_url, official_url
from allo.kb.safexml import UnsafeOrInvalidXML, parse_xml

ROOT_TAGS = ("Publication", "ServiceComplementaire")
ID_RE = re.compile(r"^[FNR]\d+$")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PHONE_RE = re.compile(r"^\+?[\d .]{4,20}$")
_SCHEMA_ATTR = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
_SCHEMA_RE = re.compile(r"Schemas/(\d+\.\d+)/")

#: related-fiche relations, in the order they are listed
REL_DOSSIER = "dossier"  # a parent: theme, sub-theme, dossier (dc:relation isPartOf, DossierPere…)
REL_CONTENU = "contenu"  # a child: the fiches of a dossier, the dossiers of a theme
REL_FICHE_LIEE = "fiche-liee"
REL_QUESTION = "question-reponse"
REL_VOIR_AUSSI = "voir-aussi"
REL_LIEN_INTERNE = "lien-interne"
REL_RELATION = "relation"
REL_COMMENT_FAIRE = "comment-faire"
REL_RECHERCHE_GUIDEE = "recherche-guidee"


class InvalidRecord(ValueError):
    """A well-formed document that is not a usable publication; the message is French."""


_STRING = etree.XPath("string()")


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return " ".join(str(_STRING(el)).split())


def _child_text(el: etree._Element, tag: str) -> str:
    return _text(el.find(tag))


def _audience(value: str | None) -> str | None:
    if not value:
        return None
    low = value.strip().lower()
    return low if low in AUDIENCES else None


def feed_of(root: etree._Element) -> str | None:
    """The audience export a publication belongs to: its breadcrumb's root level."""
    first = root.find("FilDAriane/Niveau")
    if first is not None:
        found = _audience(first.get("ID"))
        if found:
            return found
    declared = [_audience(a.text) for a in root.findall("Audience")]
    declared = [a for a in declared if a]
    return declared[0] if len(declared) == 1 else None


def schema_of(root: etree._Element) -> str | None:
    """The schema version a publication declares ("3.3", "3.4"…), None when it declares none."""
    match = _SCHEMA_RE.search(root.get(_SCHEMA_ATTR) or "")
    return match[1] if match else None


def _is_newer(schema: str) -> bool:
    """A schema later than the newest we know. Older ones (3.0–3.2, still declared by
    publications that DILA has not rewritten since) are read as 3.3 is: same elements."""
    try:
        version = tuple(int(part) for part in schema.split("."))
    except ValueError:
        return True
    return version > tuple(int(part) for part in SCHEMAS[-1].split("."))


def strip_declaration(data: bytes) -> bytes:
    return _XML_DECL.sub(b"", data, count=1)


def parse_publication(data: bytes, *, feed_hint: str | None = None) -> Variant:
    """Parse and extract everything the fiche row needs. Raises UnsafeOrInvalidXML/InvalidRecord."""
    root = parse_xml(data)
    if root.tag not in ROOT_TAGS:
        raise InvalidRecord(f"élément racine <{root.tag}> inattendu (Publication attendue)")
    fiche_id = (root.get("ID") or "").strip()
    if not ID_RE.match(fiche_id):
        raise InvalidRecord(f"identifiant de publication invalide : {fiche_id!r}")
    feed = feed_of(root) or feed_hint
    if feed is None:
        raise InvalidRecord("audience introuvable (ni FilDAriane ni Audience)")
    warnings = []
    unknown = unknown_elements({el.tag for el in root.iter() if isinstance(el.tag, str)})
    if unknown:
        warnings.append("éléments inconnus ignorés : " + ", ".join(sorted(unknown)))
    schema = schema_of(root)
    if schema is not None and _is_newer(schema):
        warnings.append(f"schéma {schema} non reconnu : lu comme le schéma {SCHEMAS[-1]}")
    type_label = (root.get("type") or "").strip()
    if not kinds.is_known(type_label):
        warnings.append(f"type de publication inconnu : {type_label!r}")
    title = _child_text(root, DC + "title")
    if not title:
        raise InvalidRecord("titre (dc:title) manquant")
    declared = sorted({a for a in (_audience(x.text) for x in root.findall("Audience")) if a})
    body = strip_declaration(data).decode("utf-8")
    breadcrumb = _breadcrumb(root, fiche_id)
    fields: dict[str, Any] = {
        "id": fiche_id,
        "source": "dila",
        "kind": kinds.kind_of(type_label),
        "type_label": type_label,
        "title": title,
        "description": _child_text(root, DC + "description"),
        "subject": _child_text(root, DC + "subject")[:255],
        "breadcrumb": breadcrumb,
        "url": current_url(root.get("spUrl") or "") or official_url(fiche_id, feed),
        "modified": _modified(root),
        "body": body,
        "body_format": "dila-xml",
        "text": render_text_element(root, extras=False),
        "related": _related(root, fiche_id, breadcrumb),
        "services": _services(root),
        "pivots": _pivots(root),
        "contacts": _contacts(root),
        "references": _references(root),
    }
    return Variant(
        fiche_id=fiche_id,
        feed=feed,
        source="dila",
        content_hash=digest(data),
        raw=data,
        fields=fields,
        declared_audiences=declared,
        warnings=warnings,
    )


def _modified(root: etree._Element) -> date | None:
    match = _DATE_RE.search(_child_text(root, DC + "date"))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _breadcrumb(root: etree._Element, fiche_id: str) -> list[dict[str, Any]]:
    """The publication's ancestors (the audience home and the publication itself left out)."""
    crumbs = []
    for level in root.iterfind("FilDAriane/Niveau"):
        level_id = (level.get("ID") or "").strip()
        if level_id == fiche_id or not ID_RE.match(level_id):
            continue
        crumbs.append({"id": level_id, "title": _text(level)})
    return crumbs


class _Links:
    """Ordered, de-duplicated list of related publications."""

    def __init__(self, self_id: str) -> None:
        self.items: list[dict[str, Any]] = []
        self.seen: set[tuple[str, str]] = {(self_id, "*")}
        self.self_id = self_id

    def add(self, fiche_id: str | None, title: str, rel: str, audience: str | None = None) -> None:
        fiche_id = (fiche_id or "").strip()
        if not ID_RE.match(fiche_id) or fiche_id == self.self_id or (fiche_id, rel) in self.seen:
            return
        self.seen.add((fiche_id, rel))
        item: dict[str, Any] = {"id": fiche_id, "title": title, "rel": rel}
        aud = _audience(audience)
        if aud:
            item["audience"] = aud
        self.items.append(item)


def _related(
    root: etree._Element, fiche_id: str, breadcrumb: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    links = _Links(fiche_id)
    # parents
    for rel in root.iterfind(DC + "relation"):
        parts = (rel.text or "").split()
        if len(parts) == 2 and parts[0] == "isPartOf":
            links.add(parts[1], "", REL_DOSSIER)
    for el in root.iterfind("DossierPere"):
        links.add(el.get("ID"), _child_text(el, "Titre"), REL_DOSSIER)
    for el in root.iterfind("SousThemePere"):
        links.add(el.get("ID"), _text(el), REL_DOSSIER)
    for el in root.iterfind("Theme"):
        links.add(el.get("ID"), _child_text(el, "Titre"), REL_DOSSIER)
    # the parents' titles are known from the breadcrumb when dc:relation gave none
    titles = {c["id"]: c["title"] for c in breadcrumb}
    for item in links.items:
        if not item["title"]:
            item["title"] = titles.get(item["id"], "")
    # children: a dossier's fiches, a theme's dossiers
    for el in root.iterfind("SousDossier/Fiche"):
        links.add(el.get("ID"), _text(el), REL_CONTENU)
    for el in root.iterfind("Fiche"):
        links.add(el.get("ID"), _text(el), REL_CONTENU)
    for el in root.iterfind("SousTheme/Dossier"):
        links.add(el.get("ID"), _text(el), REL_CONTENU)
    for el in root.iterfind("Dossier"):
        if root.tag == "Publication":
            links.add(el.get("ID"), _text(el), REL_CONTENU)
        else:  # a resource's dossiers are where it is used
            links.add(el.get("ID"), _child_text(el, "Titre") or _text(el), REL_DOSSIER)
    for el in root.iterfind("FicheLiee"):
        links.add(el.get("ID"), _child_text(el, "Titre"), REL_FICHE_LIEE, el.get("audience"))
    for el in root.iterfind("QuestionReponse"):
        links.add(el.get("ID"), _text(el), REL_QUESTION, el.get("audience"))
    for el in root.iterfind("VoirAussi/*"):
        links.add(el.get("ID"), _child_text(el, "Titre"), REL_VOIR_AUSSI, el.get("audience"))
    for el in root.iterfind("CommentFaireSi"):
        links.add(el.get("ID"), _text(el), REL_COMMENT_FAIRE, el.get("audience"))
    for el in root.iterfind("RechercheGuidee"):
        title = _child_text(el, "Titre").lstrip("*").strip()
        links.add(el.get("ID"), title, REL_RECHERCHE_GUIDEE, el.get("audience"))
    for el in root.iter("LienInterne"):
        links.add(el.get("LienPublication"), _text(el), REL_LIEN_INTERNE, el.get("audience"))
    for el in root.iter("ServiceEnLigneAlternatif"):
        links.add(el.get("ID"), _child_text(el, "Titre"), REL_RELATION, el.get("audience"))
    return links.items


_SERVICE_KINDS = {
    "téléservice": "teleservice",
    "téléservice personnalisé sur sp": "teleservice",
    "formulaire": "formulaire",
    "modèle de document": "modele",
    "simulateur": "simulateur",
    "outil de recherche": "outil",
    "notice": "notice",
}


def _service_kind(label: str | None) -> str:
    return _SERVICE_KINDS.get((label or "").strip().lower(), "autre")


def _services(root: etree._Element) -> list[dict[str, Any]]:
    """Online services and forms the publication offers, with their Cerfa numbers."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(item: dict[str, Any]) -> None:
        key = item.get("id") or item.get("url") or item["title"]
        if key in seen:
            return
        seen.add(key)
        out.append(item)

    if root.tag == "ServiceComplementaire":
        # the resource itself: its download/access link and its Cerfa number
        link = root.find("LienWeb")
        add(
            {
                "id": root.get("ID"),
                "title": _child_text(root, DC + "title"),
                "url": link.get("URL", "") if link is not None else "",
                "kind": _service_kind(root.get("type")),
                "cerfa": _child_text(root, "NumeroCerfa") or None,
                "other_number": _child_text(root, "AutreNumero") or None,
                "format": link.get("format") if link is not None else None,
                "size": link.get("poids") if link is not None else None,
                "source": _child_text(link, "Source") if link is not None else "",
            }
        )
    for el in root.iter("ServiceEnLigne", "ServiceEnLigneAlternatif"):
        add(
            {
                "id": el.get("ID"),
                "title": _child_text(el, "Titre"),
                "url": current_url(el.get("URL", "")),
                "kind": _service_kind(el.get("type")),
                "cerfa": el.get("numerocerfa"),
                "other_number": el.get("autrenumero"),
                "format": el.get("format"),
                "size": el.get("poids"),
                "source": _child_text(el, "Source"),
            }
        )
    for el in root.iter("ServiceEnLigneAnnexe"):
        link = el.find("LienWeb")
        add(
            {
                "id": None,
                "title": _child_text(el, "Titre"),
                "url": link.get("URL", "") if link is not None else "",
                "kind": _service_kind(el.get("type")),
                "cerfa": el.get("numerocerfa"),
                "other_number": None,
                "format": link.get("format") if link is not None else None,
                "size": link.get("poids") if link is not None else None,
                "source": "",
            }
        )
    for el in root.iter("NoticeLiee"):
        add(
            {
                "id": el.get("ID"),
                "title": _text(el),
                "url": el.get("URL", ""),
                "kind": "notice",
                "cerfa": el.get("numerocerfa"),
                "other_number": None,
                "format": el.get("format"),
                "size": el.get("poids"),
                "source": "",
            }
        )
    return out


def _pivots(root: etree._Element) -> list[str]:
    out: list[str] = []
    for el in root.iter("PivotLocal"):
        code = (el.text or "").strip()
        if code and code not in out:
            out.append(code)
    return out


def _phone(el: etree._Element) -> str | None:
    for strong in el.iter("MiseEnEvidence"):
        value = _text(strong)
        if _PHONE_RE.match(value) and sum(c.isdigit() for c in value) >= 3:
            return value
    return None


def _contacts(root: etree._Element) -> list[dict[str, Any]]:
    """National contacts: the places to turn to that are not a local office type."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for el in root.iter(*WHERE_TO_GO):
        if el.find("PivotLocal") is not None:
            continue
        key = el.get("ID") or _child_text(el, "Titre")
        if key in seen:
            continue
        seen.add(key)
        web = el.find("RessourceWeb")
        texte = el.find("Texte")
        out.append(
            {
                "id": el.get("ID"),
                "title": _child_text(el, "Titre"),
                "type": el.get("type", ""),
                "complement": _child_text(el, "Complement"),
                "url": current_url(web.get("URL", "")) if web is not None else "",
                "phone": _phone(texte) if texte is not None else None,
                "text": render_text_element(texte, extras=False) if texte is not None else "",
                "source": _child_text(el, "Source"),
            }
        )
    return out


def _references(root: etree._Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    urls: set[str] = set()
    for el in root.iterfind("Reference"):
        url = el.get("URL", "")
        urls.add(url)
        out.append(
            {
                "id": el.get("ID"),
                "title": _child_text(el, "Titre"),
                "url": url,
                "type": el.get("type", "Texte de référence"),
                "complement": _child_text(el, "Complement"),
            }
        )
    for source in root.iterfind(DC + "source"):
        for url in (u.strip() for u in (source.text or "").split(",")):
            if url.startswith(("http://", "https://")) and url not in urls:
                urls.add(url)
                out.append({"id": None, "title": url, "url": url, "type": "dc:source"})
    for el in root.iterfind("PourEnSavoirPlus"):
        out.append(
            {
                "id": el.get("ID"),
                "title": _child_text(el, "Titre"),
                "url": el.get("URL", ""),
                "type": "Pour en savoir plus",
                "source": _child_text(el, "Source"),
            }
        )
    return out


__all__ = ["InvalidRecord", "UnsafeOrInvalidXML", "feed_of", "parse_publication"]
