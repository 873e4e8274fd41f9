"""`allo staffing forecast|plan|simulate|erlang|roster`: thin commands over allo.stats.staffing."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from allo.cli._common import console, fail, out, runtime, session
from allo.contacts.models import CHANNEL_LABELS, QUEUE_LABELS
from allo.french import agreed, date_fr, decimal_fr, number_fr, percent_fr, plural, time_fr

PLAN_FIELDS = (
    "queue",
    "start",
    "end",
    "calls",
    "aht_s",
    "patience_s",
    "agents_required",
    "positions",
    "service_level",
    "asa_s",
    "abandonment",
    "occupancy",
    "model",
    "channel",
    "workload_h",
)


_SHRINKAGE = typer.Option(
    None, help="Absences : pauses, formation, congés (0–1) ; défaut ALLO_STAFFING_SHRINKAGE."
)
_MAX_OCCUPANCY = typer.Option(
    None, help="Occupation maximale des agents (0–1) ; défaut ALLO_STAFFING_MAX_OCCUPANCY."
)


def _tz() -> ZoneInfo:
    return runtime().settings.zone


def _deferred_hours(rows: list[Any]) -> dict[tuple[str, str], float]:
    """Agent-hours of written work per channel and queue, over the day."""
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        totals[(row.channel, row.queue)] = totals.get((row.channel, row.queue), 0.0) + row.hours
    return {key: hours for key, hours in totals.items() if hours > 0}


def _formats(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        fail("Choisissez --json ou --csv, pas les deux.")


def _write_csv(fields: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, delimiter=";", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)


def _points(value: float | None) -> str:
    """Percentage points of the service level, « 2,35 points »."""
    if value is None:
        return "—"
    return f"{decimal_fr(value, 2)} {agreed(value, 'point')}"


def register(app: typer.Typer) -> None:
    staffing = typer.Typer(
        help="Effectifs : prévision, besoin par file et demi-heure (Erlang C/A), simulation, "
        "planning.",
        no_args_is_help=True,
    )
    app.add_typer(staffing, name="staffing")

    @staffing.command("erlang")
    def erlang(
        calls: float = typer.Option(..., min=0, help="Appels dans l'intervalle."),
        interval: float = typer.Option(30, min=1, help="Durée de l'intervalle (minutes)."),
        aht: float = typer.Option(..., min=1, help="Durée moyenne de traitement (secondes)."),
        within: float = typer.Option(60, help="Délai de réponse visé (secondes)."),
        service_level: float = typer.Option(0.8, help="Part des appels à décrocher dans le délai."),
        shrinkage: float = typer.Option(0.3, help="Absences : pauses, formation, congés (0–1)."),
        max_occupancy: float = typer.Option(1.0, help="Occupation maximale des agents (0–1)."),
        patience: float = typer.Option(
            None, help="Patience moyenne des appelants (secondes) : Erlang A avec abandons."
        ),
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
    ) -> None:
        """Le calculateur seul : agents nécessaires pour un intervalle (Erlang C, ou A avec
        --patience)."""
        from allo.stats.staffing.erlang import Target, required

        target = Target(service_level, within, max_occupancy, shrinkage)
        need = required(calls, interval * 60, aht, target, patience)
        result = {"model": "erlang_a" if patience else "erlang_c", **need.as_dict()}
        result = {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
        if as_json:
            out.print_json(json.dumps(result))
            return
        out.print(
            f"{need.raw_positions} agents au téléphone, {need.positions} postes avec "
            f"{percent_fr(shrinkage)} d'absences — taux de service "
            f"{percent_fr(float(result['service_level']), 1)}, "
            f"attente moyenne {result['asa_s']:.0f} s, "
            f"occupation {percent_fr(float(result['occupancy']), 1)}, "
            f"abandons {percent_fr(float(result['abandonment']), 1)}."
        )

    @staffing.command("forecast")
    def forecast(
        week: str = typer.Option(None, help="Semaine ISO, par exemple 2026-W50."),
        from_: str = typer.Option(None, "--from", help="Premier jour (AAAA-MM-JJ)."),
        to: str = typer.Option(None, "--to", help="Dernier jour (AAAA-MM-JJ)."),
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
        as_csv: bool = typer.Option(
            False, "--csv", help="Sortie CSV (date;file;debut;appels;canal)."
        ),
    ) -> None:
        """Contacts attendus par file, canal et demi-heure, d'après les contacts enregistrés
        (téléphone ; écrits web et courriel à traiter en différé)."""
        from allo.stats.staffing import plan

        _formats(as_json, as_csv)
        if week:
            first = plan.parse_week(week)
            days = plan.days_between(first, first + timedelta(days=6))
        elif from_:
            first = plan.parse_day(from_, "from")
            days = plan.days_between(first, plan.parse_day(to, "to") if to else first)
        else:
            fail("Indiquez --week (AAAA-Wss) ou --from/--to.")
            return
        tz = _tz()
        with session() as s:
            data = plan.forecast_period(s, days, tz)
        # One line per day and channel: the phone, then the written channels.
        flat = [c for d in data for c in (d, *d["written"])]
        if as_json:
            out.print_json(json.dumps(data, ensure_ascii=False))
        elif as_csv:
            rows = [
                {
                    "date": d["date"],
                    "queue": q,
                    "start": i["start"],
                    "calls": i["calls"],
                    "channel": d["channel"],
                }
                for d in flat
                for q, qd in d["queues"].items()
                for i in qd["intervals"]
            ]
            _write_csv(("date", "queue", "start", "calls", "channel"), rows)
        else:
            for d in flat:
                day = date_fr(date.fromisoformat(d["date"]))
                if d["closed"]:
                    if d["channel"] == "phone":
                        out.print(f"{day} : service fermé ({d['closed']}).")
                    continue
                volumes = ", ".join(
                    f"{QUEUE_LABELS.get(q, q)} {plural(round(qd['calls']), 'appel')}"
                    for q, qd in d["queues"].items()
                )
                origin = (
                    f"historique de {plural(d['history_days'], 'semaine')}"
                    if d["source"] == "historique"
                    else "profil déclaré (historique insuffisant)"
                )
                said = CHANNEL_LABELS.get(d["channel"], d["channel"])
                channel = said if d["channel"] == "phone" else f"{said}, {plan.DEFERRED}"
                out.print(f"{day}, {channel} ({origin}) : {volumes}")

    @staffing.command("plan")
    def plan_cmd(
        date_: str = typer.Option(..., "--date", help="Jour (AAAA-MM-JJ)."),
        service_level: float = typer.Option(None, help="Taux de service visé, toutes files."),
        within: float = typer.Option(None, help="Délai de réponse visé (s), toutes files."),
        shrinkage: float = _SHRINKAGE,
        max_occupancy: float = _MAX_OCCUPANCY,
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
        as_csv: bool = typer.Option(False, "--csv", help="Sortie CSV."),
    ) -> None:
        """Agents nécessaires par file et demi-heure (Erlang A, ou C sans abandons observés)."""
        from allo.stats.staffing import plan

        _formats(as_json, as_csv)
        day = plan.parse_day(date_)
        targets = plan.settings_targets(
            runtime().settings,
            service_level,
            within,
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
        )
        tz = _tz()
        with session() as s:
            (day_plan,) = plan.plan_days(s, [day], tz, targets)
            deferred = plan.written_workload(s, day, tz)
        rows = [r.as_dict() for r in day_plan.rows]
        rows += [w.as_dict() for w in deferred]
        if day_plan.forecast.closed:
            console.print(
                f"Le service est fermé le {date_fr(day)} "
                f"({day_plan.forecast.closed}) : aucun agent n'est requis."
            )
        elif day_plan.forecast.source == "profil":
            console.print(
                "Historique insuffisant pour ce jour de la semaine : prévision d'après le "
                "profil déclaré (7 000 contacts par jour)."
            )
        if as_json:
            out.print_json(json.dumps(rows, ensure_ascii=False))
        elif as_csv:
            _write_csv(PLAN_FIELDS, rows)
        else:
            phone = [r for r in rows if r["channel"] == "phone"]
            for queue in dict.fromkeys(r["queue"] for r in phone):
                peak = max(
                    (r for r in phone if r["queue"] == queue), key=lambda r: r["agents_required"]
                )
                calls = round(sum(r["calls"] for r in rows if r["queue"] == queue))
                at = time_fr(time.fromisoformat(peak["start"][11:16]))
                out.print(
                    f"{QUEUE_LABELS.get(queue, queue)} : {plural(calls, 'appel')}, "
                    f"pic {plural(peak['agents_required'], 'agent')} à {at}"
                )
            for (channel, queue), hours in _deferred_hours(deferred).items():
                where = f"{QUEUE_LABELS.get(queue, queue)} ({CHANNEL_LABELS.get(channel, channel)})"
                out.print(f"{where} : {decimal_fr(hours)} heures-agent {plan.DEFERRED}")

    @staffing.command("simulate")
    def simulate(
        date_: str = typer.Option(..., "--date", help="Jour (AAAA-MM-JJ)."),
        replications: int = typer.Option(5, min=1, max=100, help="Journées simulées."),
        seed: int = typer.Option(1, help="Graine du tirage."),
        steady_state: bool = typer.Option(
            False,
            "--steady-state",
            help="Rejoue aussi chaque demi-heure d'au moins 100 appels seule, en régime établi, "
            "jusqu'à la précision voulue, pour la comparer à Erlang A.",
        ),
        precision: float = typer.Option(
            1.0,
            min=0.2,
            max=10.0,
            help="Demi-largeur visée de l'intervalle de confiance à "
            "95 % du taux de service, en points (avec --steady-state).",
        ),
        shrinkage: float = _SHRINKAGE,
        max_occupancy: float = _MAX_OCCUPANCY,
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
    ) -> None:
        """Simule la journée planifiée (arrivées, patience, traitement, transferts) et compare
        ses chiffres à ceux d'Erlang A."""
        from allo.stats.staffing import plan

        day = plan.parse_day(date_)
        tz = _tz()
        targets = plan.settings_targets(
            runtime().settings, shrinkage=shrinkage, max_occupancy=max_occupancy
        )
        with session() as s:
            (day_plan,) = plan.plan_days(s, [day], tz, targets)
        if day_plan.forecast.closed:
            fail(f"Le service est fermé ce jour-là ({day_plan.forecast.closed}) : rien à simuler.")
        result = plan.simulate_plan(day_plan, tz, targets, replications=replications, seed=seed)
        if steady_state:
            result["steady_state"] = plan.steady_state_check(
                day_plan, targets, half_width=precision / 100, seed=seed
            )
        if as_json:
            out.print_json(json.dumps(result, ensure_ascii=False))
            return
        for queue, figures in result["queues"].items():
            if figures["arrivals"]:
                calls = plural(round(figures["arrivals"] / replications), "appel")
                out.print(
                    f"{QUEUE_LABELS.get(queue, queue)} : {calls} par jour, "
                    f"taux de service {percent_fr(figures['service_level'], 1)}, abandons "
                    f"{percent_fr(figures['abandonment'], 1)}, attente moyenne "
                    f"{figures['asa_s']:.0f} s"
                )
        agreement = result["agreement"]
        if agreement["intervals_compared"]:
            out.print(
                f"Écart avec Erlang A sur {plural(agreement['intervals_compared'], 'demi-heure')} "
                f"d'au moins 100 appels : {_points(agreement['mean_gap_points'])} en moyenne, "
                f"{_points(agreement['max_gap_points'])} au plus (intervalle de confiance à 95 % : "
                f"± {_points(agreement['max_ci_points'])} au plus). Une demi-heure d'une journée "
                "varie d'environ dix points d'un tirage à l'autre, et la file déborde d'une "
                "demi-heure sur l'autre quand l'effectif baisse : --steady-state compare "
                "chaque demi-heure en régime établi."
            )
        steady = result.get("steady_state")
        if steady and steady["agreement"]["intervals_compared"]:
            check = steady["agreement"]
            out.print(
                "En régime établi, écart avec Erlang A sur "
                f"{plural(check['intervals_compared'], 'demi-heure')} : "
                f"{_points(check['mean_gap_points'])} en moyenne, "
                f"{_points(check['max_gap_points'])} au plus (± {_points(check['max_ci_points'])})."
            )

    roster = typer.Typer(help="Planning des agents.", no_args_is_help=True)
    staffing.add_typer(roster, name="roster")

    @roster.command("import")
    def roster_import(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Fichier CSV.")],
    ) -> None:
        """Importe les services planifiés (agent ou effectif, file, jour, début, fin, pauses)."""
        from allo.stats.staffing import roster as roster_domain

        content = file.read_bytes()
        with session() as s:
            report = roster_domain.import_roster(s, content, _tz(), source=file.name)
        for rejected in report.rejected:
            console.print(f"[yellow]{rejected['message']}[/]")
        out.print(
            f"{plural(report.shifts, 'service importé', 'services importés')}, "
            f"{plural(len(report.rejected), 'ligne refusée', 'lignes refusées')} "
            f"(import n° {report.import_id})."
        )

    @roster.command("coverage")
    def roster_coverage(
        date_: str = typer.Option(..., "--date", help="Jour (AAAA-MM-JJ)."),
        as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
    ) -> None:
        """Couverture du jour : planifiés et nécessaires par file et demi-heure, manques et
        surplus."""
        from allo.stats.staffing import plan
        from allo.stats.staffing import roster as roster_domain

        day = plan.parse_day(date_)
        tz = _tz()
        targets = plan.settings_targets(runtime().settings)
        with session() as s:
            (day_plan,) = plan.plan_days(s, [day], tz, targets)
            on_duty = roster_domain.rostered(s, day, tz)
        rows = [c.as_dict() for c in roster_domain.coverage(day_plan.rows, on_duty, day, tz)]
        if as_json:
            out.print_json(json.dumps(rows, ensure_ascii=False))
            return
        if day_plan.forecast.closed:
            out.print(f"Le service est fermé le {date_fr(day)} ({day_plan.forecast.closed}).")
            return
        short = [r for r in rows if r["gap"] < 0]
        out.print(
            f"{plural(len(short), 'demi-heure')} en sous-effectif sur {number_fr(len(rows))}."
        )
        for r in short:
            at = time_fr(time.fromisoformat(r["start"][11:16]))
            out.print(
                f"  {QUEUE_LABELS.get(r['queue'], r['queue'])} à {at} : "
                f"{plural(r['rostered'], 'planifié')}, "
                f"{plural(r['required'], 'nécessaire')}"
            )
