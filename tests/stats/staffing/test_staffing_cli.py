"""`allo staffing …` as an operator runs it, on a fresh database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import run_allo as run


def test_erlang_plan_and_roster_commands(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    erlang = run(url, tmp_path, "staffing", "erlang", "--calls", "100", "--interval", "30",
                 "--aht", "180", "--within", "20", "--service-level", "0.8", "--shrinkage",
                 "0.3", "--json")  # fmt: skip
    assert erlang.returncode == 0, erlang.stderr
    figures = json.loads(erlang.stdout)
    assert (figures["raw_positions"], figures["positions"]) == (14, 20)
    assert (figures["service_level"], figures["occupancy"], figures["waiting_probability"]) == (
        0.888,
        0.714,
        0.174,
    )
    with_patience = json.loads(
        run(
            url,
            tmp_path,
            "staffing",
            "erlang",
            "--calls",
            "100",
            "--aht",
            "180",
            "--within",
            "20",
            "--patience",
            "120",
            "--json",
        ).stdout
    )
    assert with_patience["model"] == "erlang_a" and with_patience["abandonment"] > 0

    plan = run(url, tmp_path, "staffing", "plan", "--date", "2031-06-07", "--csv")
    assert plan.returncode == 0, plan.stderr
    header, first = plan.stdout.splitlines()[:2]
    assert header.startswith("queue;start;end;calls") and first.startswith(
        "niveau1;2031-06-07T08:30"
    )
    closed = run(url, tmp_path, "staffing", "plan", "--date", "2031-12-25", "--json")
    assert json.loads(closed.stdout) == []
    assert "Le service est fermé le 25 décembre 2031 (" in " ".join(closed.stderr.split())

    roster = tmp_path / "planning.csv"
    roster.write_text(
        "effectif;file;jour;debut;fin\n3;Travail;2031-06-02;09:00;12:00\n4;nulle;2031-06-02;09:00;12:00\n"
    )
    imported = run(url, tmp_path, "staffing", "roster", "import", str(roster))
    assert imported.returncode == 0, imported.stderr
    assert "1 service importé, 1 ligne refusée" in imported.stdout
    assert "file « nulle » inconnue" in imported.stderr
    whit_monday = run(url, tmp_path, "staffing", "roster", "coverage", "--date", "2031-06-02")
    assert "fermé le 2 juin 2031 (jour férié" in " ".join(whit_monday.stdout.split())
    roster.write_text("effectif;file;jour;debut;fin\n3;Travail;2031-06-03;09:00;12:00\n")
    assert run(url, tmp_path, "staffing", "roster", "import", str(roster)).returncode == 0
    coverage = " ".join(
        run(url, tmp_path, "staffing", "roster", "coverage", "--date", "2031-06-03").stdout.split()
    )
    assert re.match(r"\d+ demi-heures en sous-effectif sur \d+\.", coverage)
    assert "Travail à 9 h : 3 planifiés, " in coverage and "travail 09:00" not in coverage

    impossible = run(url, tmp_path, "staffing", "erlang", "--calls", "10", "--aht", "180",
                     "--within", "0", "--service-level", "1")  # fmt: skip
    assert impossible.returncode == 2 and "100 %" in impossible.stderr


def test_simulate_compares_each_half_hour_at_steady_state(
    make_database: Callable[[], str], tmp_path: Path
) -> None:
    url = make_database()
    # A Saturday of the declared profile; a coarse precision keeps the test short.
    result = run(url, tmp_path, "staffing", "simulate", "--date", "2031-06-07", "--replications",
                 "2", "--steady-state", "--precision", "3", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    check = figures["steady_state"]
    assert check["agreement"]["intervals_compared"] == len(check["intervals"]) > 0
    for row in check["intervals"]:
        assert row["calls"] >= 100 and row["ci_points"] <= 3
    assert all("simulated_service_level_ci" in i for i in figures["intervals"])


def test_plan_adds_deferred_written_work_and_obeys_the_ratios(
    make_database: Callable[[], str], tmp_path: Path
) -> None:
    url = make_database()
    env = {"ALLO_STAFFING_SHRINKAGE": "0.5"}
    rows = json.loads(run(url, tmp_path, "staffing", "plan", "--date", "2031-06-03", "--json",
                          **env).stdout)  # fmt: skip
    phone = [r for r in rows if r["channel"] == "phone"]
    written = [r for r in rows if r["channel"] == "web"]
    assert phone and all(r["positions"] == 2 * r["agents_required"] for r in phone)
    assert written and all(r["mode"] == "à traiter en différé" for r in written)
    assert all(r["workload_h"] == pytest.approx(r["calls"] * r["aht_s"] / 3600, abs=3e-3)
               for r in written)  # fmt: skip
    # The options win over the settings.
    chosen = run(url, tmp_path, "staffing", "plan", "--date", "2031-06-03", "--json",
                 "--shrinkage", "0", "--max-occupancy", "0.7", **env)  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    chosen_phone = [r for r in json.loads(chosen.stdout) if r["channel"] == "phone"]
    assert all(r["positions"] == r["agents_required"] for r in chosen_phone)
    assert all(r["occupancy"] <= 0.7 for r in chosen_phone)
    text = run(url, tmp_path, "staffing", "plan", "--date", "2031-06-03", **env).stdout
    assert "heures-agent à traiter en différé" in text
    assert "Premier niveau : " in text and "niveau1 :" not in text  # labels, not queue codes
    assert re.search(r"pic \d+ agents? à \d{1,2} h( \d{2})?\n", text)  # « à 10 h 30 »
    bad = run(url, tmp_path, "staffing", "plan", "--date", "2031-06-03", "--shrinkage", "1")
    assert bad.returncode == 2 and "absence" in bad.stderr
    forecast = run(url, tmp_path, "staffing", "forecast", "--from", "2031-06-03", "--csv")
    assert forecast.returncode == 0, forecast.stderr
    lines = forecast.stdout.splitlines()
    assert lines[0] == "date;queue;start;calls;channel"
    assert {line.rsplit(";", 1)[1] for line in lines[1:]} == {"phone", "web"}
    said = run(url, tmp_path, "staffing", "forecast", "--from", "2031-06-03").stdout
    assert said.startswith("3 juin 2031, Téléphone (profil déclaré (historique insuffisant)) : ")
    assert re.search(r"Premier niveau \d[\d\u202f]* appels, Intérieur \d+ appels?", said)
    assert "3 juin 2031, Question écrite, à traiter en différé (" in said and "niveau1" not in said
