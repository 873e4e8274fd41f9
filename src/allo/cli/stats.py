"""`allo stats`, `allo purge` and `allo simulate day|serve`: thin commands over allo.stats and
allo.privacy."""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import date
from typing import Any

import typer

from allo.cli._common import console, fail, out, runtime, session
from allo.contacts.models import (
    CHANNEL_LABELS,
    CONTACT_STATE_LABELS,
    OUTCOME_LABELS,
    QUEUE_LABELS,
)
from allo.french import date_fr, decimal_fr, number_fr, percent_fr, plural


def _counts(counts: dict[str, int], labels: dict[str, str]) -> str:
    """« Téléphone 12, Question écrite 3 » rather than the JSON's codes."""
    return ", ".join(f"{labels.get(k, k)} {n}" for k, n in counts.items()) or "—"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{decimal_fr(value)} ms"


def _placed(key: str) -> str:
    """« waiting:travail » (the replay's check) → « En attente (Travail) »."""
    state, _, queue = key.partition(":")
    label = CONTACT_STATE_LABELS.get(state, state)
    return f"{label} ({QUEUE_LABELS.get(queue, queue)})" if queue else label


def _print_figures(figures: dict[str, Any]) -> None:
    level1 = figures["level1"]
    period = figures["period"]
    start, end = (date_fr(date.fromisoformat(period[k])) for k in ("from", "to"))
    span = f"du {start}" if start == end else f"du {start} au {end}"
    out.print(f"[bold]Chiffres {span}[/] ({figures['timezone']})")
    out.print(
        f"Contacts : {number_fr(figures['contacts'])} — par canal : "
        + _counts(figures["by_channel"], CHANNEL_LABELS)
    )
    out.print("Par secteur (escaladés) : " + _counts(figures["by_sector"], QUEUE_LABELS))
    out.print(
        "Par issue : " + _counts(figures["by_outcome"], {**OUTCOME_LABELS, "open": "En cours"})
    )

    def pct(v: float | None) -> str:
        return percent_fr(v, 1)

    out.print(
        f"Résolus au niveau 1 : {level1['resolved']} ({pct(level1['resolution_rate'])}) — "
        f"escaladés : {level1['escalated']} ({pct(level1['escalation_rate'])})"
    )
    for name, d in (
        ("Attente téléphone niveau 1", figures["wait_seconds"]["level1_phone"]),
        ("Attente niveau 2", figures["wait_seconds"]["level2"]),
        ("Traitement niveau 1", figures["handling_seconds"]["level1"]),
        ("Traitement niveau 2", figures["handling_seconds"]["level2"]),
        ("Délai de réponse écrite", figures["written_response_seconds"]),
    ):
        if d["count"]:
            out.print(
                f"{name} : moyenne {decimal_fr(d['mean'])} s, 90e centile "
                f"{decimal_fr(d['p90'])} s ({plural(d['count'], 'contact')})"
            )
        else:
            out.print(f"{name} : —")
    sl = figures["service_level"]
    out.print(
        f"Taux de service ({sl['target_seconds']} s) : {pct(sl['rate'])} — "
        f"abandons : {figures['abandonment']['abandoned']} ({pct(figures['abandonment']['rate'])})"
    )
    sat = figures["satisfaction"]
    mean = decimal_fr(sat["mean"], 2) if sat["mean"] is not None else "—"
    out.print(f"Satisfaction : {number_fr(sat['responses'])} avis, moyenne {mean} / 5")
    busiest = [kv for kv in sorted(figures["by_hour"].items(), key=lambda kv: -kv[1])[:3] if kv[1]]
    hours = ", ".join(f"{h} h ({n})" for h, n in busiest) or "—"
    out.print(f"Heures les plus chargées : {hours}")


