"""`allo kb where FICHE_ID --place PLACE`: where to go, for a fiche, from a commune.

The `kb` command group belongs to the knowledge base; this module adds `where` to it (it is
registered after `allo.cli.kb`, modules being loaded in name order) or creates the group.
"""

from __future__ import annotations

import typer

from allo.cli._common import out, runtime, session
from allo.cli.directory import _echo_json, _print_office, french_errors


def _kb_group(app: typer.Typer) -> typer.Typer:
    for info in app.registered_groups:
        if info.name == "kb" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help="Base de connaissances : fiches.", no_args_is_help=True)
    app.add_typer(group, name="kb")
    return group


def register(app: typer.Typer) -> None:
    kb = _kb_group(app)

    @kb.command("where")
    def where(
        fiche_id: str = typer.Argument(..., help="Identifiant de la fiche (F1234…)."),
        place: str = typer.Option(..., "--place", "-p", help="Commune, code postal ou code INSEE."),
        at: str = typer.Option("", "--at", help="Date et heure (2026-12-25T10:00)."),
        limit: int = typer.Option(1, "--limit", "-n", help="Organismes par type (1 à 50)."),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """Où s'adresser pour une fiche : l'organisme compétent de chacun de ses types."""
        from allo.directory.services import get_directory
        from allo.kb.where import where_for_fiche

        with french_errors(), session() as s:
            result = where_for_fiche(
                get_directory(runtime()), s, fiche_id, place, at or None, limit
            )
        if as_json:
            _echo_json(result)
            return
        p = result["place"]
        out.print(f"[bold]{result['fiche']['title']}[/] — {p['name']} ({p['departement']})")
        if not result["types"]:
            out.print("Cette fiche n'indique pas d'organisme local.")
        for entry in result["types"]:
            out.print()
            out.print(f"[bold underline]{entry['label'] or entry['pivot']}[/]")
            if entry["notice"]:
                out.print(f"[yellow]{entry['notice']}[/]")
            for office in entry["offices"]:
                _print_office(office)
