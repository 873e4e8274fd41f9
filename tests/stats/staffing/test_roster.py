"""Roster import: good rows stored, bad rows reported in French, nothing stored lost; coverage."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allo.errors import InvalidInput
from allo.stats.staffing import roster
from allo.stats.staffing.models import Shift
from allo.stats.staffing.plan import PlanRow

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2031, 6, 2)  # a Monday

GOOD = """agent;count;queue;date;start;end;breaks
alice;;niveau1;2031-06-02;08:00;16:00;12:00-12:30
bob;;Travail;2031-06-02;09:00;17:00;
;1;niveau1;2031-06-02;10:00;12:00;
"""


def _shifts(db: Session) -> int:
    return db.execute(select(func.count()).select_from(Shift)).scalar_one()


def test_import_keeps_good_rows_and_reports_bad_ones(db: Session) -> None:
    content = (
        b"agent;effectif;file;jour;debut;fin;pauses\n"
        b"alice;;niveau1;2031-06-02;08:00;16:00;12:00-12:30\n"
        b";3;Logement - Urbanisme;2031-06-02;09:00;12:00;\n"
        b"carol;;accueil;2031-06-02;09:00;12:00;\n"  # unknown queue
        b"dave;;niveau1;2031-06-02;16:00;08:00;\n"  # reversed
        b"alice;;niveau1;2031-06-02;15:00;18:00;\n"  # overlaps line 2
        b"erin;;niveau1;2031-06-02;09:00;12:00;13:00-13:30\n"  # break outside the shift
    )
    report = roster.import_roster(db, content, PARIS, source="juin.csv")
    assert report.shifts == 2
    messages = {r["line"]: r["message"] for r in report.rejected}
    assert set(messages) == {4, 5, 6, 7}
    assert "file « accueil » inconnue" in messages[4]
    assert "inversé" in messages[5]
    assert "chevauche" in messages[6] and "ligne 2" in messages[6]
    assert "hors du service" in messages[7]
    assert _shifts(db) == 2
    # Importing again: alice's stored shift is kept, the new overlapping one is refused.
    again = roster.import_roster(
        db,
        b"agent;queue;date;start;end\nalice;niveau1;2031-06-02;10:00;11:00\nzoe;niveau1;2031-06-02;10:00;11:00\n",
        PARIS,
    )
    assert again.shifts == 1 and "déjà un service enregistré" in again.rejected[0]["message"]
    assert _shifts(db) == 3


def test_a_file_with_no_good_row_stores_nothing(db: Session) -> None:
    before = _shifts(db)
    with pytest.raises(InvalidInput, match="Aucun service importé"):
        roster.import_roster(
            db, b"agent;queue;date;start;end\nx;nowhere;2031-06-02;08:00;09:00\n", PARIS
        )
    with pytest.raises(InvalidInput, match="En-tête incomplet"):
        roster.import_roster(db, b"nom;heure\nx;8\n", PARIS)
    with pytest.raises(InvalidInput, match="UTF-8"):
        roster.import_roster(db, "agent;queue\né".encode("latin-1"), PARIS)
    assert _shifts(db) == before


def test_coverage_counts_people_on_duty_minus_breaks(db: Session) -> None:
    roster.import_roster(db, GOOD.encode(), PARIS)
    on_duty = roster.rostered(db, DAY, PARIS)
    assert on_duty["niveau1"][16] == 1  # 08:00 alice
    assert on_duty["niveau1"][20] == 2  # 10:00 alice + one head
    assert on_duty["niveau1"][24] == 0  # 12:00 alice on her break, the head count gone
    assert on_duty["travail"][18] == 1 and on_duty["travail"][34] == 0
    rows = [
        PlanRow("niveau1", datetime.combine(DAY, time(10), tzinfo=PARIS), 50, 180, None, 5, 8, 0.8, 10, 0, 0.8, "erlang_c"),
        PlanRow("travail", datetime.combine(DAY, time(9), tzinfo=PARIS), 5, 400, None, 1, 2, 0.8, 10, 0, 0.5, "erlang_c"),
    ]  # fmt: skip
    cover = roster.coverage(rows, on_duty, DAY, PARIS)
    assert [(c.queue, c.required, c.rostered, c.gap) for c in cover] == [
        ("niveau1", 5, 2, -3),
        ("travail", 1, 1, 0),
    ]
