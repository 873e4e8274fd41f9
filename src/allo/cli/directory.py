"""`allo directory import|find|types|place`: the orientation directory from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from allo.cli._common import console, fail, out, runtime, session
from allo.errors import AlloError
from allo.french import decimal_fr, number_fr, plural, size_fr


@contextmanager
def french_errors() -> Iterator[None]:
    """Domain errors end the command with their French message (exit code 2)."""
    try:
        yield
    except AlloError as exc:
        fail(exc.message, 2)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _sources(path: Path) -> tuple[Path | None, Path | None]:
    """(communes file, directory archive or folder) that a path designates."""
    from allo.directory.communes import communes_source
    from allo.directory.source import is_directory_source

    if is_directory_source(path):
        return None, path
    communes = communes_source(path)
    if communes is None and path.is_file():
        return None, path  # the JSON formats and the competence dataset: told apart by content
    archive = None
    if path.is_dir():
        found = sorted(path.glob("annuaire*.tar*"))
        archive = found[0] if found else None
    return communes, archive


@contextmanager
def _progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}
    labels = {"lecture": "Lecture de l'annuaire", "écriture": "Écriture en base"}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(labels.get(phase, phase), total=max(total, 1))
        bar.update(tasks[phase], completed=done, total=max(total, 1))

    with bar:
        yield update


def _print_office(office: dict[str, Any]) -> None:
    distance = office.get("distance_km")
    head = f"[bold]{office['name']}[/]" + (
        f"  ({decimal_fr(distance)} km)" if distance is not None else ""
    )
    out.print(head)
    if office.get("match_label"):
        out.print(f"  [green]{office['match_label']}[/]")
    address = office.get("address") or {}
    if address.get("text"):
        out.print(f"  {address['text']}")
    for phone in office.get("phones") or []:
        note = f" — {phone['description']}" if phone.get("description") else ""
        out.print(f"  Tél. {phone['number']}{note}")
    for key, label in (("email", "Courriel"), ("url", "Site"), ("contact_url", "Formulaire")):
        if office.get(key):
            out.print(f"  {label} : {office[key]}")
    if office.get("hours_text"):
        out.print(f"  Horaires : {office['hours_text']}")
    for note in office.get("hours_notes") or []:
        out.print(f"  [dim]{note}[/]")
    if office.get("open") is True:
        out.print(f"  [green]Ouvert[/] — ferme à {office['closes_at_text']}")
    elif office.get("open") is False:
        why = f" ({office['holiday']})" if office.get("holiday") else ""
        then = f" — ouvre {office['next_opening_text']}" if office.get("next_opening_text") else ""
        out.print(f"  [red]Fermé[/]{why}{then}")
    else:
        out.print("  [yellow]Horaires non renseignés[/]")
    out.print(f"  [dim]{office['id']}[/]")


def register(app: typer.Typer) -> None:
    directory = typer.Typer(
        help="Annuaire d'orientation : organismes locaux, communes, horaires.",
        no_args_is_help=True,
    )
    app.add_typer(directory, name="directory")

    @directory.command("import")
    def import_(
        path: Annotated[
            Path,
            typer.Argument(
                help="Archive annuaire-bdl-*.tar.xz (ou son dossier extrait), communes.json.gz, "
                "ou un dossier contenant les deux ; ou l'annuaire au format JSON (export "
                '{"service": [...]} ou all_latest.tar.bz2, export de l\'API), ou la compétence '
                "géographique des services locaux (CSV ou JSON) : le format est reconnu au contenu.",
            ),
        ],
        keep_missing: bool = typer.Option(
            False,
            "--keep-missing",
            help="Ne pas supprimer les organismes absents de la source (départements importés).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Rapport en JSON."),
    ) -> None:
        """Importe l'annuaire DILA et/ou les communes (COG) ; une réimportation ne change rien."""
        from allo.directory.importer import import_communes, import_offices
        from allo.kb import changes

        communes_path, archive = _sources(path)
        if communes_path is None and archive is None:
            fail(f"Rien à importer dans {path} : archive de l'annuaire ou communes.json attendus.")
        reports: dict[str, Any] = {}
        with french_errors():
            if communes_path is not None:
                with session() as s:
                    reports["communes"] = import_communes(s, communes_path).to_dict()
                if not as_json:
                    r = reports["communes"]
                    console.print(
                        f"Communes : {plural(r['new'], 'nouvelle')}, "
                        f"{plural(r['changed'], 'modifiée')}, "
                        f"{plural(r['unchanged'], 'inchangée')}, "
                        f"{plural(r['removed'], 'supprimée')} "
                        f"({plural(r['departements'], 'département')}, "
                        f"{number_fr(r['epcis'])} EPCI)."
                    )
            if archive is not None:
                with _progress_bar() as progress, session() as s:
                    watch = changes.OfficeWatch.start(s)
                    report = import_offices(
                        s, archive, progress=progress, remove_missing=not keep_missing
                    )
                    recorded = changes.record(
                        s,
                        "directory-import",
                        watch.changes(s),
                        sources=[archive.name],
                        domains=["office"],
                    )
                reports["offices"] = {**report.to_dict(), "change_report": recorded.id}
        if as_json:
            _echo_json(reports)
            offices = reports.get("offices") or {}
            if offices.get("skipped") or offices.get("bad_files"):
                raise typer.Exit(3)
            return
        if "offices" in reports:
            r = reports["offices"]
            console.print(
                f"Organismes : {plural(r['read'], 'lu')} dans {plural(r['files'], 'fichier')} "
                f"en {decimal_fr(r['seconds'])} s — {plural(r['new'], 'nouveau', 'nouveaux')}, "
                f"{plural(r['changed'], 'modifié')}, {plural(r['unchanged'], 'inchangé')}, "
                f"{plural(r['removed'], 'supprimé')}."
            )
            console.print(f"Rapport de changements n° {r['change_report']} (allo kb changes).")
            if r["fixes"]:
                console.print("Corrigé automatiquement :")
                for name, count in sorted(r["fixes"].items(), key=lambda x: -x[1]):
                    console.print(f"  {number_fr(count):>6}  {name}")
            if r["problems"]:
                console.print("Signalé (conservé en note, import poursuivi) :")
                for name, count in sorted(r["problems"].items(), key=lambda x: -x[1]):
                    examples = ", ".join(r["examples"].get(name, [])[:3])
                    console.print(f"  {number_fr(count):>6}  {name}  [dim]{examples}[/]")
            for bad in r["bad_files"]:
                console.print(f"  [red]Fichier ignoré[/] {bad}")
            if r.get("competence") is not None:
                console.print(
                    "Compétence territoriale : "
                    f"{plural(r['competence'], 'lien')} commune → organisme."
                )
            if r["skipped"] or r["bad_files"]:
                fail(
                    f"{plural(r['skipped'], 'enregistrement')} et "
                    f"{plural(len(r['bad_files']), 'fichier')} ignorés : le reste est importé.",
                    3,
                )

    @directory.command("convert-2017")
    def convert_2017_(
        source: Annotated[
            Path, typer.Argument(help="Archive annuaire-bdl-2017.tar.xz ou son dossier extrait.")
        ],
        dest: Annotated[
            Path,
            typer.Argument(
                help='Fichier à écrire : .json ({"service": [...]}) ou .tar.bz2 '
                "(disposition de all_latest.tar.bz2)."
            ),
        ],
    ) -> None:
        """Réécrit l'annuaire 2017 au format JSON de DILA (depuis 2022), mêmes valeurs."""
        from allo.directory.convert import convert_2017

        with french_errors():
            result = convert_2017(source, dest)
        console.print(
            f"{plural(result['services'], 'organisme écrit', 'organismes écrits')} dans {dest} "
            f"({size_fr(result['bytes'])}, {decimal_fr(result['seconds'])} s)."
        )

    @directory.command("find")
    def find(
        place: str = typer.Option(..., "--place", "-p", help="Commune, code postal ou code INSEE."),
        office_type: str = typer.Option(
            ..., "--type", "-t", help="Type d'organisme : code (caf) ou libellé."
        ),
        at: str = typer.Option(
            "", "--at", help="Date et heure d'évaluation des horaires (2026-12-25T10:00)."
        ),
        limit: int = typer.Option(3, "--limit", "-n", help="Nombre d'organismes (1 à 50)."),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """L'organisme compétent pour une commune, avec ses horaires et s'il est ouvert."""
        from allo.directory.services import get_directory

        with french_errors(), session() as s:
            result = get_directory(runtime()).find(s, place, office_type, at or None, limit)
        if as_json:
            _echo_json(result)
            return
        p = result["place"]
        out.print(
            f"[bold]{result['type']['label']}[/] pour {p['name']} ({p['departement']}, "
            f"INSEE {p['insee']})"
        )
        if p["alternatives"]:
            names = ", ".join(a["label"] for a in p["alternatives"][:6])
            out.print(f"[dim]Autres communes possibles : {names}[/]")
        if result["notice"]:
            out.print(f"[yellow]{result['notice']}[/]")
        if not result["offices"]:
            out.print("Aucun organisme trouvé.")
        for office in result["offices"]:
            out.print()
            _print_office(office)

    @directory.command("types")
    def types(as_json: bool = typer.Option(False, "--json", help="Liste en JSON.")) -> None:
        """Les types d'organismes (codes pivotLocal) et leur nombre dans l'annuaire."""
        from allo.directory.services import get_directory

        with french_errors(), session() as s:
            rows = get_directory(runtime()).types(s)
        if as_json:
            _echo_json(rows)
            return
        table = Table("code", "libellé", "organismes", "portée")
        scopes = {
            "commune": "la commune",
            "epci": "l'intercommunalité",
            "nearest": "le plus proche",
        }
        for row in rows:
            table.add_row(row["code"], row["label"], str(row["offices"]), scopes[row["scope"]])
        out.print(table)

    @directory.command("place")
    def place(
        query: str = typer.Argument(..., help="Commune, code postal ou code INSEE."),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """Trouve la commune désignée par un nom approximatif, un code postal ou un code INSEE."""
        from allo.directory.services import get_directory

        with french_errors(), session() as s:
            result = get_directory(runtime()).resolve_place(query, s).to_dict()
        if as_json:
            _echo_json(result)
            return
        out.print(
            f"{result['name']} ({result['departement_name'] or result['departement']}) — "
            f"INSEE {result['insee']}, codes postaux {', '.join(result['postal_codes']) or '—'}"
        )
        for alt in result["alternatives"]:
            out.print(f"  ou : {alt['label']} (INSEE {alt['insee']})")
