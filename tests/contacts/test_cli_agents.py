"""`allo agents add|list` and `allo demo-agents`, run as the real command on a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from allo.contacts import repository
from allo.contacts.bundled import DEMO_TEAM, load_if_empty
from allo.db.engine import make_engine
from allo.db.session import make_session_factory, unit_of_work
from allo.runtime import Runtime
from allo.settings import Settings
from tests.cli import run_allo as run


def test_agents_add_list_and_demo(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    added = run(
        url,
        tmp_path,
        "agents",
        "add",
        "Lea",
        "--role",
        "specialist",
        "--sector",
        "travail",
        "--sector",
        "justice",
        "--generate-password",
    )
    assert added.returncode == 0, added.stderr
    assert "Mot de passe (affiché une seule fois)" in added.stdout
    prompted = run(
        url,
        tmp_path,
        "agents",
        "add",
        "sam",
        "--role",
        "advisor",
        stdin="un-mot-de-passe-sur\nun-mot-de-passe-sur\n",
    )
    assert prompted.returncode == 0, prompted.stderr
    duplicate = run(
        url, tmp_path, "agents", "add", "sam", "--role", "advisor", "--generate-password"
    )
    assert duplicate.returncode != 0 and "déjà utilisé" in duplicate.stderr
    listed = run(url, tmp_path, "agents", "list")
    assert "lea" in listed.stdout and "Travail, Justice" in listed.stdout and "sam" in listed.stdout
    demo = run(url, tmp_path, "demo-agents")
    assert demo.returncode == 0 and "demo-conseil1" in demo.stdout
    said = [" ".join(line.split()) for line in demo.stdout.splitlines()]
    assert "logement demo-logement spécialiste (niveau 2) : Logement - Urbanisme" in said
    assert "conseil1 demo-conseil1 conseiller (niveau 1)" in said  # labels, not role codes

    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as s:
        names = {a.username for a in repository.agents(s)}
    engine.dispose()
    assert {d.username for d in DEMO_TEAM} | {"lea", "sam"} == names


def test_load_if_empty_creates_the_team_once(
    make_database: Callable[[], str], tmp_path: Path
) -> None:
    engine = make_engine(make_database())
    from allo.db.migrate import upgrade

    upgrade(engine)
    runtime = Runtime.from_settings(Settings.from_env({"ALLO_HOME": str(tmp_path)}), engine=engine)
    lines: list[str] = []
    load_if_empty(runtime, lines.append)
    load_if_empty(runtime, lines.append)
    assert len(lines) == 1 + len(DEMO_TEAM)  # printed once
    with unit_of_work(runtime.sessions) as s:
        team = repository.agents(s)
        roles = {a.role for a in team}
        sectors = {s for a in team for s in a.sectors}
    engine.dispose()
    assert roles == {"advisor", "specialist", "editor", "supervisor", "administrator"}
    assert sectors == {"interieur", "travail", "consommation", "justice", "fiscalite", "logement"}


def test_demo_calls_fill_the_level1_queue(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    for _run in range(2):
        result = run(url, tmp_path, "demo-calls", "--count", "5", "--hang-ups", "2")
        assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as s:
        counts = repository.queue_counts(s)
    engine.dispose()
    assert counts == {("niveau1", "waiting"): 6, ("niveau1", "abandoned"): 4}
