"""Reading the directory in DILA's current layouts, and telling the layouts apart by content.

- the 2017 tree `organismes/<département>/<type>.json` (archive or folder): `source.py`;
- the bulk dump: `{"service": [...]}` as a `.json` file, or inside DILA's `all_latest.tar.bz2`
  (`<date>-data.gouv_local.json` beside `<date>-data.gouv_commune.zip`, one file per commune
  saying which offices serve it);
- the API export (Opendatasoft): `{"total_count", "results": [...]}` or a JSON list of records;
- the "compétence géographique des services locaux" dataset, as CSV or JSON rows
  `code_insee_commune, id_service_local, code_type_service_local`.

The format is decided by what the file holds, never by its name alone.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from allo.directory.types import catalog
from allo.errors import InvalidInput

Progress = Callable[[int, int], None]

#: formats `detect` names
TREE_2017, DUMP, API, COMPETENCE = "arborescence-2017", "export-json", "api", "competence"


@dataclass
class JsonSource:
    """What a JSON-format source holds: service records, and competence rows when present."""

    format: str
    name: str
    services: list[Any] = field(default_factory=list)
    #: (INSEE code, office type, service UUID or office id)
    competence: list[tuple[str, str, str]] = field(default_factory=list)
    #: files or rows that could not be read, in French
    problems: list[str] = field(default_factory=list)
    has_competence: bool = False


def _is_archive(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(6)
    return head[:3] == b"BZh" or head == b"\xfd7zXZ\x00" or head[:2] == b"\x1f\x8b" or _is_tar(path)


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def detect(path: Path) -> str:
    """The layout of a directory source, from its content."""
    if path.is_dir():
        if (path / "organismes").is_dir() or path.name == "organismes":
            return TREE_2017
        raise InvalidInput(f"Dossier sans sous-dossier « organismes » : {path}.")
    if not path.is_file():
        raise InvalidInput(f"Fichier ou dossier introuvable : {path}.")
    if path.stat().st_size == 0:
        raise InvalidInput(f"Fichier vide : {path.name}. Rien n'a été importé.")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head[:2] == b"PK":
        return COMPETENCE  # the dump's per-commune zip
    if _is_archive(path):
        return _archive_format(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        sample = text[:4096].decode("utf-8", "replace")
        if '"code_insee_commune"' in sample and '"id_service_local"' in sample:
            return COMPETENCE
        if text[:1] == b"{" and '"commune"' in sample[:40]:
            return COMPETENCE
        if text[:1] == b"{" and '"service"' in sample[:60]:
            return DUMP
        return API
    first_line = text.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    if "code_insee_commune" in first_line and "id_service_local" in first_line:
        return COMPETENCE
    raise InvalidInput(
        f"Format non reconnu : {path.name}. Attendu : l'archive ou le dossier de l'annuaire "
        '(2017), l\'export JSON de DILA ({"service": [...]}, ou all_latest.tar.bz2), '
        "un export de l'API, ou la compétence géographique des services locaux (CSV ou JSON)."
    )


def _archive_format(path: Path) -> str:
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                parts = PurePosixPath(member.name).parts
                if "organismes" in parts:
                    return TREE_2017
                if member.isfile() and member.name.endswith((".json", ".zip")):
                    return DUMP
    except (tarfile.TarError, EOFError, OSError, lzma.LZMAError) as exc:
        raise InvalidInput(
            f"Archive illisible ou tronquée : {path.name} ({exc.__class__.__name__}). "
            "Rien n'a été importé."
        ) from exc
    raise InvalidInput(f"Archive sans annuaire : {path.name}. Rien n'a été importé.")


def _load_json(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"JSON illisible ou tronqué : {name} ({exc.__class__.__name__}). Rien n'a été importé."
        ) from exc


def services_of(data: Any, name: str) -> tuple[str, list[Any]]:
    """(format, records) of a parsed dump or API export."""
    if isinstance(data, dict) and isinstance(data.get("service"), list):
        return DUMP, data["service"]
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return API, data["results"]
    if isinstance(data, list):
        return API, data
    raise InvalidInput(
        f'Aucune liste d\'organismes dans {name} : attendu {{"service": [...]}}, '
        '{"total_count", "results": [...]} ou une liste.'
    )


def _commune_file(data: Any, name: str, out: JsonSource) -> None:
    """One per-commune file of the dump: which offices serve the commune, per type."""
    communes = data.get("commune") if isinstance(data, dict) else None
    if not isinstance(communes, list):
        out.problems.append(f"{name} : pas de liste « commune »")
        return
    types = catalog()
    for commune in communes:
        if not isinstance(commune, dict):
            out.problems.append(f"{name} : commune illisible")
            continue
        insee = str(commune.get("code_insee_commune") or "").strip().upper()
        for entry in commune.get("type_service_local") or []:
            if not isinstance(entry, dict):
                continue
            code = types.canonical(str(entry.get("code_type_service_local") or "").strip())
            ids = entry.get("organisme") or []
            for service in ids if isinstance(ids, list) else [ids]:
                if insee and code and service:
                    out.competence.append((insee, code, str(service).strip()))


def read_commune_zip(raw: bytes, name: str, out: JsonSource) -> None:
    """The dump's `<date>-data.gouv_commune.zip`: one JSON file per commune."""
    out.has_competence = True
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for info in archive.infolist():
                if info.is_dir() or not info.filename.endswith(".json"):
                    continue
                try:
                    data = json.loads(archive.read(info))
                except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
                    out.problems.append(f"{info.filename} : JSON illisible")
                    continue
                _commune_file(data, info.filename, out)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        out.has_competence = False
        out.problems.append(f"{name} : archive des communes illisible ({exc.__class__.__name__})")


