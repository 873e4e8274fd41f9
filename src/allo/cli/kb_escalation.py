"""`allo kb escalation export|import`: the escalation sheets in the JSON format of the initial
set (`allo/kb/escalation/<id>.json`), for backup and for sharing between services."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allo.cli._common import console, fail, session
from allo.french import agreed, plural


def register_escalation(kb: typer.Typer) -> None:
    group = typer.Typer(
        help="Fiches d'escalade : export et import (un fichier JSON par fiche).",
        no_args_is_help=True,
    )
    kb.add_typer(group, name="escalation")

    @group.command("export")
    def export(
        path: Annotated[Path, typer.Argument(help="Dossier où écrire un fichier <id>.json.")],
    ) -> None:
        """Exporte la version publiée de chaque fiche d'escalade (format des fichiers initiaux)."""
        from allo.kb.local import sheets

        with session() as s:
            sheets.load_initial(s)  # a base never started still exports the initial set
            written = sheets.export(s, path)
        console.print(
            f"[bold green]Export terminé :[/] {plural(len(written), 'fiche')} dans {path}."
        )

    @group.command("import")
    def import_(
        path: Annotated[Path, typer.Argument(help="Dossier de fichiers .json (ou un seul).")],
    ) -> None:
        """Importe des fiches d'escalade : une fiche modifiée devient un brouillon à relire.

        Un fichier invalide est signalé et les autres sont importés ; code de sortie 1 s'il y en a."""
        from allo.kb.local import sheets

        if not path.exists():
            fail(f"{escape(str(path))} n'existe pas.", 2)
        with session() as s:
            sheets.load_initial(s)
            result = sheets.import_files(s, path)
        for name, problem in result.skipped:
            console.print(f"[yellow]Ignoré[/] {escape(name)} : {escape(problem)}")
        style = "yellow" if result.skipped else "green"
        console.print(
            f"[bold {style}]Import terminé :[/] {plural(len(result.created), 'créée')}, "
            f"{plural(len(result.changed), 'modifiée')} "
            f"({agreed(len(result.changed), 'brouillon', 'brouillons')} à relire), "
            f"{plural(len(result.unchanged), 'inchangée')}, "
            f"{plural(len(result.skipped), 'fichier ignoré', 'fichiers ignorés')}."
        )
        if result.skipped:
            raise typer.Exit(1)
