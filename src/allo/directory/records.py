"""One office of the DILA directory, from its GeoJSON feature to the normalised record we store.

The source was converted from XML, so a repeated element is an object when it occurs once,
text with attributes is `{"$t": …, "attr": …}`, and empty values are "" or null. Everything
clear is repaired (`fixes`); everything doubtful is kept as a French note and reported
(`problems`). `normalise_feature` never raises on odd data.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from allo.directory.hours import as_list, parse_opening
from allo.directory.types import catalog

ACCESSIBILITY = {
    "ACC": "Accessible en fauteuil roulant",
    "DEM": "Accessible en fauteuil roulant avec aide, sur demande",
    "NAC": "Non accessible en fauteuil roulant",
}
_EMAIL = re.compile(r"^[^@\s/:]+@[^@\s/:]+\.[a-z]{2,}$", re.IGNORECASE)
_EMAIL_SPLIT = re.compile(r"\s+et\s+|\s*//\s*|\s+-\s+|[;,/\s]+")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_FR_INTL = re.compile(r"^\+\s*33\s*(\d)[\s.]*(\d{2})[\s.]*(\d{2})[\s.]*(\d{2})[\s.]*(\d{2})$")
_TEN_DIGITS = re.compile(r"^0(\d)[\s.]*(\d{2})[\s.]*(\d{2})[\s.]*(\d{2})[\s.]*(\d{2})$")

#: the columns of a normalised record (besides content_hash)
RECORD_FIELDS = (
    "id",
    "type",
    "name",
    "insee",
    "departement",
    "addresses",
    "latitude",
    "longitude",
    "phone",
    "phone_cost",
    "fax",
    "email",
    "url",
    "contact_url",
    "hours",
    "comment",
    "updated_on",
    "notes",
)


@dataclass
class Normalised:
    record: dict[str, Any] | None
    fixes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    """Plain text of a source value: `{"$t": …}` unwrapped, blanks → None."""
    if type(value) is str and "  " not in value and "\xa0" not in value and "\n" not in value:
        return value.strip() or None
    if isinstance(value, dict):
        value = value.get("$t")
    if value is None:
        return None
    text = " ".join(str(value).replace("\xa0", " ").split())
    return text or None


def _phone(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    m = _FR_INTL.match(text) or _TEN_DIGITS.match(text)
    if m:
        return "0" + m.group(1) + " " + " ".join(m.groups()[1:])
    return text


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN


def _point(lat: Any, lon: Any) -> tuple[float, float] | None:
    la, lo = _float(lat), _float(lon)
    if la is None or lo is None or not (-90 <= la <= 90 and -180 <= lo <= 180):
        return None
    if la == 0 and lo == 0:
        return None
    return la, lo


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    access = raw.get("Accessibilité")
    accessibility = None
    if isinstance(access, dict) and access.get("type"):
        code = str(access["type"]).upper()
        accessibility = {
            "code": code,
            "label": ACCESSIBILITY.get(code, code),
            "detail": _text(access.get("$t")),
        }
    loc = raw.get("Localisation") if isinstance(raw.get("Localisation"), dict) else {}
    point = _point(loc.get("Latitude"), loc.get("Longitude")) if loc else None
    return {
        "kind": {"géopostale": "physique"}.get(str(raw.get("type")), raw.get("type") or "physique"),
        "lines": [t for t in (_text(line) for line in as_list(raw.get("Ligne"))) if t],
        "postal_code": _text(raw.get("CodePostal")),
        "city": _text(raw.get("NomCommune")),
        "accessibility": accessibility,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
    }


def _emails(
    value: Any, out: Normalised, notes: list[str]
) -> tuple[str | None, str | None, list[str]]:
    """(email, contact form URL, every valid address): the field sometimes holds a URL or
    several addresses."""
    text = _text(value)
    if text is None:
        return None, None, []
    if re.match(r"^https?://", text, re.IGNORECASE):
        out.fixes.append("formulaire de contact à la place de l'adresse électronique")
        return None, text, []
    candidates = [c for c in _EMAIL_SPLIT.split(re.sub(r"(?i)mailto:", " ", text)) if c]
    valid = [c for c in candidates if _EMAIL.match(c)]
    if valid:
        if len(valid) > 1 or text.lower().startswith("mailto:"):
            out.fixes.append("adresse électronique reformatée")
        if len(valid) > 1:
            notes.append("Autres adresses électroniques : " + ", ".join(valid[1:]))
        return valid[0], None, valid
    out.problems.append("adresse électronique invalide")
    notes.append(f"Adresse électronique incomplète dans la source : « {text[:120]} ».")
    return None, None, []


def site_url(url: str | None, out: Normalised, notes: list[str]) -> str | None:
    """A website address, `http://` added to a bare domain; None (reported) when not one."""
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        if re.match(r"^[\w.-]+\.[a-z]{2,}(/.*)?$", url, re.IGNORECASE):
            out.fixes.append("adresse de site sans http://")
            return "http://" + url
        out.problems.append("adresse de site invalide")
        notes.append(f"Adresse de site invalide dans la source : « {url[:120]} ».")
        return None
    return url


#: (south, north, west, east) of metropolitan France and of each overseas territory
FRANCE_BOXES = (
    (41.2, 51.2, -5.3, 9.7),  # metropolitan France and Corsica
    (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    (14.3, 14.95, -61.3, -60.7),  # Martinique
    (2.0, 5.9, -54.7, -51.5),  # Guyane
    (-21.5, -20.8, 55.1, 55.9),  # La Réunion
    (-13.2, -12.5, 44.9, 45.4),  # Mayotte
    (46.7, 47.2, -56.5, -56.1),  # Saint-Pierre-et-Miquelon
    (17.8, 18.2, -63.2, -62.7),  # Saint-Martin, Saint-Barthélemy
    (-14.5, -13.1, -178.3, -176.0),  # Wallis-et-Futuna
    (-28.0, -7.0, -155.0, -134.0),  # Polynésie française
    (-23.0, -19.0, 163.0, 169.0),  # Nouvelle-Calédonie
)


def in_france(latitude: float, longitude: float) -> bool:
    """Whether a point lies in France (a swapped or mistyped point does not)."""
    return any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in FRANCE_BOXES)


def checked_point(
    point: tuple[float, float] | None, out: Normalised, notes: list[str]
) -> tuple[float, float] | None:
    """The office's point, or None with a problem and a French note when it is missing or
    outside France (no distance is computed then; the office is still imported)."""
    if point is not None and not in_france(*point):
        out.problems.append("coordonnées hors de France")
        notes.append(
            f"Coordonnées GPS hors de France dans la source ({point[0]:.4f}, {point[1]:.4f}) : "
            "distance non calculable."
        )
        return None
    if point is None:
        out.problems.append("coordonnées absentes")
        notes.append("Coordonnées GPS absentes de la source : distance non calculable.")
    return point


def departement_of(insee: str, addresses: list[dict[str, Any]]) -> str:
    """The département of an office from its INSEE code (else its postal code)."""
    code = insee if _INSEE.match(insee) else ""
    if not code:
        code = next((a["postal_code"] for a in addresses if a.get("postal_code")), None) or ""
        if not re.match(r"^\d{5}$", code):
            return ""
        if code.startswith("20"):
            return "2A" if code < "20200" else "2B"
    return code[:3] if code.startswith(("97", "98")) else code[:2]


def details_of(
    *,
    phones: list[tuple[str | None, str | None]],
    emails: list[str],
    websites: list[tuple[str | None, str | None]],
    forms: list[str],
    communes: list[str] | None = None,
    hierarchy: list[dict[str, Any]] | None = None,
    information: str | None = None,
    source_types: list[str] | None = None,
) -> dict[str, Any] | None:
    """The office's full lists (the columns hold the first of each); only non-empty keys."""
    details: dict[str, Any] = {
        "phones": [{"number": n, "description": d} for n, d in phones if n],
        "emails": emails,
        "websites": [{"label": label, "url": url} for label, url in websites if url],
        "contact_forms": forms,
        "communes": communes or [],
        "hierarchy": hierarchy or [],
        "information": information,
        "source_types": source_types or [],
    }
    kept = {k: v for k, v in details.items() if v}
    return kept or None


