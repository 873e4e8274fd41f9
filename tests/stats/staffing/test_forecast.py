"""The forecast recovers a known weekly pattern, falls back to the declared profile, follows the
calendar; the recorded history is read the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from allo.contacts.calendar import DEFAULT_HOURS
from allo.stats.staffing import forecast as fc
from allo.stats.staffing.repository import History, QueueFacts, load_history
from tests.stats.stats_factories import make_contact

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2031, 3, 10)


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _synthetic() -> History:
    """Four Mondays: 10:00 gets 40 + 10k calls, 14:00 gets 20 + 5k (k = 1 … 4, oldest first)."""
    start = _utc(MONDAY - timedelta(weeks=6), 0)
    history = History(start=start, end=_utc(MONDAY, 0))
    for k, lag in enumerate((4, 3, 2, 1), start=1):
        day = MONDAY - timedelta(weeks=lag)
        history.arrivals[_utc(day, 10)] = 40 + 10 * k
        history.arrivals[_utc(day, 14)] = 20 + 5 * k
    history.queues["niveau1"] = QueueFacts(handled=100, aht_s=200.0, abandoned=10, waiting_s=1500.0)
    history.answered_level1 = 100
    history.escalated = {"travail": 20, "justice": 10}
    history.transfer_delay_s = 1800.0
    return history


def test_forecast_recovers_a_known_pattern_with_its_trend() -> None:
    result = fc.forecast_day(_synthetic(), MONDAY, DEFAULT_HOURS, PARIS)
    level1 = result.queues["niveau1"]
    assert result.source == "historique" and result.history_days == 4
    # Totals 75, 90, 105, 120 → the trend line says 135, split 2:1 as every week.
    assert level1.arrivals[20] == pytest.approx(90)
    assert level1.arrivals[28] == pytest.approx(45)
    assert level1.total == pytest.approx(135)
    assert level1.aht_s == 200.0
    assert level1.patience_s == pytest.approx(150.0)  # 1,500 s waited / 10 hang-ups
    # Level 2 follows level 1, one half-hour later (the transfer delay), at the sector's rate.
    travail = result.queues["travail"].arrivals
    assert travail[21] == pytest.approx(90 * 0.2)
    assert travail[29] == pytest.approx(45 * 0.2)
    assert result.queues["logement"].total == 0
    # The naive baseline is last week as it was.
    naive = fc.naive_level1(_synthetic(), MONDAY, PARIS)
    assert naive[20] == 80 and naive[28] == 40


def test_short_history_uses_the_declared_profile() -> None:
    empty = History(start=_utc(MONDAY - timedelta(weeks=6), 0), end=_utc(MONDAY, 0))
    weekday = fc.forecast_day(empty, MONDAY, DEFAULT_HOURS, PARIS)
    assert weekday.source == "profil" and weekday.history_days == 0
    assert weekday.queues["niveau1"].total == pytest.approx(7000 * 0.9)
    assert sum(q.total for n, q in weekday.queues.items() if n != "niveau1") == pytest.approx(
        7000 * 0.9 * 0.44, rel=0.02
    )
    saturday = fc.forecast_day(empty, MONDAY + timedelta(days=5), DEFAULT_HOURS, PARIS)
    assert saturday.queues["niveau1"].total == pytest.approx(7000 * 0.9 * 600 / 720)
    assert saturday.queues["niveau1"].arrivals[16] == 0  # 8:00–8:30 is closed on Saturdays
    assert saturday.open_share[17] == 1.0


def test_closed_days_have_no_arrivals() -> None:
    christmas = date(2031, 12, 25)
    result = fc.forecast_day(_synthetic(), christmas, DEFAULT_HOURS, PARIS)
    assert result.closed is not None and "férié" in result.closed
    assert all(q.total == 0 for q in result.queues.values())


def test_recorded_history_is_read_back(db: Session) -> None:
    day = MONDAY - timedelta(weeks=1)
    for i in range(3):
        make_contact(
            db, arrived=datetime.combine(day, time(10, 5 + i), tzinfo=PARIS), wait=20, handling=120
        )
    make_contact(
        db, arrived=datetime.combine(day, time(10, 40), tzinfo=PARIS), wait=40, handling=240,
        escalate_to="travail", wait2=30, handling2=600,
    )  # fmt: skip
    make_contact(db, arrived=datetime.combine(day, time(14, 0), tzinfo=PARIS), abandoned_after=90)
    make_contact(db, arrived=datetime.combine(day, time(15, 0), tzinfo=PARIS), channel="web")
    history = load_history(db, _utc(day, 0), _utc(MONDAY, 0))
    counts = fc.day_counts(history, day, PARIS)
    assert counts[20] == 3 and counts[21] == 1 and counts[28] == 1 and sum(counts) == 5
    level1 = history.queues["niveau1"]
    assert level1.handled == 4
    assert level1.aht_s == pytest.approx((3 * 120 + 240) / 4, abs=0.5)
    assert level1.abandoned == 1
    assert level1.patience_s == pytest.approx(3 * 20 + 40 + 90, abs=1)
    assert history.queues["travail"].aht_s == pytest.approx(600, abs=0.5)
    assert history.escalated == {"travail": 1}
    assert history.answered_level1 == 4
    assert history.transfer_delay_s == pytest.approx(40 + 240, abs=0.5)
