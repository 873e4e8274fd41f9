"""Reading the DILA directory in its published layout: `organismes/<département>/<type>.json`.

The path may be the `.tar.xz` (or .tar.gz, .tar) archive itself, read member by member
without extracting it, or the extracted folder (the `organismes` folder or its parent).
"""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from allo.errors import InvalidInput

Progress = Callable[[int, int], None]


@dataclass
class SourceFile:
    departement: str
    file_type: str
    name: str
    data: Any  # parsed JSON, or None when unreadable
    error: str | None = None


def _split(name: str) -> tuple[str, str] | None:
    parts = PurePosixPath(name).parts
    if len(parts) < 2 or not parts[-1].endswith(".json"):
        return None
    return parts[-2], parts[-1][: -len(".json")]


def _parse(departement: str, file_type: str, name: str, raw: bytes) -> SourceFile:
    try:
        return SourceFile(departement, file_type, name, json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        return SourceFile(
            departement, file_type, name, None, f"JSON illisible ({exc.__class__.__name__})"
        )


class _CountingReader:
    """Wraps the compressed file to report progress in bytes read."""

    def __init__(self, raw: IO[bytes], total: int, progress: Progress | None) -> None:
        self.raw, self.total, self.progress = raw, total, progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress is not None:
            self.progress(self.raw.tell(), self.total)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def is_directory_source(path: Path) -> bool:
    if path.is_dir():
        return (path / "organismes").is_dir() or path.name == "organismes"
    return path.is_file() and (path.name.endswith((".tar.xz", ".txz", ".tar.gz", ".tgz", ".tar")))


def iter_raw(path: Path, progress: Progress | None = None) -> Iterator[tuple[str, str, str, bytes]]:
    """(département, type, name, bytes) of every `<département>/<type>.json`, in a stable order."""
    if path.is_dir():
        root = path if path.name == "organismes" else path / "organismes"
        if not root.is_dir():
            raise InvalidInput(f"Dossier sans sous-dossier « organismes » : {path}.")
        files = sorted(root.glob("*/*.json"))
        for done, file in enumerate(files, start=1):
            dep, ftype = file.parent.name, file.stem
            yield dep, ftype, f"{dep}/{file.name}", file.read_bytes()
            if progress is not None:
                progress(done, len(files))
        return
    if not path.is_file():
        raise InvalidInput(f"Fichier ou dossier introuvable : {path}.")
    total = path.stat().st_size
    try:
        with path.open("rb") as raw:
            reader = _CountingReader(raw, total, progress)
            # Random-access mode: tarfile's stream mode reads xz in tiny blocks and is ~30× slower.
            with tarfile.open(fileobj=reader, mode="r:*") as archive:
                for member in archive:
                    if not member.isfile():
                        continue
                    split = _split(member.name)
                    if split is None or "organismes" not in PurePosixPath(member.name).parts:
                        continue
                    handle = archive.extractfile(member)
                    if handle is None:
                        continue
                    dep, ftype = split
                    yield dep, ftype, f"{dep}/{ftype}.json", handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InvalidInput(
            f"Archive illisible : {path.name} ({exc.__class__.__name__}). "
            "Attendu : l'archive .tar.xz de l'annuaire ou son dossier extrait."
        ) from exc
    if progress is not None:
        progress(total, total)


def parse_raw(item: tuple[str, str, str, bytes]) -> SourceFile:
    return _parse(*item)


def iter_source(path: Path, progress: Progress | None = None) -> Iterator[SourceFile]:
    """Every `<département>/<type>.json` of the directory, parsed, in a stable order."""
    for item in iter_raw(path, progress):
        yield _parse(*item)