def normalise_feature(
    feature: Any,
    *,
    departement: str,
    file_type: str | None,
    hours_cache: dict[str, Any] | None = None,
) -> Normalised:
    """The stored record for one GeoJSON feature of `organismes/<departement>/<type>.json`."""
    out = Normalised(record=None)
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        out.problems.append("enregistrement illisible")
        return out
    p = feature["properties"]
    office_id = _text(p.get("id"))
    if office_id is None:
        out.problems.append("identifiant manquant")
        return out
    notes: list[str] = []

    # Type: the record's pivotLocal, else what the name says ("Mairie déléguée de …").
    types = catalog()
    office_type = _text(p.get("pivotLocal"))
    if office_type is None:
        guessed = types.infer_from_name(_text(p.get("Nom")) or "")
        if guessed is None and file_type and types.get(file_type):
            guessed = file_type
        if guessed is not None:
            office_type = guessed
            out.fixes.append("type vide déduit du nom")
        else:
            office_type = ""
            out.problems.append("type d'organisme vide")
            notes.append("Type d'organisme absent de la source.")

    insee = _text(p.get("codeInsee")) or ""
    insee = insee.upper()
    if not _INSEE.match(insee):
        out.problems.append("code INSEE invalide")
        notes.append(f"Code INSEE invalide dans la source : « {insee[:20]} ».")

    addresses = [_address(a) for a in as_list(p.get("Adresse")) if isinstance(a, dict)]
    addresses.sort(key=lambda a: 0 if a["kind"] == "physique" else 1)

    point = None
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and isinstance(geometry.get("coordinates"), list):
        coords = geometry["coordinates"]
        if len(coords) >= 2:
            point = _point(coords[1], coords[0])
    if point is None:
        located = next((a for a in addresses if a["latitude"] is not None), None)
        if located is not None:
            point = (located["latitude"], located["longitude"])
            out.fixes.append("coordonnées reprises de l'adresse")
    point = checked_point(point, out, notes)

    contact = p.get("CoordonnéesNum") if isinstance(p.get("CoordonnéesNum"), dict) else {}
    phones = [
        (_phone(raw), _text(raw.get("coût")) if isinstance(raw, dict) else None)
        for raw in as_list(contact.get("Téléphone"))
        if _text(raw)
    ]
    phone_raw = contact.get("Téléphone")
    phone_raw = phone_raw[0] if isinstance(phone_raw, list) and phone_raw else phone_raw
    phone_cost = _text(phone_raw.get("coût")) if isinstance(phone_raw, dict) else None
    email, contact_url, emails = _emails(contact.get("Email"), out, notes)
    url = site_url(_text(contact.get("Url")), out, notes)
    sve = _text(contact.get("Sve"))
    contact_url = contact_url or sve

    raw_hours = p.get("Ouverture")
    if hours_cache is None or not raw_hours:
        parsed = parse_opening(raw_hours)
    else:
        key = repr(raw_hours)
        cached = hours_cache.get(key)
        if cached is None:
            cached = hours_cache[key] = parse_opening(raw_hours)
        parsed = cached
    out.fixes.extend(parsed.fixes)
    out.problems.extend(parsed.problems)

    updated_on = None
    raw_date = _text(p.get("dateMiseAJour"))
    if raw_date:
        try:
            updated_on = date.fromisoformat(raw_date[:10]).isoformat()
        except ValueError:
            out.problems.append("date de mise à jour invalide")

    out.record = {
        "id": office_id,
        "type": office_type,
        "name": _text(p.get("Nom")) or office_id,
        "insee": insee,
        "departement": departement,
        "addresses": addresses,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "phone": _phone(phone_raw),
        "phone_cost": phone_cost,
        "fax": _phone(contact.get("Télécopie")),
        "email": email,
        "url": url,
        "contact_url": contact_url,
        "hours": parsed.entries,
        "comment": _text(p.get("Commentaire")),
        "updated_on": updated_on,
        "notes": notes,
        "details": details_of(
            phones=phones,
            emails=emails,
            websites=[(None, url)] if url else [],
            forms=[sve] if sve else [],
        ),
        "uuid": None,
        "siret": None,
        "siren": None,
        "url_service_public": None,
        "parent_uuid": None,
        "other_types": None,
    }
    return out