def register(app: typer.Typer) -> None:
    @app.command("stats")
    def stats(
        from_: str = typer.Option(
            None, "--from", help="Premier jour (AAAA-MM-JJ) ou date-heure ISO."
        ),
        to: str = typer.Option(None, "--to", help="Dernier jour (AAAA-MM-JJ) ou date-heure ISO."),
        target_wait: int = typer.Option(60, help="Attente cible du taux de service (secondes)."),
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
        as_csv: bool = typer.Option(False, "--csv", help="Sortie CSV (indicateur;valeur)."),
    ) -> None:
        """Chiffres du service sur une période : canaux, secteurs, issues, heures, attentes…"""
        from allo.stats import figures as figures_domain

        if as_json and as_csv:
            fail("Choisissez --json ou --csv, pas les deux.")
        tz = runtime().settings.zone
        with session() as s:
            period = figures_domain.parse_period(from_, to, tz, runtime().settings.today())
            result = figures_domain.compute(s, period, tz, target_wait_seconds=target_wait)
        if as_json:
            out.print_json(json.dumps(result, ensure_ascii=False))
        elif as_csv:
            writer = csv.writer(sys.stdout, delimiter=";")
            writer.writerow(["indicateur", "valeur"])
            writer.writerows(figures_domain.flatten(result))
        else:
            _print_figures(result)

    @app.command("purge")
    def purge() -> None:
        """Efface le texte libre des contacts terminés depuis plus de ALLO_RETENTION_DAYS jours,
        les comptes de recherches du portail et le texte des signalements traités aussi anciens."""
        from allo.db.engine import checkpoint
        from allo.privacy import retention

        days = runtime().settings.retention_days
        with session() as s:
            report = retention.purge(s, retention_days=days)
        checkpoint(runtime().engine)  # the erased text must not linger in SQLite's WAL file
        console.print(
            f"Purge (conservation {days} jours) — effacés : {plural(report.contacts, 'contact')}, "
            f"{plural(report.notes, 'note')}, {plural(report.emails, 'adresse')} ; supprimés : "
            f"{plural(report.counts.get('query_counts', 0), 'compte')} de recherches du portail, "
            f"{plural(report.counts.get('flag_texts', 0), 'texte')} de signalements traités. "
            "Les chiffres et les avis sont conservés."
        )

    simulate = typer.Typer(help="Simulation d'une journée du service.", no_args_is_help=True)
    app.add_typer(simulate, name="simulate")

    @simulate.command("day")
    def simulate_day(
        contacts: int = typer.Option(8000, min=1, max=200_000, help="Contacts de la journée."),
        seed: int = typer.Option(1, help="Graine du tirage (même graine, même journée)."),
        url: str = typer.Option(
            None, help="Serveur « allo simulate serve » déjà lancé (sinon un serveur jetable)."
        ),
        database: str = typer.Option(
            "",
            help="Serveur PostgreSQL pour la base jetable (postgresql+psycopg://…) ; vide : SQLite.",
        ),
        workers: int = typer.Option(1, min=1, max=16, help="Processus applicatifs du serveur."),
        day: str = typer.Option(
            None, help="Jour simulé (AAAA-MM-JJ) ; par défaut le dernier jour ouvré."
        ),
        concurrency: int = typer.Option(8, min=1, max=64, help="Requêtes simultanées au plus."),
        speed: float = typer.Option(
            60.0,
            min=0.0,
            help="Allure visée en multiple du temps réel (60 : une heure simulée par minute) ; "
            "0 : au plus vite, pour mesurer la vitesse maximale.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Rapport JSON."),
    ) -> None:
        """Rejoue une journée réaliste par l'API HTTP, affiche ses chiffres et vérifie qu'aucun
        contact n'est perdu ni dupliqué."""
        from allo.stats.simulation import SimulationOptions, run_day, summary

        try:
            chosen = date.fromisoformat(day) if day else None
        except ValueError:
            fail("Le jour doit être au format AAAA-MM-JJ.")
            return
        options = SimulationOptions(
            contacts=contacts, seed=seed, url=url, scratch_server=database, workers=workers,
            day=chosen, concurrency=concurrency, speed=speed,
        )  # fmt: skip
        report = run_day(options, progress=lambda m: console.print(m))
        data = summary(report)
        if as_json:
            out.print_json(json.dumps(data, ensure_ascii=False, default=str))
        else:
            _print_figures(report.figures)
            check = report.check
            out.print(
                f"[bold]Rejeu[/] : {plural(data['operations'], 'requête')} en "
                f"{decimal_fr(data['wall_seconds'])} s pour "
                f"{decimal_fr(data['simulated_seconds'] / 3600)} h simulées "
                f"(×{decimal_fr(data['speedup'])}, "
                + (f"allure visée ×{speed:g}" if speed > 0 else "au plus vite")
                + ") ; "
                f"p50 {_ms(data['p50_ms'])}, p99 {_ms(data['p99_ms'])}."
            )
            out.print(
                f"Contrôle : {plural(check['created'], 'créé')}, "
                f"{plural(check['found'], 'retrouvé')}, {plural(check['lost'], 'perdu')}, "
                f"{plural(check['duplicated'], 'dupliqué')} — "
                + _counts({_placed(k): n for k, n in check["by_state"].items()}, {})
            )
        if not report.ok():
            fail("Des contacts ont été perdus ou dupliqués.", 3)

    @simulate.command("serve")
    def simulate_serve(
        host: str = typer.Option("127.0.0.1", help="Adresse d'écoute."),
        port: int = typer.Option(8001, help="Port d'écoute."),
        workers: int = typer.Option(1, min=1, max=32, help="Processus applicatifs."),
    ) -> None:
        """Serveur de simulation (horloge simulée protégée par ALLO_SIMULATION_KEY), pour
        « allo simulate day --url »."""
        import uvicorn

        from allo.stats.replay_protocol import KEY_ENV

        if len(os.environ.get(KEY_ENV, "")) < 32:
            fail(f"Définissez {KEY_ENV} (un secret d'au moins 32 caractères).")
        runtime()  # migrate first
        uvicorn.run(
            "allo.web.simserver:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_level="warning",
        )
