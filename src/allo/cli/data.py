"""`allo data fetch` and `allo data sync`: DILA's current exports, downloaded and kept in sync.

The work is done by allo.kb.fetch (downloads: resumable, checked) and allo.kb.sync (fetch +
import + change report, all or nothing, never two at once); this module only shows progress.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)

from allo.cli._common import console, fail, out, runtime
from allo.errors import AlloError
from allo.french import plural, size_fr


class _DownloadBar:
    """One Rich task per export, fed by the downloader's callback."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, name: str, done: int, total: int | None) -> None:
        task = self.tasks.get(name)
        if task is None:
            task = self.tasks[name] = self.progress.add_task(name, total=total)
        self.progress.update(task, completed=done, total=total)


def _download_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
    )


def _settings(base_url: str | None, schema: str | None, directory_url: str | None) -> Any:
    settings = runtime().settings
    changes: dict[str, Any] = {
        k: v
        for k, v in (
            ("fiches_url", base_url),
            ("fiches_schema", schema),
            ("directory_url", directory_url),
        )
        if v
    }
    return dataclasses.replace(settings, **changes) if changes else settings


def _folder(dest: Path | None) -> Path:
    return dest or runtime().settings.ensure_home() / "telechargements"


DestOption = Annotated[
    Path | None,
    typer.Option(help="Dossier des téléchargements (défaut : <ALLO_HOME>/telechargements)."),
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="Adresse des fiches (défaut : ALLO_FICHES_URL).")
]
SchemaOption = Annotated[
    str | None, typer.Option("--schema", help="Version du schéma des fiches (ALLO_FICHES_SCHEMA).")
]
DirectoryUrlOption = Annotated[
    str | None,
    typer.Option("--directory-url", help="Adresse de l'export de l'annuaire (ALLO_DIRECTORY_URL)."),
]
AudienceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--audience", "-a", help="particuliers, professionnels, associations (défaut : les 3)."
    ),
]
NoDirectoryOption = Annotated[
    bool, typer.Option("--no-directory", help="Sans l'annuaire (fiches seulement).")
]
TimeoutOption = Annotated[float, typer.Option(help="Délai réseau en secondes.")]


def register(app: typer.Typer) -> None:
    data = typer.Typer(
        help="Données officielles : téléchargement et synchronisation.", no_args_is_help=True
    )
    app.add_typer(data, name="data")

    @data.command("fetch")
    def fetch(
        dest: DestOption = None,
        base_url: BaseUrlOption = None,
        schema: SchemaOption = None,
        directory_url: DirectoryUrlOption = None,
        audience: AudienceOption = None,
        no_directory: NoDirectoryOption = False,
        timeout: TimeoutOption = 60.0,
    ) -> None:
        """Télécharge les exports DILA (fiches des 3 publics, annuaire) sans les importer ;
        un téléchargement interrompu reprend où il s'était arrêté."""
        from allo.kb.fetch import Downloader, exports
        from allo.kb.sync import sync_lock

        settings = _settings(base_url, schema, directory_url)
        folder = _folder(dest)
        try:
            wanted = exports(settings, audience, directory=not no_directory)
            with sync_lock(runtime(), folder), _download_progress() as progress:
                fetched = Downloader(
                    folder, timeout=timeout, progress=_DownloadBar(progress)
                ).fetch_all(wanted)
        except AlloError as exc:
            fail(exc.message, 2)
            return
        for item in fetched:
            state = "nouveau contenu" if item.changed else "inchangé"
            resumed = ", repris" if item.resumed else ""
            console.print(f"{item.path.name} : {size_fr(item.size)} ({state}{resumed}).")
        console.print(
            f"Téléchargé dans {folder}. Pour importer : « allo data sync » (ou « allo kb import »)."
        )

    @data.command("sync")
    def sync(
        dest: DestOption = None,
        base_url: BaseUrlOption = None,
        schema: SchemaOption = None,
        directory_url: DirectoryUrlOption = None,
        audience: AudienceOption = None,
        no_directory: NoDirectoryOption = False,
        force: Annotated[
            bool, typer.Option("--force", help="Importer même les exports inchangés.")
        ] = False,
        timeout: TimeoutOption = 60.0,
        as_json: Annotated[bool, typer.Option("--json", help="Résultat en JSON.")] = False,
        no_vectors: Annotated[
            bool,
            typer.Option("--no-vectors", help="Ne pas calculer les vecteurs des fiches changées."),
        ] = False,
    ) -> None:
        """Télécharge, importe et enregistre le rapport de changements, tout ou rien ; à
        planifier chaque jour (voir docs/DATA.md). Code 2 si rien n'a été changé sur refus."""
        from allo.cli.kb import RichProgress
        from allo.kb.sync import run_sync

        settings = _settings(base_url, schema, directory_url)
        rt = dataclasses.replace(runtime(), settings=settings)
        try:
            with _download_progress() as progress:
                bar = _DownloadBar(progress)
                result = run_sync(
                    rt,
                    _folder(dest),
                    audiences=audience,
                    directory=not no_directory,
                    force=force,
                    timeout=timeout,
                    download_progress=bar,
                    import_progress=RichProgress(progress),
                )
        except AlloError as exc:
            fail(f"synchronisation refusée — {exc.message}", 2)
            return
        if as_json:
            data = {
                "report_id": result.report_id,
                "message": result.message,
                "unchanged": result.unchanged,
                "files": [
                    {"name": f.path.name, "size": f.size, "sha256": f.sha256, "changed": f.changed}
                    for f in result.fetched
                ],
            }
            out.print_json(json.dumps(data, ensure_ascii=False))
            _vectors(result, no_vectors)
            return
        console.print(f"[bold green]Synchronisation terminée :[/] {escape(result.message)}")
        if result.kb is not None and result.kb.skipped:
            skipped = len(result.kb.skipped)
            ignored = plural(skipped, "fiche illisible ignorée", "fiches illisibles ignorées")
            console.print(f"[yellow]{ignored}.[/]")
        console.print(
            f"Rapport de changements n° {result.report_id} : « allo kb changes {result.report_id} »."
        )
        _vectors(result, no_vectors)


def _vectors(result: Any, skip: bool) -> None:
    """After a sync that changed fiches, their answer passages and (unless `skip`) sentence
    vectors, so the base is complete when the command returns (as after `allo kb import`)."""
    if result.kb is None or all(c.after is None for c in result.kb.fiche_changes):
        return
    from allo.cli.search import compute_passages, compute_vectors

    compute_passages()
    if not skip:
        compute_vectors()
