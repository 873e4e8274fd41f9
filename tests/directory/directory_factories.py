"""Crafted DILA-layout data for the directory tests (features, archives, folders)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

ARCHIVE = "annuaire-bdl-2017.tar.xz"


def feature(
    office_id: str,
    *,
    pivot: str = "caf",
    insee: str = "99001",
    name: str = "Caisse d'allocations familiales (Caf) - accueil d'essai",
    coordinates: list[float | None] | None = None,
    hours: Any = None,
    **properties: Any,
) -> dict[str, Any]:
    """A GeoJSON feature in the DILA layout, with what a test needs to vary."""
    props: dict[str, Any] = {
        "id": office_id,
        "codeInsee": insee,
        "dateMiseAJour": "2017-02-21",
        "pivotLocal": pivot,
        "Nom": name,
        "EditeurSource": "La Direction de l'information légale et administrative (Premier ministre)",
        "Adresse": {
            "type": "géopostale",
            "Ligne": "1 place de l'Essai",
            "CodePostal": "99000",
            "NomCommune": "Essai",
            "Localisation": {"Latitude": "45.0", "Longitude": "4.0", "Précision": "8"},
            "Accessibilité": {"type": "ACC"},
        },
        "CoordonnéesNum": {"Téléphone": "+33 4 00 00 00 00", "Email": "accueil@essai.fr"},
    }
    if hours is not None:
        props["Ouverture"] = hours
    props.update(properties)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": coordinates or [4.0, 45.0]},
        "properties": props,
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def write_archive(path: Path, files: dict[str, Any]) -> Path:
    """A .tar.xz holding `organismes/<name>` for each name → JSON value (bytes kept as is)."""
    with tarfile.open(path, "w:xz") as archive:
        for name, content in files.items():
            data = content if isinstance(content, bytes) else json.dumps(content).encode()
            info = tarfile.TarInfo(f"organismes/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_folder(root: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        target = root / "organismes" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return root


def by_id(features: list[dict[str, Any]], office_id: str) -> dict[str, Any]:
    return next(f for f in features if f["properties"]["id"] == office_id)
