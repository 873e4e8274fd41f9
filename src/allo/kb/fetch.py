"""Download DILA's current exports: the "vos droits" fiches of the three audiences and the directory.

Safe to run again at any time, and to interrupt:

- a download goes to `<name>.part` and is renamed only once complete and checked, so an
  interrupted download never looks like an export; the next run resumes it (HTTP `Range`) when
  the server allows, and starts over when it does not;
- the server is asked whether the file changed since the last download (`If-None-Match` /
  `If-Modified-Since`, kept in `manifest.json`); "not modified" costs one request;
- a finished file is checked before it replaces the previous one: its size is the announced
  one, the archive reads to its end (every zip member's CRC; a tar is read through), and it is not
  less than half the previous download of the same export (a server cut that looks complete);
  its sha256 is kept in the manifest, with the sha256 of the content last imported by a sync
  (`imported`: an export whose content is already in the base need not be imported again).

Nothing here touches the database: `allo.kb.sync` imports what this module fetched.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allo.errors import AlloError
from allo.settings import Settings

#: audience → path segment of DILA's export addresses
AUDIENCE_PATHS = {"particuliers": "part", "professionnels": "pro", "associations": "asso"}
DIRECTORY = "annuaire"
MANIFEST = "manifest.json"
#: a new download smaller than this share of the previous one is taken as truncated
MIN_SHARE_OF_PREVIOUS = 0.5


class FetchError(AlloError):
    """A download failed or gave an unusable file; nothing was replaced. French message."""

    status_code = 502


@dataclass(frozen=True)
class Export:
    """One file DILA publishes."""

    #: "particuliers", "professionnels", "associations" or "annuaire"
    name: str
    url: str
    #: the local file name; `vosdroits-<audience>.zip` is what the importer treats as complete
    filename: str

    @property
    def is_directory(self) -> bool:
        return self.name == DIRECTORY


@dataclass(frozen=True)
class Fetched:
    export: Export
    path: Path
    size: int
    sha256: str
    #: the content differs from the previous download (True on a first download)
    changed: bool
    #: the download went on from a partial file left by an interrupted run
    resumed: bool = False
    #: this very content was imported by a sync already (see `mark_imported`)
    imported: bool = False


#: `(export name, bytes done, total bytes or None)` after each chunk
ProgressCallback = Callable[[str, int, int | None], None]


def fiche_url(settings: Settings, audience: str) -> str:
    base = settings.fiches_url.rstrip("/")
    return f"{base}/{settings.fiches_schema}/{AUDIENCE_PATHS[audience]}/zip/vosdroits-latest.zip"


def exports(
    settings: Settings, audiences: Sequence[str] | None = None, *, directory: bool = True
) -> list[Export]:
    """The exports to download: the fiches of `audiences` (default: all three), the directory."""
    chosen = list(AUDIENCE_PATHS) if audiences is None else list(audiences)
    unknown = [a for a in chosen if a not in AUDIENCE_PATHS]
    if unknown:
        raise FetchError(
            f"Public inconnu : {', '.join(unknown)} (attendu : {', '.join(AUDIENCE_PATHS)})."
        )
    out = [Export(a, fiche_url(settings, a), f"vosdroits-{a}.zip") for a in chosen]
    if directory:
        name = settings.directory_url.rstrip("/").rsplit("/", 1)[-1] or "annuaire.tar.bz2"
        if not name.startswith(DIRECTORY):
            name = f"{DIRECTORY}-{name}"
        out.append(Export(DIRECTORY, settings.directory_url, name))
    return out


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(folder: Path, manifest: dict[str, dict[str, Any]]) -> None:
    temporary = folder / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
    temporary.replace(folder / MANIFEST)


def mark_imported(folder: Path, fetched: Sequence[Fetched]) -> None:
    """Note in the manifest that these files' content is in the base (after the sync's commit):
    the next sync skips them while DILA publishes the same content. A file a sync refused is
    never marked, so the next run tries it again rather than taking it as done."""
    manifest = read_manifest(folder)
    for item in fetched:
        entry = manifest.get(item.export.filename)
        if entry is not None and entry.get("sha256") == item.sha256:
            entry["imported_sha256"] = item.sha256
    _write_manifest(folder, manifest)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_archive(path: Path, label: str) -> None:
    """Read the archive to its end: a truncated or corrupt file raises FetchError."""
    name = path.name.removesuffix(".part").lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                if not archive.namelist():
                    raise FetchError(f"{label} : l'archive est vide.")
                bad = archive.testzip()
                if bad is not None:
                    raise FetchError(f"{label} : l'archive est corrompue ({bad}).")
        elif ".tar" in name:
            with tarfile.open(path, "r:*") as archive:
                count = sum(1 for _ in archive)
            if not count:
                raise FetchError(f"{label} : l'archive est vide.")
        elif path.stat().st_size == 0:
            raise FetchError(f"{label} : le fichier est vide.")
    except FetchError:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise FetchError(
            f"{label} : archive tronquée ou illisible ({exc}). Rien n'a été remplacé ; "
            "relancez le téléchargement."
        ) from None
    except Exception as exc:  # lzma/bz2/zlib errors of a damaged stream
        raise FetchError(f"{label} : archive illisible ({type(exc).__name__}).") from None


class Downloader:
    """Downloads exports into one folder (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        *,
        timeout: float = 60.0,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.folder = folder
        self.timeout = timeout
        self.progress = progress or (lambda _name, _done, _total: None)

    def fetch_all(self, items: Sequence[Export]) -> list[Fetched]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"Impossible de créer {self.folder} : {exc.strerror}.") from None
        return [self.fetch(export) for export in items]

    def fetch(self, export: Export) -> Fetched:
        import httpx

        target = self.folder / export.filename
        partial = self.folder / (export.filename + ".part")
        manifest = read_manifest(self.folder)
        previous = manifest.get(export.filename) if target.exists() else None
        host = httpx.URL(export.url).host or export.url
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=True) as client:
                result = self._download(client, export, target, partial, previous)
        except httpx.ConnectError as exc:
            raise FetchError(
                f"Impossible de joindre {host} : la machine semble hors ligne ou le serveur est "
                f"injoignable ({exc}). Sans accès au réseau, importez des fichiers locaux avec "
                "« allo kb import CHEMIN… »."
            ) from None
        except httpx.TimeoutException:
            raise FetchError(
                f"{host} ne répond pas (délai de {self.timeout:.0f} s dépassé) ; le fichier "
                "partiel est gardé, le prochain essai reprendra."
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(
                f"Téléchargement de {export.url} interrompu : {exc}. Le fichier partiel est "
                "gardé, le prochain essai reprendra."
            ) from None
        except OSError as exc:
            raise FetchError(f"Écriture impossible dans {self.folder} : {exc.strerror}.") from None
        if result is None:  # not modified since the previous download
            assert previous is not None
            digest = previous["sha256"]
            imported = previous.get("imported_sha256") == digest
            return Fetched(export, target, int(previous["size"]), digest, False, False, imported)
        fetched, validators = result
        manifest = read_manifest(self.folder)
        entry = {"url": export.url, "size": fetched.size, "sha256": fetched.sha256, **validators}
        if previous is not None and previous.get("imported_sha256"):
            entry["imported_sha256"] = previous["imported_sha256"]
        manifest[export.filename] = entry
        _write_manifest(self.folder, manifest)
        return fetched

    def _download(
        self,
        client: Any,
        export: Export,
        target: Path,
        partial: Path,
        previous: dict[str, Any] | None,
    ) -> tuple[Fetched, dict[str, str]] | None:
        offset = partial.stat().st_size if partial.exists() else 0
        headers: dict[str, str] = {}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        elif previous is not None:
            if previous.get("etag"):
                headers["If-None-Match"] = previous["etag"]
            if previous.get("last_modified"):
                headers["If-Modified-Since"] = previous["last_modified"]
        with client.stream("GET", export.url, headers=headers) as response:
            status = response.status_code
            if status == 304 and previous is not None:
                return None
            if status == 416 and offset:
                # the partial file does not fit the current export: start over
                partial.unlink()
                return self._download(client, export, target, partial, previous)
            if status not in (200, 206):
                raise FetchError(
                    f"{export.url} a répondu {status} : export indisponible pour le moment."
                )
            resumed = status == 206
            if not resumed:
                offset = 0
            length = response.headers.get("content-length")
            total = offset + int(length) if length and length.isdigit() else None
            validators = {
                key: response.headers[header]
                for key, header in (("etag", "etag"), ("last_modified", "last-modified"))
                if response.headers.get(header)
            }
            done = offset
            with partial.open("ab" if resumed else "wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
                    done += len(chunk)
                    self.progress(export.name, done, total)
        size = partial.stat().st_size
        label = f"Export « {export.name} » ({export.filename})"
        if total is not None and size != total:
            raise FetchError(
                f"{label} : {size} octets reçus sur {total} annoncés. Le fichier partiel est "
                "gardé, le prochain essai reprendra."
            )
        try:
            check_archive(partial, label)
        except FetchError:
            partial.unlink(missing_ok=True)  # a bad file is not worth resuming
            raise
        if previous is not None and size < MIN_SHARE_OF_PREVIOUS * int(previous.get("size", 0)):
            partial.unlink(missing_ok=True)
            raise FetchError(
                f"{label} : {size} octets, moins de la moitié du précédent "
                f"({previous['size']} octets) : fichier probablement tronqué, rien n'a été "
                "remplacé."
            )
        digest = sha256_of(partial)
        changed = previous is None or previous.get("sha256") != digest
        imported = previous is not None and previous.get("imported_sha256") == digest
        partial.replace(target)
        return Fetched(export, target, size, digest, changed, resumed, imported), validators
