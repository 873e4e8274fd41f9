"""Reading the import inputs: DILA zips, folders and files of DILA XML, travail-emploi JSON.

Each path becomes one `Input`: a known number of records, an iterator over them, and whether it
is a *complete export* of its feed (a DILA zip, the travail JSON) — only complete exports may
withdraw fiches (see allo.kb.importer). Unreadable things are reported, never raised.
"""

from __future__ import annotations

import gzip
import json
import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from allo.kb.records import SourceRecord

#: a single record bigger than this is refused (a zip bomb or not a DILA file)
MAX_RECORD_BYTES = 20 * 1024 * 1024
_ENTRY_ID = re.compile(r"(?:^|/)([FNR]\d+)\.xml$")


@dataclass(slots=True)
class Problem:
    """Something that could not be imported; `origin` names the file (and entry)."""

    origin: str
    message: str


@dataclass
class Input:
    origin: str
    #: "dila-zip", "dila-tar", "dila-folder", "dila-file" or "travail"
    kind: str
    count: int
    records: Callable[[], Iterator[SourceRecord | Problem]]
    #: a complete export of its feed: fiches of that feed absent from it are withdrawn
    complete: bool = False
    #: IDs whose record was in the export but could not be read: never withdrawn
    protected_ids: set[str] = field(default_factory=set)


def entry_id(name: str) -> str | None:
    match = _ENTRY_ID.search(name)
    return match[1] if match else None


def open_inputs(paths: list[Path]) -> tuple[list[Input], list[Problem]]:
    inputs: list[Input] = []
    problems: list[Problem] = []
    for path in paths:
        name = str(path)
        if not path.exists():
            problems.append(Problem(name, "fichier ou dossier introuvable"))
        elif path.is_dir():
            # a folder of XML files, and/or a data folder holding the official exports
            folder = _folder(path)
            if folder.count:
                inputs.append(folder)
            exports = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and (
                    (p.name.startswith("vosdroits-") and p.name.endswith((".zip", ".tar.xz")))
                    or p.name
                    in ("fiches-travail.json", "fiches-travail.json.gz", "fiches-travail.json.xz")
                )
            )
            if not folder.count and not exports:
                problems.append(Problem(name, "dossier sans fichier XML ni export DILA/travail"))
            opened, trouble = open_inputs(exports)
            inputs.extend(opened)
            problems.extend(trouble)
        elif path.suffix.lower() == ".zip":
            found = _zip(path)
            if isinstance(found, Problem):
                problems.append(found)
            else:
                inputs.append(found)
        elif path.name.lower().endswith((".tar", ".tar.gz", ".tgz", ".tar.xz")):
            found = _tar(path)
            if isinstance(found, Problem):
                problems.append(found)
            else:
                inputs.append(found)
        elif path.name.lower().endswith((".json", ".json.gz", ".json.xz")):
            found = _travail(path)
            if isinstance(found, Problem):
                problems.append(found)
            else:
                inputs.append(found)
        elif path.suffix.lower() == ".xml":
            inputs.append(_xml_files(name, [path], "dila-file"))
        else:
            problems.append(
                Problem(
                    name,
                    "format non reconnu (attendu : .zip ou .tar.xz DILA, .xml, dossier, .json[.gz|.xz])",
                )
            )
    return inputs, problems


def _read_file(path: Path) -> bytes | Problem:
    try:
        size = path.stat().st_size
        if size > MAX_RECORD_BYTES:
            return Problem(str(path), f"fichier trop volumineux ({size} octets)")
        return path.read_bytes()
    except OSError as exc:
        return Problem(str(path), f"lecture impossible : {exc.strerror or exc}")


def _xml_files(origin: str, files: list[Path], kind: str) -> Input:
    def records() -> Iterator[SourceRecord | Problem]:
        for file in files:
            data = _read_file(file)
            if isinstance(data, Problem):
                yield data
            else:
                yield SourceRecord(str(file), data, "dila", id_hint=entry_id(file.name))

    return Input(origin, kind, len(files), records)


