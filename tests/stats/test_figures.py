"""The figures on a small known set of contacts: exact counts, rates and durations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from allo.contacts.service_models import SurveyResponse
from allo.errors import InvalidInput
from allo.stats import figures
from tests.stats.stats_factories import make_contact

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2031, 3, 4)  # a Tuesday far from other tests' data


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def known_day(db: Session) -> None:
    # 6 phone contacts resolved at level 1 (waits 10..60 s, handling 100..600 s)
    for i in range(6):
        make_contact(
            db,
            arrived=at(9, i),
            wait=10 * (i + 1),
            handling=100 * (i + 1),
            outcome="answered" if i < 4 else "oriented",
        )
    # 3 phone contacts escalated (2 travail, 1 justice), waits 100 s, all closed at level 2
    for i, sector in enumerate(("travail", "travail", "justice")):
        make_contact(
            db, arrived=at(14, i), wait=100, handling=300, escalate_to=sector, wait2=30 * (i + 1)
        )
    # 1 phone caller hung up after 90 s
    make_contact(db, arrived=at(14, 30), abandoned_after=90)
    # 1 web message answered at level 1 after 2 hours, 1 escalated web message still open
    make_contact(db, arrived=at(21, 0), channel="web", wait=3600, handling=3600)
    make_contact(
        db,
        arrived=at(21, 5),
        channel="web",
        wait=60,
        handling=60,
        escalate_to="fiscalite",
        outcome=None,
    )
    # outside the period: the day before
    make_contact(db, arrived=datetime(2031, 3, 3, 19, 0, tzinfo=PARIS))
    for rating in (5, 5, 4, 2):
        db.add(
            SurveyResponse(
                id=uuid.uuid4().hex,
                day=DAY,
                channel="phone",
                sector=None,
                escalated=False,
                outcome="answered",
                rating=rating,
                comment="",
                comment_redactions=[],
            )
        )
    db.flush()


def test_counts_by_channel_sector_outcome_and_hour(db: Session, known_day: None) -> None:
    period = figures.parse_period(DAY.isoformat(), DAY.isoformat(), PARIS, DAY)
    result = figures.compute(db, period, PARIS, target_wait_seconds=60)
    assert result["contacts"] == 12
    assert result["by_channel"] == {"phone": 10, "web": 2, "email": 0}
    assert result["by_sector"] == {
        "interieur": 0,
        "travail": 2,
        "consommation": 0,
        "justice": 1,
        "fiscalite": 1,
        "logement": 0,
    }
    assert result["by_outcome"] == {"answered": 8, "oriented": 2, "abandoned": 1, "open": 1}
    assert result["by_hour"]["9"] == 6
    assert result["by_hour"]["14"] == 4
    assert result["by_hour"]["21"] == 2
    assert sum(result["by_hour"].values()) == 12


def test_level1_resolution_against_escalation(db: Session, known_day: None) -> None:
    result = figures.compute(db, figures.parse_period("2031-03-04", None, PARIS, DAY), PARIS)
    # 7 closed without escalation (6 phone + 1 web), 4 escalated (3 phone + 1 web)
    assert result["level1"] == {
        "resolved": 7,
        "escalated": 4,
        "resolution_rate": round(7 / 11, 4),
        "escalation_rate": round(4 / 11, 4),
    }


def test_waits_handling_service_level_and_abandonment(db: Session, known_day: None) -> None:
    result = figures.compute(
        db,
        figures.parse_period("2031-03-04", "2031-03-04", PARIS, DAY),
        PARIS,
        target_wait_seconds=60,
    )
    # phone level-1 waits: 10,20,30,40,50,60,100,100,100 → mean 56.7, nearest-rank p90 = 100
    assert result["wait_seconds"]["level1_phone"] == {"count": 9, "mean": 56.7, "p90": 100.0}
    # answered within 60 s: 6; answered 9; abandoned 1 → 6/10
    assert result["service_level"]["answered_within_target"] == 6
    assert result["service_level"]["rate"] == 0.6
    assert result["abandonment"] == {"phone_contacts": 10, "abandoned": 1, "rate": 0.1}
    # level-2 waits 30, 60, 90 (phone) and 60 (web, taken but still open)
    assert result["wait_seconds"]["level2"] == {"count": 4, "mean": 60.0, "p90": 90.0}
    # level-1 handling: 100..600, 300×3, 3600 (web), 60 (web escalated) → 11 sessions
    level1 = result["handling_seconds"]["level1"]
    assert level1["count"] == 11
    assert level1["mean"] == round((2100 + 900 + 3600 + 60) / 11, 1)
    assert level1["p90"] == 600.0
    # the open level-2 session has no end yet: not counted
    assert result["handling_seconds"]["level2"] == {"count": 3, "mean": 400.0, "p90": 400.0}
    # one closed written contact: 3600 + 3600 s
    assert result["written_response_seconds"] == {"count": 1, "mean": 7200.0, "p90": 7200.0}


def test_satisfaction_summary(db: Session, known_day: None) -> None:
    result = figures.compute(db, figures.parse_period("2031-03-04", None, PARIS, DAY), PARIS)
    assert result["satisfaction"] == {
        "responses": 4,
        "mean": 4.0,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2},
        "satisfied_rate": 0.75,
    }


def test_period_bounds(db: Session, known_day: None) -> None:
    two_days = figures.parse_period("2031-03-03", "2031-03-04", PARIS, DAY)
    assert figures.compute(db, two_days, PARIS)["contacts"] == 13
    morning = figures.parse_period("2031-03-04T08:00", "2031-03-04T12:00", PARIS, DAY)
    assert figures.compute(db, morning, PARIS)["contacts"] == 6


@pytest.mark.parametrize(
    ("start", "end"),
    [("2031-03-05", "2031-03-04"), ("2031-03-04T12:00", "2031-03-04T08:00"), ("hier", None)],
)
def test_bad_periods_are_refused(start: str, end: str | None) -> None:
    with pytest.raises(InvalidInput):
        figures.parse_period(start, end, PARIS, DAY)


def test_empty_period_has_no_rates(db: Session) -> None:
    result = figures.compute(db, figures.parse_period("2040-01-01", None, PARIS, DAY), PARIS)
    assert result["contacts"] == 0
    assert result["level1"]["resolution_rate"] is None
    assert result["wait_seconds"]["level1_phone"] == {"count": 0, "mean": None, "p90": None}
