"""The 2017 directory tree rewritten in DILA's JSON layout (the bulk dump since 2022).

Same offices, same values: each GeoJSON feature becomes one `service` record whose fields hold
the source's raw values (a malformed time stays malformed), so importing the result gives the
records the 2017 tree gives — the test of the JSON importer on the whole directory, and the
data of its benchmark. The 2017 data has no UUID: a stable one is derived from the office id.

    convert_2017(Path("annuaire-bdl-2017.tar.xz"), Path("annuaire-2022.json"))
"""

from __future__ import annotations

import io
import json
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from allo.directory.hours import as_list
from allo.directory.source import iter_source
from allo.errors import InvalidInput

_NAMESPACE = uuid.UUID("6f1c7d0a-3b1e-4f7e-9a51-0d1a2c3b4e5f")
#: where the 2017 `Ligne`s go, by how many there are (the JSON layout has four address lines)
_LINE_SLOTS = {
    1: ("numero_voie",),
    2: ("complement1", "numero_voie"),
    3: ("complement1", "complement2", "numero_voie"),
    4: ("complement1", "complement2", "numero_voie", "service_distribution"),
}
_KIND = {"physique": "Adresse", "géopostale": "Adresse", "postale": "Adresse postale"}


def uuid_for(office_id: str) -> str:
    """The UUID given to a 2017 office (stable across runs)."""
    return str(uuid.uuid5(_NAMESPACE, office_id))


def _value(raw: Any) -> Any:
    """`{"$t": …}` unwrapped; other values as they are."""
    return raw.get("$t") if isinstance(raw, dict) else raw


def _str(raw: Any) -> str:
    value = _value(raw)
    return "" if value is None else str(value)


def _dict(raw: Any) -> dict[str, Any]:
    """A JSON object, or an empty one when the record holds anything else there."""
    return raw if isinstance(raw, dict) else {}


def _address(raw: dict[str, Any]) -> dict[str, Any]:
    lines = [_str(line) for line in as_list(raw.get("Ligne"))]
    if len(lines) > 4:
        lines = [*lines[:3], " ".join(lines[3:])]
    slots = dict(zip(_LINE_SLOTS.get(len(lines), ()), lines, strict=False))
    loc = _dict(raw.get("Localisation"))
    access = _dict(raw.get("Accessibilité"))
    return {
        "type_adresse": _KIND.get(str(raw.get("type")), str(raw.get("type") or "Adresse")),
        "complement1": slots.get("complement1", ""),
        "complement2": slots.get("complement2", ""),
        "numero_voie": slots.get("numero_voie", ""),
        "service_distribution": slots.get("service_distribution", ""),
        "code_postal": _str(raw.get("CodePostal")),
        "nom_commune": _str(raw.get("NomCommune")),
        "pays": "",
        "continent": "",
        "longitude": _str(loc.get("Longitude")),
        "latitude": _str(loc.get("Latitude")),
        "accessibilite": _str(access.get("type")).upper() if access else "",
        "note_accessibilite": _str(access.get("$t")) if access else "",
    }


def _plages(raw: Any) -> list[dict[str, Any]]:
    """`Ouverture/PlageJ` as `plage_ouverture` entries, two time ranges per entry."""
    if not isinstance(raw, dict):
        return []
    out = []
    for plage in as_list(raw.get("PlageJ")):
        if not isinstance(plage, dict):
            continue
        ranges = [h for h in as_list(plage.get("PlageH")) if isinstance(h, dict)]
        first, last = plage.get("début"), plage.get("fin")
        chunks = [ranges[i : i + 2] for i in range(0, len(ranges), 2)] or [[]]
        for n, chunk in enumerate(chunks):
            entry = {
                "nom_jour_debut": first.capitalize() if isinstance(first, str) else "",
                "nom_jour_fin": last.capitalize() if isinstance(last, str) else "",
            }
            for slot in (1, 2):
                h = chunk[slot - 1] if len(chunk) >= slot else {}
                entry[f"valeur_heure_debut_{slot}"] = _str(h.get("début"))
                entry[f"valeur_heure_fin_{slot}"] = _str(h.get("fin"))
            note = plage.get("Note")
            entry["commentaire"] = note if n == 0 and isinstance(note, str) else ""
            out.append(entry)
    return out


def _date(raw: Any) -> str:
    text = _str(raw)
    try:
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y 00:00:00")
    except ValueError:
        return text


def service_of(feature: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON-format record of one 2017 feature (None when it has no properties)."""
    p = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(p, dict):
        return None
    office_id = _str(p.get("id")).strip()
    contact = _dict(p.get("CoordonnéesNum"))
    insee = _str(p.get("codeInsee"))
    pivot = _str(p.get("pivotLocal"))
    phones = [
        {"valeur": _str(t), "description": _str(t.get("coût")) if isinstance(t, dict) else ""}
        for t in as_list(contact.get("Téléphone"))
    ]
    return {
        "id": uuid_for(office_id) if office_id else "",
        "ancien_code_pivot": office_id,
        "nom": _str(p.get("Nom")),
        "pivot": [{"type_service_local": pivot, "code_insee_commune": [insee]}] if pivot else [],
        "code_insee_commune": insee,
        "categorie": "SL",
        "adresse": [_address(a) for a in as_list(p.get("Adresse")) if isinstance(a, dict)],
        "telephone": phones,
        "telecopie": [_str(t) for t in as_list(contact.get("Télécopie"))],
        "adresse_courriel": [_str(e) for e in as_list(contact.get("Email"))],
        "site_internet": [{"libelle": "", "valeur": _str(u)} for u in as_list(contact.get("Url"))],
        "formulaire_contact": [_str(s) for s in as_list(contact.get("Sve"))],
        "plage_ouverture": _plages(p.get("Ouverture")),
        "commentaire_plage_ouverture": _str(p.get("Commentaire")),
        "date_modification": _date(p.get("dateMiseAJour")),
        "siret": "",
        "siren": "",
        "url_service_public": "",
        "hierarchie": [],
        "information_complementaire": "",
        "copyright": _str(p.get("EditeurSource")),
    }


def iter_services(source: Path) -> Iterator[dict[str, Any]]:
    for item in iter_source(source):
        if item.data is None or not isinstance(item.data, dict):
            raise InvalidInput(f"Fichier illisible dans la source : {item.name} ({item.error}).")
        for feature in item.data.get("features") or []:
            service = service_of(feature)
            if service is not None:
                yield service


def convert_2017(
    source: Path, dest: Path, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Write `{"service": [...]}` to `dest` (a `.json` file, or a `.tar.bz2` archive laid out
    as DILA's `all_latest.tar.bz2`). Returns counts and the time taken."""
    started = time.perf_counter()
    services = []
    for service in iter_services(source):
        services.append(service)
        if progress is not None and len(services) % 5000 == 0:
            progress(len(services))
    data = json.dumps({"service": services}, ensure_ascii=False).encode("utf-8")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    if dest.name.endswith((".tar.bz2", ".tbz2")):
        with tarfile.open(partial, "w:bz2") as archive:
            info = tarfile.TarInfo(f"{datetime.now(UTC):%Y%m%d}-data.gouv_local.json")
            info.size = len(data)
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    else:
        partial.write_bytes(data)
    partial.replace(dest)  # never a half-written destination
    return {
        "services": len(services),
        "bytes": dest.stat().st_size,
        "seconds": round(time.perf_counter() - started, 2),
    }
