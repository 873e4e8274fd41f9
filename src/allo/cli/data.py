"""`allo data fetch`: download DILA's full official exports, then import them.

DILA publishes one zip per audience ("vos droits et démarches", XML schema 3.3). The files are
saved as `vosdroits-<audience>.zip`, the name under which the importer treats them as complete
exports (fiches withdrawn by DILA are withdrawn here too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)

from allo.cli._common import console, fail, runtime

DILA_BASE_URL = "https://lecomarquage.service-public.fr/vdd/3.3"
#: audience → path segment of DILA's export addresses
EXPORTS = {"particuliers": "part", "professionnels": "pro", "associations": "asso"}


class FetchError(Exception):
    """A download failed; the message is French and says what to do."""


def export_url(base_url: str, audience: str) -> str:
    return f"{base_url.rstrip('/')}/{EXPORTS[audience]}/zip/vosdroits-latest.zip"


def download(url: str, target: Path, progress: Progress, timeout: float) -> None:
    """Stream to `<target>.part`, then rename: an interrupted download never looks complete."""
    import httpx

    partial = target.with_name(target.name + ".part")
    host = httpx.URL(url).host
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise FetchError(
                    f"{url} a répondu {response.status_code} : export indisponible pour le moment."
                )
            total = int(response.headers.get("content-length") or 0) or None
            task = progress.add_task(target.name, total=total)
            with partial.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    progress.advance(task, len(chunk))
    except httpx.ConnectError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(
            f"Impossible de joindre {host} : la machine semble hors ligne ou le serveur est "
            f"injoignable ({exc}). Sans accès au réseau, importez des fichiers locaux avec "
            "« allo kb import CHEMIN… »."
        ) from None
    except httpx.TimeoutException:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{host} ne répond pas (délai de {timeout:.0f} s dépassé).") from None
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"Téléchargement de {url} interrompu : {exc}.") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"Écriture impossible dans {partial.parent} : {exc.strerror}.") from None
    partial.replace(target)


def register(app: typer.Typer) -> None:
    data = typer.Typer(help="Données officielles : téléchargement et import.", no_args_is_help=True)
    app.add_typer(data, name="data")

    @data.command("fetch")
    def fetch(
        dest: Annotated[
            Path | None,
            typer.Option(help="Dossier de destination (défaut : <ALLO_HOME>/telechargements)."),
        ] = None,
        base_url: Annotated[
            str, typer.Option("--base-url", help="Adresse des exports DILA (ou d'un miroir).")
        ] = DILA_BASE_URL,
        audience: Annotated[
            list[str] | None,
            typer.Option(
                "--audience",
                "-a",
                help="particuliers, professionnels, associations (défaut : les 3).",
            ),
        ] = None,
        timeout: Annotated[float, typer.Option(help="Délai réseau en secondes.")] = 30.0,
        no_import: Annotated[
            bool, typer.Option("--no-import", help="Télécharger sans importer.")
        ] = False,
    ) -> None:
        """Télécharge les exports complets de la DILA (service-public.fr) puis les importe."""
        from allo.cli.kb import run_import

        audiences = audience or list(EXPORTS)
        unknown = [a for a in audiences if a not in EXPORTS]
        if unknown:
            fail(f"Public inconnu : {', '.join(unknown)} (attendu : {', '.join(EXPORTS)}).", 2)
        target_dir = dest or runtime().settings.ensure_home() / "telechargements"
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(f"Impossible de créer {target_dir} : {exc.strerror}.", 2)
        files: list[Path] = []
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=console,
        ) as progress:
            for name in audiences:
                target = target_dir / f"vosdroits-{name}.zip"
                try:
                    download(export_url(base_url, name), target, progress, timeout)
                except FetchError as exc:
                    progress.stop()
                    fail(str(exc), 2)
                files.append(target)
        console.print(f"Téléchargé dans {target_dir} : " + ", ".join(f.name for f in files))
        if no_import:
            return
        report = run_import(files)
        if not report.ok:
            raise typer.Exit(1)
