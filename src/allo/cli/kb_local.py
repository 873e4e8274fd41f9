"""`allo kb local export|import`: the service's own fiches as files (backup, sharing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from allo.cli._common import console, fail, out, session
from allo.french import plural

#: at most this many problems are listed one by one; the rest are counted
MAX_LISTED = 30


def register_local(kb: typer.Typer) -> None:
    local = typer.Typer(
        help="Fiches du service : export et import (un fichier Markdown par fiche).",
        no_args_is_help=True,
    )
    kb.add_typer(local, name="local")

    @local.command("export")
    def export(
        path: Annotated[
            Path, typer.Argument(help="Dossier où écrire un fichier <id>.md par fiche.")
        ],
    ) -> None:
        """Exporte la version courante de chaque fiche du service (métadonnées + texte)."""
        from allo.kb.local import exchange

        with session() as s:
            report = exchange.export_all(s, path)
        written = plural(report.written, "fiche")
        console.print(f"[bold green]Export terminé :[/] {written} dans {path}.")

    @local.command("import")
    def import_(
        path: Annotated[Path, typer.Argument(help="Dossier de fichiers .md (ou un seul fichier).")],
        as_json: Annotated[bool, typer.Option("--json", help="Rapport en JSON.")] = False,
    ) -> None:
        """Importe des fiches : nouvelles en brouillon, existantes en nouvelle version (à relire).

        Un fichier invalide est signalé et les autres sont importés ; code de sortie 1 s'il y en a."""
        from allo.kb.local import exchange

        if not path.exists():
            fail(f"{escape(str(path))} n'existe pas.", 2)
        with session() as s:
            report = exchange.import_folder(s, path)
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "problems": [{"file": f, "error": e} for f, e in report.problems],
                    },
                    ensure_ascii=False,
                )
            )
        for name, problem in report.problems[:MAX_LISTED]:
            console.print(f"[yellow]Ignoré[/] {escape(name)} : {escape(problem)}")
        if len(report.problems) > MAX_LISTED:
            others = len(report.problems) - MAX_LISTED
            ignored = plural(others, "autre fichier ignoré", "autres fichiers ignorés")
            console.print(f"… et {ignored}.")
        style = "yellow" if report.problems else "green"
        console.print(
            f"[bold {style}]Import terminé :[/] {plural(len(report.created), 'créée')}, "
            f"{plural(len(report.updated), 'mise à jour', 'mises à jour')}, "
            f"{plural(len(report.unchanged), 'inchangée')}, "
            f"{plural(len(report.problems), 'fichier ignoré', 'fichiers ignorés')}."
        )
        if report.problems:
            raise typer.Exit(1)