def _folder(path: Path) -> Input:
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() == ".xml" and not p.name.startswith(".")
    )
    return _xml_files(str(path), files, "dila-folder")


def _zip(path: Path) -> Input | Problem:
    try:
        archive = zipfile.ZipFile(path)
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return Problem(str(path), f"archive ZIP illisible ou tronquée ({exc})")
    infos.sort(key=lambda i: i.filename)
    result = Input(str(path), "dila-zip", len(infos), lambda: iter(()), complete=True)

    def records() -> Iterator[SourceRecord | Problem]:
        with archive:
            for info in infos:
                origin = f"{path.name}:{info.filename}"
                fiche_id = entry_id(info.filename)
                if not info.filename.lower().endswith(".xml"):
                    yield Problem(origin, "entrée ignorée : ce n'est pas un fichier XML")
                    continue
                if info.file_size > MAX_RECORD_BYTES:
                    if fiche_id:
                        result.protected_ids.add(fiche_id)
                    yield Problem(origin, f"entrée trop volumineuse ({info.file_size} octets)")
                    continue
                try:
                    data = archive.read(info)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                    if fiche_id:
                        result.protected_ids.add(fiche_id)
                    yield Problem(origin, f"entrée ZIP corrompue ({exc})")
                    continue
                yield SourceRecord(origin, data, "dila", id_hint=fiche_id)

    result.records = records
    return result


def _tar(path: Path) -> Input | Problem:
    """A tar archive of DILA XML files (the bundled sample): a partial update, never complete."""
    members: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                origin = f"{path.name}:{member.name}"
                if not member.isfile():
                    continue
                if not member.name.lower().endswith(".xml"):
                    problems.append(Problem(origin, "entrée ignorée : ce n'est pas un fichier XML"))
                elif member.size > MAX_RECORD_BYTES:
                    problems.append(
                        Problem(origin, f"entrée trop volumineuse ({member.size} octets)")
                    )
                else:
                    handle = archive.extractfile(member)
                    if handle is not None:
                        members.append((origin, handle.read()))
    except (tarfile.TarError, lzma.LZMAError, OSError, EOFError, zlib.error) as exc:
        return Problem(str(path), f"archive illisible ou tronquée ({exc})")

    def records() -> Iterator[SourceRecord | Problem]:
        yield from problems
        for origin, data in members:
            yield SourceRecord(origin, data, "dila", id_hint=entry_id(origin))

    return Input(str(path), "dila-tar", len(members) + len(problems), records)


def _travail(path: Path) -> Input | Problem:
    try:
        name = path.name.lower()
        if name.endswith(".gz"):
            with gzip.open(path, "rb") as gz:
                raw = gz.read()
        elif name.endswith(".xz"):
            with lzma.open(path, "rb") as xz:
                raw = xz.read()
        else:
            raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, EOFError, gzip.BadGzipFile, lzma.LZMAError, zlib.error) as exc:
        return Problem(str(path), f"fichier illisible ou tronqué ({exc})")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Problem(str(path), f"JSON invalide ({exc})")
    if not isinstance(data, list):
        return Problem(str(path), "JSON inattendu : une liste de fiches est attendue")
    result = Input(str(path), "travail", len(data), lambda: iter(()), complete=True)

    def records() -> Iterator[SourceRecord | Problem]:
        for index, item in enumerate(data):
            pub_id = item.get("pubId") if isinstance(item, dict) else None
            origin = f"{path.name}:#{index} ({pub_id or 'sans pubId'})"
            if not isinstance(item, dict):
                yield Problem(origin, "enregistrement qui n'est pas un objet JSON")
                continue
            raw_record = json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8")
            yield SourceRecord(origin, raw_record, "travail", id_hint=pub_id)

    result.records = records
    return result
