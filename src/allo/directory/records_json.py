"""One office of the DILA directory in its JSON format (since 2022) → the record we store.

The same record shape as the 2017 tree gives (`records.normalise_feature`), so an office keeps
its identifier (`ancien_code_pivot`, the 2017 id) and its values across the format change. The
bulk dump has nested fields as JSON arrays, the API export as JSON-encoded strings: both are
read. Opening hours go through the same parser as the 2017 ones (`hours.parse_opening`), so a
time is repaired or reported the same way whatever the format. Never raises on odd data.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from allo.directory.hours import parse_opening
from allo.directory.records import (
    _INSEE,
    ACCESSIBILITY,
    Normalised,
    _emails,
    _phone,
    _point,
    _text,
    checked_point,
    departement_of,
    details_of,
    site_url,
)
from allo.directory.types import catalog

#: `type_adresse` → our address kind
_ADDRESS_KIND = {"adresse": "physique", "adresse postale": "postale", "géoadresse": "physique"}
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})")
_SIRET = re.compile(r"^\d{14}$")
_SIREN = re.compile(r"^\d{9}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

#: the nested fields, JSON arrays in the dump and JSON-encoded strings in the API export
NESTED = (
    "adresse",
    "telephone",
    "site_internet",
    "plage_ouverture",
    "pivot",
    "hierarchie",
    "formulaire_contact",
    "sve",
    "telecopie",
    "adresse_courriel",
)


def _nested(record: dict[str, Any], key: str, out: Normalised) -> list[Any]:
    """A nested field as a list: decoded when it is JSON text, [] when absent."""
    value = record.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in "[{":
            try:
                value = json.loads(text)
            except ValueError:
                out.problems.append(f"champ « {key} » illisible (JSON invalide)")
                return []
        elif key in ("adresse_courriel", "formulaire_contact", "telecopie", "sve"):
            return [text]  # the API gives a single value as plain text
        elif key == "site_internet":
            return [{"valeur": text}]
        else:
            out.problems.append(f"champ « {key} » illisible")
            return []
    if isinstance(value, dict):
        return [value]
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return _text(value) if isinstance(value, (str, dict)) else None


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    code = (_str(raw.get("accessibilite")) or "").upper()
    accessibility = None
    if code:
        accessibility = {
            "code": code,
            "label": ACCESSIBILITY.get(code, code),
            "detail": _str(raw.get("note_accessibilite")),
        }
    point = _point(raw.get("latitude"), raw.get("longitude"))
    kind = (_str(raw.get("type_adresse")) or "adresse").lower()
    lines = [raw.get(k) for k in ("complement1", "complement2", "numero_voie")]
    lines.append(raw.get("service_distribution"))
    return {
        "kind": _ADDRESS_KIND.get(kind, kind),
        "lines": [t for t in (_str(line) for line in lines) if t],
        "postal_code": _str(raw.get("code_postal")),
        "city": _str(raw.get("nom_commune")),
        "accessibility": accessibility,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
    }


def _opening(plages: list[Any], out: Normalised) -> dict[str, Any] | None:
    """`plage_ouverture` as the 2017 `Ouverture` object, for the one hours parser."""
    if not plages:
        return None
    days: list[dict[str, Any]] = []
    for plage in plages:
        if not isinstance(plage, dict):
            out.problems.append("plage de jours illisible")
            continue
        ranges = []
        for n in (1, 2):
            start, end = plage.get(f"valeur_heure_debut_{n}"), plage.get(f"valeur_heure_fin_{n}")
            if start or end:
                ranges.append({"début": start or None, "fin": end or None})
        first = plage.get("nom_jour_debut")
        last = plage.get("nom_jour_fin")
        first = first.strip().lower() if isinstance(first, str) and first.strip() else None
        last = last.strip().lower() if isinstance(last, str) and last.strip() else None
        note = plage.get("commentaire") if isinstance(plage.get("commentaire"), str) else None
        entry: dict[str, Any] = {"début": first, "fin": last, "PlageH": ranges}
        if note is not None and note.strip():
            entry["Note"] = note
        days.append(entry)
    return {"PlageJ": days}


def _date(value: Any, out: Normalised) -> str | None:
    text = _str(value)
    if text is None:
        return None
    m = _DATE.match(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        return date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        out.problems.append("date de mise à jour invalide")
        return None


def _values(items: list[Any]) -> list[str]:
    """Texts of a list of values or of `{"valeur": …}` objects."""
    found = []
    for item in items:
        text = _str(item.get("valeur")) if isinstance(item, dict) else _str(item)
        if text:
            found.append(text)
    return found


def _office_id(
    record: dict[str, Any], pivots: list[dict[str, Any]], uuid: str | None
) -> str | None:
    """The 2017 identifier: `ancien_code_pivot`, else rebuilt from the pivot (early dumps)."""
    old = _str(record.get("ancien_code_pivot"))
    if old:
        return old
    for pivot in pivots:
        code = _str(pivot.get("type_service_local"))
        index = _str(pivot.get("indice_code_pivot"))
        communes = pivot.get("code_insee_commune")
        insee = _str(communes[0] if isinstance(communes, list) and communes else communes)
        if code and index and insee:
            return f"{code}-{insee}-{index}"
    return uuid


def normalise_service(record: Any) -> Normalised:
    """The stored record for one service of the JSON format (dump or API export)."""
    out = Normalised(record=None)
    if not isinstance(record, dict):
        out.problems.append("enregistrement illisible")
        return out
    uuid = _str(record.get("id"))
    if uuid is not None and not _UUID.match(uuid):
        out.problems.append("identifiant UUID invalide")
        uuid = None
    pivots = [p for p in _nested(record, "pivot", out) if isinstance(p, dict)]
    office_id = _office_id(record, pivots, uuid)
    if office_id is None:
        out.problems.append("identifiant manquant")
        return out
    notes: list[str] = []
    name = _str(record.get("nom"))

    types = catalog()
    codes = [c for c in (_str(p.get("type_service_local")) for p in pivots) if c]
    codes = list(dict.fromkeys(codes))
    if not codes:
        guessed = types.infer_from_name(name or "")
        if guessed is not None:
            codes = [guessed]
            out.fixes.append("type vide déduit du nom")
        else:
            codes = [""]
            out.problems.append("type d'organisme vide")
            notes.append("Type d'organisme absent de la source.")
    for code in codes:
        if code and not types.known(code):
            out.problems.append("type d'organisme inconnu")
            notes.append(f"Type d'organisme inconnu de l'annuaire : « {code[:64]} ».")

    communes: list[str] = []
    for pivot in pivots:
        value = pivot.get("code_insee_commune")
        for raw_code in value if isinstance(value, list) else [value]:
            text = _str(raw_code)
            if text and text not in communes:
                communes.append(text)
    insee = (_str(record.get("code_insee_commune")) or (communes[0] if communes else "")).upper()
    if not _INSEE.match(insee):
        out.problems.append("code INSEE invalide")
        notes.append(f"Code INSEE invalide dans la source : « {insee[:20]} ».")

    addresses = [_address(a) for a in _nested(record, "adresse", out) if isinstance(a, dict)]
    addresses.sort(key=lambda a: 0 if a["kind"] == "physique" else 1)
    located = next((a for a in addresses if a["latitude"] is not None), None)
    point = (located["latitude"], located["longitude"]) if located else None
    point = checked_point(point, out, notes)

    phones = [
        (_phone(p.get("valeur")), _str(p.get("description")))
        for p in _nested(record, "telephone", out)
        if isinstance(p, dict) and _str(p.get("valeur"))
    ]
    emails_raw = _values(_nested(record, "adresse_courriel", out))
    email, email_form, emails = _emails(";".join(emails_raw) if emails_raw else None, out, notes)
    websites = [
        (_str(s.get("libelle")), site_url(_str(s.get("valeur")), out, notes))
        for s in _nested(record, "site_internet", out)
        if isinstance(s, dict) and _str(s.get("valeur"))
    ]
    forms = _values(_nested(record, "formulaire_contact", out)) + _values(
        _nested(record, "sve", out)
    )
    faxes = _values(_nested(record, "telecopie", out))

    parsed = parse_opening(_opening(_nested(record, "plage_ouverture", out), out))
    out.fixes.extend(parsed.fixes)
    out.problems.extend(parsed.problems)

    hierarchy = [
        {"kind": _str(h.get("type_hierarchie")), "uuid": _str(h.get("service"))}
        for h in _nested(record, "hierarchie", out)
        if isinstance(h, dict) and _str(h.get("service"))
    ]
    parent = next(
        (h["uuid"] for h in hierarchy if "parent" in (h["kind"] or "").lower()),
        None,
    )
    siret = _str(record.get("siret"))
    if siret and not _SIRET.match(siret.replace(" ", "")):
        out.problems.append("SIRET invalide")
        siret = None
    siren = _str(record.get("siren")) or (siret[:9] if siret else None)
    if siren and not _SIREN.match(siren.replace(" ", "")):
        out.problems.append("SIREN invalide")
        siren = None
    primary = types.canonical(codes[0]) if codes[0] else ""

    out.record = {
        "id": office_id,
        "type": primary,
        "name": name or office_id,
        "insee": insee,
        "departement": departement_of(insee, addresses),
        "addresses": addresses,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "phone": phones[0][0] if phones else None,
        "phone_cost": phones[0][1] if phones else None,
        "fax": _phone(faxes[0]) if faxes else None,
        "email": email,
        "url": next((url for _label, url in websites if url), None),
        "contact_url": email_form or (forms[0] if forms else None),
        "hours": parsed.entries,
        "comment": _str(record.get("commentaire_plage_ouverture")),
        "updated_on": _date(record.get("date_modification"), out),
        "notes": notes,
        "uuid": uuid,
        "siret": siret.replace(" ", "") if siret else None,
        "siren": siren.replace(" ", "") if siren else None,
        "url_service_public": _str(record.get("url_service_public")),
        "parent_uuid": parent,
        "other_types": " ".join(types.canonical(c) for c in codes[1:]) or None,
        "details": details_of(
            phones=phones,
            emails=emails,
            websites=websites,
            forms=forms,
            communes=communes if communes != [insee] else [],
            hierarchy=hierarchy,
            information=_str(record.get("information_complementaire")),
            source_types=codes if any(types.canonical(c) != c for c in codes) else [],
        ),
    }
    return out
