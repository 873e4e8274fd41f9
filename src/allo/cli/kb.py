"""`allo kb import|render|show|stats|list`: the knowledge base from the command line."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from allo.cli._common import console, out, progress_bar, runtime, session
from allo.cli.kb_escalation import register_escalation
from allo.cli.kb_local import register_local
from allo.french import moment_fr, number_fr, plural
from allo.kb.importer import ImportReport
from allo.kb.records import AUDIENCE_LABELS, SOURCE_LABELS

#: at most this many problems are listed one by one; the rest are counted
MAX_LISTED = 30


class Format(StrEnum):
    text = "text"
    html = "html"
    json = "json"


class RichProgress:
    """Adapts the importer's progress protocol to a Rich progress bar (on stderr)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, total: int, description: str) -> None:
        self.task = self.progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


def run_import(paths: list[Path], vectors: bool = True) -> ImportReport:
    """Import with a progress bar, record the change report, commit, print the summary, then
    take the answer passages and compute the sentence vectors (`vectors`) of new and changed
    fiches."""
    from allo.kb import changes, hooks, services

    with (
        progress_bar() as bar,
        session() as s,
    ):
        report = services.import_paths(s, paths, RichProgress(bar))
        recorded = changes.record(
            s,
            "kb-import",
            changes.fiche_items(report.fiche_changes),
            sources=[Path(p).name for p in paths],
            domains=["fiche"],
        )
        report_id = recorded.id
    written = [c.fiche_id for c in report.fiche_changes if c.after is not None]
    if written:
        hooks.run_after_import(runtime(), written)
    print_report(report)
    console.print(f"Rapport de changements n° {report_id} : « allo kb changes {report_id} ».")
    from allo.cli.search import compute_passages, compute_vectors

    compute_passages()
    if vectors:
        compute_vectors()
    return report


def print_report(report: ImportReport) -> None:
    for label, problems, style in (
        ("Ignoré", report.skipped, "red"),
        ("Avertissement", report.warnings, "yellow"),
    ):
        for problem in problems[:MAX_LISTED]:
            console.print(
                f"[{style}]{label} :[/] {escape(problem.origin)} — {escape(problem.message)}"
            )
        if len(problems) > MAX_LISTED:
            console.print(f"[{style}]… et {plural(len(problems) - MAX_LISTED, 'autre')}.[/]")
    if report.complete_feeds:
        console.print("Exports complets (retraits appliqués) : " + ", ".join(report.complete_feeds))
    style = "green" if report.ok else "yellow"
    console.print(f"[bold {style}]Import terminé :[/] {report.summary()}")