#: the fields of the 2022 JSON format: hashed only when set, so the digests of records read
#: from the 2017 tree (and of the bundled subset) do not change with their addition
EXTRA_FIELDS = (
    "uuid",
    "siret",
    "siren",
    "url_service_public",
    "parent_uuid",
    "other_types",
    "details",
)

#: the record fields stored as JSON
JSON_FIELDS = frozenset({"addresses", "hours", "notes", "details"})


def json_text(value: Any) -> str:
    """The one JSON text of a value (already-serialised text is kept as is)."""
    if isinstance(value, str):
        return value
    if not value and isinstance(value, list):
        return "[]"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def serialise_json_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its JSON fields as JSON text: hashed and bulk-inserted as is."""
    for key in JSON_FIELDS:
        value = record.get(key, None if key == "details" else [])
        record[key] = None if value is None else json_text(value)
    return record


def content_hash(record: dict[str, Any]) -> str:
    """Stable digest of a normalised record: a re-import rewrites only what changed.

    JSON fields count by their JSON text, so a record and its serialised form hash alike;
    fields are joined with a separator that never occurs in the data (None → empty).
    """
    parts = []
    for key in RECORD_FIELDS:
        value = record.get(key)
        if key in JSON_FIELDS:
            value = json_text(value)
        parts.append("" if value is None else str(value))
    for key in EXTRA_FIELDS:
        value = record.get(key)
        if value is not None and value != "":
            parts.append(f"{key}={json_text(value) if key == 'details' else value}")
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
