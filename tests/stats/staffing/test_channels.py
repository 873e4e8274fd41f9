"""Written channels (web, e-mail): forecast per queue and channel, planned as deferred work
(arrivals × handling time), never as an Erlang queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from allo.contacts.calendar import DEFAULT_HOURS
from allo.stats.staffing import forecast as fc
from allo.stats.staffing import plan
from allo.stats.staffing.repository import History, QueueFacts, load_history
from tests.stats.stats_factories import make_contact

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2031, 3, 10)


def _utc(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(UTC)


def test_written_channel_without_history_uses_its_declared_share() -> None:
    empty = History(start=_utc(MONDAY - timedelta(weeks=6), 0), end=_utc(MONDAY, 0))
    web = fc.forecast_day(empty, MONDAY, DEFAULT_HOURS, PARIS, channel="web")
    assert web.channel == "web" and web.source == "profil"
    assert web.queues["niveau1"].total == pytest.approx(7000 * 0.1)
    email = fc.forecast_day(empty, MONDAY, DEFAULT_HOURS, PARIS, channel="email")
    assert email.queues["niveau1"].total == 0


def test_written_arrivals_keep_their_hours_and_become_agent_hours() -> None:
    history = History(start=_utc(MONDAY - timedelta(weeks=6), 0), end=_utc(MONDAY, 0))
    for lag in (1, 2, 3):  # 6 web questions every Monday at 22:00, after closing time
        history.arrivals[_utc(MONDAY - timedelta(weeks=lag), 22)] = 6
    history.queues["niveau1"] = QueueFacts(handled=18, aht_s=600.0)
    web = fc.forecast_day(history, MONDAY, DEFAULT_HOURS, PARIS, channel="web")
    assert web.source == "historique" and web.queues["niveau1"].arrivals[44] == pytest.approx(6)
    rows = [r for r in plan.workload(web, PARIS) if r.queue == "niveau1"]
    assert [(r.start.hour, r.calls) for r in rows] == [(22, pytest.approx(6))]
    assert rows[0].hours == pytest.approx(1.0)  # 6 × 10 min
    assert rows[0].as_dict()["mode"] == "à traiter en différé"
    assert rows[0].as_dict()["workload_h"] == 1.0
    christmas = fc.forecast_day(history, date(2031, 12, 25), DEFAULT_HOURS, PARIS, channel="web")
    assert plan.workload(christmas, PARIS) == []


def test_each_channel_reads_its_own_recorded_contacts(db: Session) -> None:
    day = MONDAY - timedelta(weeks=1)
    make_contact(db, arrived=datetime.combine(day, time(10, 5), tzinfo=PARIS))
    for minute in (1, 2):
        make_contact(
            db, arrived=datetime.combine(day, time(9, minute), tzinfo=PARIS), channel="web",
            handling=900,
        )  # fmt: skip
    make_contact(db, arrived=datetime.combine(day, time(11, 0), tzinfo=PARIS), channel="email")
    web = load_history(db, _utc(day, 0), _utc(MONDAY, 0), "web")
    assert sum(fc.day_counts(web, day, PARIS)) == 2
    assert web.queues["niveau1"].aht_s == pytest.approx(900, abs=0.5)
    phone = load_history(db, _utc(day, 0), _utc(MONDAY, 0))
    assert sum(fc.day_counts(phone, day, PARIS)) == 1
    # E-mail is forecast once some were recorded; the period keeps one entry per day.
    (entry,) = plan.forecast_period(db, [MONDAY], PARIS)
    assert entry["channel"] == "phone" and "niveau1" in entry["queues"]
    assert [w["channel"] for w in entry["written"]] == ["web", "email"]