def register(app: typer.Typer) -> None:
    kb = typer.Typer(
        help="Base de connaissances : fiches DILA et travail-emploi.", no_args_is_help=True
    )
    app.add_typer(kb, name="kb")
    register_local(kb)
    register_escalation(kb)

    @kb.command("import")
    def import_(
        paths: Annotated[
            list[Path],
            typer.Argument(
                help="Zips DILA (vosdroits-*.zip), fichiers ou dossiers XML (un dossier de données importe aussi les vosdroits-*.zip et fiches-travail.json qu'il contient), fiches-travail.json[.gz]."
            ),
        ],
        as_json: Annotated[
            bool, typer.Option("--json", help="Rapport en JSON sur la sortie.")
        ] = False,
        no_vectors: Annotated[
            bool,
            typer.Option(
                "--no-vectors",
                help="Ne pas calculer les vecteurs sémantiques (« allo search reindex » plus tard).",
            ),
        ] = False,
    ) -> None:
        """Importe (ou met à jour) les fiches et calcule leurs vecteurs sémantiques ; code de
        sortie 1 si des éléments ont été ignorés."""
        report = run_import(paths, vectors=not no_vectors)
        if as_json:
            out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
        if not report.ok:
            raise typer.Exit(1)

    @kb.command("render")
    def render() -> None:
        """Enregistre le rendu HTML des fiches qui n'en ont pas d'à jour (après une mise à jour
        d'Allo) ; l'import le fait de lui-même pour ce qu'il modifie."""
        from allo.kb import services

        with session() as s:
            count = services.store_rendered(s)
        console.print(f"[bold green]Rendu enregistré[/] pour {plural(count, 'fiche')}.")

    @kb.command("show")
    def show(
        fiche_id: Annotated[
            str, typer.Argument(help="Identifiant : F1342, N358, R54755, article375542…")
        ],
        fmt: Annotated[
            Format, typer.Option("--format", "-f", help="text, html ou json.")
        ] = Format.text,
    ) -> None:
        """Affiche une fiche en texte, en HTML ou en JSON (métadonnées et rendu)."""
        from allo.kb import services

        with session() as s:
            fiche = services.get_fiche(s, fiche_id)
            rendered = services.render(s, fiche)
            data = fiche_json(fiche, rendered.html, rendered.text)
        if fmt is Format.json:
            out.print_json(json.dumps(data, ensure_ascii=False, default=str))
        elif fmt is Format.html:
            out.print(rendered.html, markup=False, highlight=False)
        else:
            out.print(f"{fiche.title}\n{'=' * min(len(fiche.title), 80)}", markup=False)
            meta = f"{fiche.id} · {fiche.type_label} · {', '.join(fiche.audiences)}"
            if fiche.modified:
                meta += f" · mise à jour le {fiche.modified:%d/%m/%Y}"
            out.print(meta, markup=False, highlight=False)
            if fiche.breadcrumb:
                out.print(" > ".join(c["title"] for c in fiche.breadcrumb), markup=False)
            if fiche.description:
                out.print(f"\n{fiche.description}", markup=False, highlight=False)
            out.print(f"\n{rendered.text}", markup=False, highlight=False)

    @kb.command("stats")
    def stats(
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Nombre de fiches distinctes, par source, par public et par type."""
        from allo.kb import services

        with session() as s:
            data = services.stats(s)
        if as_json:
            out.print_json(json.dumps(data, ensure_ascii=False))
            return
        out.print(f"[bold]{plural(data['total'], 'fiche distincte', 'fiches distinctes')}[/]")
        for key, title in (
            ("by_source", "Par source"),
            ("by_audience", "Par public"),
            ("by_type", "Par type"),
        ):
            table = Table(title=title, title_justify="left")
            table.add_column("Valeur")
            table.add_column("Fiches", justify="right")
            labels = {"by_source": SOURCE_LABELS, "by_audience": AUDIENCE_LABELS}.get(key, {})
            for name, value in sorted(data[key].items(), key=lambda kv: -kv[1]):
                table.add_row(escape(labels.get(name, name)), number_fr(value))
            out.print(table)

    @kb.command("changes")
    def changes_(
        report_id: Annotated[
            int | None, typer.Argument(help="Numéro du rapport (défaut : la liste des rapports).")
        ] = None,
        domain: Annotated[
            str | None, typer.Option("--domain", "-d", help="fiche ou office.")
        ] = None,
        action: Annotated[
            str | None, typer.Option("--action", "-a", help="new, changed ou withdrawn.")
        ] = None,
        diff: Annotated[bool, typer.Option("--diff", help="Afficher les différences.")] = False,
        limit: Annotated[
            int, typer.Option("--limit", "-n", help="Nombre de lignes (1 à 500).")
        ] = 50,
        as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    ) -> None:
        """Rapports de changements des imports et synchronisations (fiches et organismes)."""
        from allo.cli.directory import french_errors
        from allo.kb import changes

        with french_errors(), session() as s:
            if report_id is None:
                data: Any = [report_json(r) for r in changes.list_reports(s, limit=limit)]
            else:
                report = report_json(changes.get_report(s, report_id))
                items = changes.report_items(
                    s, report_id, domain=domain, action=action, limit=limit
                )
                data = {**report, "items": [item_json(i) for i in items]}
        if as_json:
            out.print_json(json.dumps(data, ensure_ascii=False))
            return
        zone = runtime().settings.zone

        def when(r: dict[str, Any]) -> str:
            return moment_fr(datetime.fromisoformat(r["created_at"]), zone)

        def said(labels: dict[str, str], code: str) -> str:
            return labels.get(code, code)

        if report_id is None:
            if not data:
                out.print(
                    "Aucun rapport de changements : chaque « allo data sync », « allo kb import » "
                    "ou « allo directory import » en enregistre un."
                )
                return
            table = Table(title="Rapports de changements", title_justify="left")
            for column in ("N°", f"Date ({zone})", "Origine", "État", "Résumé"):
                table.add_column(column)
            for r in data:
                table.add_row(
                    str(r["id"]),
                    when(r),
                    said(changes.TRIGGER_LABELS, r["trigger"]),
                    said(changes.STATUS_LABELS, r["status"]),
                    escape(r["message"]),
                )
            out.print(table)
            return
        origin = said(changes.TRIGGER_LABELS, data["trigger"])
        out.print(f"[bold]Rapport n° {data['id']}[/] — {when(data)} — {origin}")
        out.print(escape(data["message"]))
        kinds = {"fiche": "fiche", "office": "organisme"}
        for item in data["items"]:
            seen = " [dim](vu)[/]" if item["seen_at"] else ""
            fields = f" [dim]{', '.join(item['fields'])}[/]" if item["fields"] else ""
            action = said(changes.ACTION_LABELS.get(item["domain"], {}), item["action"]).lower()
            out.print(
                f"{said(kinds, item['domain']):9} {action:8} {escape(item['object_id'])} "
                f"{escape(item['title'])} [dim]({escape(item['theme'])})[/]{fields}{seen}"
            )
            if diff and item["diff"]:
                out.print(item["diff"], markup=False, highlight=False)


def report_json(report: Any) -> dict[str, Any]:
    return {
        "id": report.id,
        "created_at": report.created_at.isoformat(),
        "trigger": report.trigger,
        "status": report.status,
        "message": report.message,
        "counts": report.counts,
        "sources": report.sources,
    }


def item_json(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "domain": item.domain,
        "action": item.action,
        "object_id": item.object_id,
        "title": item.title,
        "theme": item.theme,
        "audiences": item.audiences,
        "fields": item.fields,
        "diff": item.diff,
        "seen_at": item.seen_at.isoformat() if item.seen_at else None,
        "seen_by": item.seen_by,
    }


def fiche_json(fiche: Any, html: str, text: str) -> dict[str, Any]:
    return {
        "id": fiche.id,
        "source": fiche.source,
        "kind": fiche.kind,
        "type_label": fiche.type_label,
        "title": fiche.title,
        "description": fiche.description,
        "subject": fiche.subject,
        "breadcrumb": fiche.breadcrumb,
        "audiences": fiche.audiences,
        "url": fiche.url,
        "modified": fiche.modified.isoformat() if fiche.modified else None,
        "related": fiche.related,
        "services": fiche.services,
        "pivots": fiche.pivots,
        "contacts": fiche.contacts,
        "references": fiche.references,
        "updated_at": fiche.updated_at.isoformat() if fiche.updated_at else None,
        "html": html,
        "text": text,
    }
