"""`allo stats` and `allo purge`, run as the real command on a fresh database."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from allo.contacts.models import Contact
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from tests.cli import run_allo as run
from tests.stats.stats_factories import make_contact

PARIS = ZoneInfo("Europe/Paris")


def test_stats_json_csv_and_purge(make_database: Callable[[], str], tmp_path: Path) -> None:
    url = make_database()
    engine = make_engine(url)
    upgrade(engine)
    old = datetime.now(UTC) - timedelta(days=40)
    with unit_of_work(make_session_factory(engine)) as s:
        make_contact(s, arrived=datetime(2031, 2, 3, 9, tzinfo=PARIS), wait=30)
        make_contact(s, arrived=datetime(2031, 2, 3, 10, tzinfo=PARIS), escalate_to="justice")
        make_contact(s, arrived=old, wait=10, question="Texte à effacer")

    as_json = run(url, tmp_path, "stats", "--from", "2031-02-03", "--to", "2031-02-03", "--json")
    assert as_json.returncode == 0, as_json.stderr
    figures = json.loads(as_json.stdout)
    assert figures["contacts"] == 2
    assert figures["level1"]["escalation_rate"] == 0.5

    as_csv = run(url, tmp_path, "stats", "--from", "2031-02-03", "--to", "2031-02-03", "--csv")
    rows = dict(csv.reader(io.StringIO(as_csv.stdout), delimiter=";"))
    assert rows["contacts"] == "2"
    assert rows["by_sector.justice"] == "1"

    text = run(url, tmp_path, "stats", "--from", "2031-02-03", "--to", "2031-02-03")
    said = " ".join(text.stdout.split())  # the terminal's width folds the lines
    assert text.returncode == 0, text.stderr
    assert "Contacts : 2 — par canal : Téléphone 2, Question écrite 0, Courriel 0" in said
    assert "Justice 1" in said and "'justice'" not in said  # labels, not the JSON's codes
    assert "Résolus au niveau 1 : 1 (50,0 %) — escaladés : 1 (50,0 %)" in said
    assert said.startswith("Chiffres du 3 février 2031 (Europe/Paris)")  # one day: one date
    week = run(url, tmp_path, "stats", "--from", "2031-02-01", "--to", "2031-02-07")
    assert " ".join(week.stdout.split()).startswith("Chiffres du 1er février 2031 au 7 février")

    inverted = run(url, tmp_path, "stats", "--from", "2031-02-04", "--to", "2031-02-03")
    assert inverted.returncode != 0
    assert "doit précéder" in inverted.stdout + inverted.stderr

    purged = run(url, tmp_path, "purge", ALLO_RETENTION_DAYS="30")
    assert purged.returncode == 0, purged.stderr
    assert "effacés : 1 contact, 0 note" in " ".join((purged.stderr + purged.stdout).split())
    with unit_of_work(make_session_factory(engine)) as s:
        questions = sorted(s.scalars(select(Contact.question)))
    assert questions == ["", "Question [nom]", "Question [nom]"]
    engine.dispose()


def test_the_replay_s_check_and_latencies_read_in_french() -> None:
    from allo.cli.stats import _counts, _ms, _placed

    places = {"closed": 120, "waiting:niveau1": 3, "taken:justice": 1}
    assert _counts({_placed(k): n for k, n in places.items()}, {}) == (
        "Clôturé 120, En attente (Premier niveau) 3, En cours (Justice) 1"
    )
    assert _ms(12.5) == "12,5 ms" and _ms(None) == "—"