def competence_rows(rows: list[Any], name: str, out: JsonSource) -> None:
    """Rows of the "compétence géographique des services locaux" dataset (CSV or JSON)."""
    out.has_competence = True
    types = catalog()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            out.problems.append(f"{name}, ligne {number} : illisible")
            continue
        insee = str(row.get("code_insee_commune") or "").strip().upper()
        code = types.canonical(str(row.get("code_type_service_local") or "").strip())
        ids = row.get("id_service_local")
        if isinstance(ids, str) and ids.strip().startswith("["):
            try:
                ids = json.loads(ids)
            except ValueError:
                out.problems.append(f"{name}, ligne {number} : identifiants illisibles")
                continue
        if isinstance(ids, str):
            ids = [i for i in ids.replace(",", ";").split(";")]
        services = [str(i).strip() for i in ids or [] if str(i).strip()]
        if not (insee and code and services):
            out.problems.append(f"{name}, ligne {number} : commune, type ou organisme manquant")
            continue
        for service in services:
            out.competence.append((insee, code, service))


def _read_competence_file(path: Path, out: JsonSource) -> None:
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        read_commune_zip(raw, path.name, out)
        return
    text = raw.decode("utf-8-sig", "replace").lstrip()
    if text[:1] in "[{":
        data = _load_json(raw, path.name)
        if isinstance(data, dict) and "commune" in data:
            out.has_competence = True
            _commune_file(data, path.name, out)
            return
        rows = data.get("results") if isinstance(data, dict) else data
        competence_rows(rows if isinstance(rows, list) else [], path.name, out)
        return
    header = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=header.count)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    competence_rows(rows, path.name, out)


def read_json_source(path: Path, progress: Progress | None = None) -> JsonSource:
    """Every service record (and competence row) of a JSON-format source.

    Raises InvalidInput when the file as a whole cannot be read (empty, truncated, not
    JSON): nothing is imported then.
    """
    kind = detect(path)
    total = path.stat().st_size
    out = JsonSource(format=kind, name=path.name)
    if kind == COMPETENCE:
        _read_competence_file(path, out)
    elif kind == TREE_2017:
        raise InvalidInput(
            f"{path.name} est au format 2017 : lu par l'importeur de l'arborescence."
        )
    elif _is_archive(path):
        _read_archive(path, out)
    else:
        out.format, out.services = services_of(_load_json(path.read_bytes(), path.name), path.name)
    if progress is not None:
        progress(total, total)
    return out


def _read_archive(path: Path, out: JsonSource) -> None:
    """DILA's `all_latest.tar.bz2`: the services file and the per-commune zip."""
    found = False
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                base = PurePosixPath(member.name).name
                if base.endswith(".zip"):
                    read_commune_zip(handle.read(), base, out)
                elif base.endswith(".json"):
                    data = _load_json(handle.read(), base)
                    try:
                        _fmt, services = services_of(data, base)
                    except InvalidInput:
                        out.problems.append(f"{base} : pas de liste « service »")
                        continue
                    out.services.extend(services)
                    found = True
    except (tarfile.TarError, EOFError, OSError, lzma.LZMAError) as exc:
        raise InvalidInput(
            f"Archive illisible ou tronquée : {path.name} ({exc.__class__.__name__}). "
            "Rien n'a été importé."
        ) from exc
    if not found:
        raise InvalidInput(f"Archive sans fichier des organismes : {path.name}.")
    out.format = DUMP
