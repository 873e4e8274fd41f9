"""The service calendar: validation, open/closed (incl. French public holidays), French text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from allo.contacts import calendar
from allo.contacts.service_models import ServiceCalendar
from allo.errors import InvalidInput
from tests.contacts.service_helpers import login

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (paris(2026, 11, 26, 7, 59), False),  # Thursday before opening
        (paris(2026, 11, 26, 8, 0), True),
        (paris(2026, 11, 26, 19, 59), True),
        (paris(2026, 11, 26, 20, 0), False),
        (paris(2026, 11, 28, 8, 29), False),  # Saturday opens at 8:30
        (paris(2026, 11, 28, 8, 30), True),
        (paris(2026, 11, 28, 18, 30), False),
        (paris(2026, 11, 29, 12, 0), False),  # Sunday
        (paris(2026, 12, 25, 10, 0), False),  # Christmas, a Friday
        (paris(2026, 7, 14, 10, 0), False),  # Bastille day, a Tuesday
        (paris(2026, 4, 6, 10, 0), False),  # Easter Monday (moving holiday)
        (paris(2026, 4, 7, 10, 0), True),
    ],
)
def test_default_hours(moment: datetime, expected: bool) -> None:
    assert calendar.is_open(calendar.DEFAULT_HOURS, moment, PARIS) is expected


def test_utc_instants_are_read_in_the_service_time_zone() -> None:
    # 7:30 UTC on a winter Thursday is 8:30 in Paris.
    assert calendar.is_open(
        calendar.DEFAULT_HOURS, datetime(2026, 11, 26, 7, 30, tzinfo=UTC), PARIS
    )
    assert not calendar.is_open(
        calendar.DEFAULT_HOURS, datetime(2026, 11, 26, 6, 30, tzinfo=UTC), PARIS
    )


def test_default_text_gives_the_hours() -> None:
    assert calendar.describe_hours(calendar.DEFAULT_HOURS) == (
        "Du lundi au vendredi de 8 h à 20 h ; le samedi de 8 h 30 à 18 h 30 ; "
        "fermé le dimanche et les jours fériés."
    )


def test_next_opening_skips_sunday_and_holidays() -> None:
    # Thursday 24 Dec evening: Christmas (Friday) is closed, so Saturday 8:30.
    after = calendar.next_opening(calendar.DEFAULT_HOURS, paris(2026, 12, 24, 21, 0), PARIS)
    assert after == paris(2026, 12, 26, 8, 30).astimezone(UTC)  # Christmas Friday closed
    after_weekend = calendar.next_opening(calendar.DEFAULT_HOURS, paris(2026, 11, 28, 19, 0), PARIS)
    assert after_weekend == paris(2026, 11, 30, 8, 0).astimezone(UTC)


def test_split_days_and_custom_closures() -> None:
    hours = calendar.parse_hours(
        {
            "monday": [["09:00", "12:00"], {"opens": "14:00", "closes": "17:30"}],
            "wednesday": [["09:00", "12:00"], ["14:00", "17:30"]],
        },
        closed_on_public_holidays=False,
        closed_days=["2026-11-30"],
    )
    assert calendar.is_open(hours, paris(2026, 11, 25, 10, 0), PARIS)
    assert not calendar.is_open(hours, paris(2026, 11, 25, 13, 0), PARIS)
    assert not calendar.is_open(hours, paris(2026, 11, 30, 10, 0), PARIS)  # closed day
    assert calendar.is_open(hours, paris(2026, 12, 7, 10, 0), PARIS)
    text = calendar.describe_hours(hours)
    assert text.startswith("Le lundi et le mercredi de 9 h à 12 h et de 14 h à 17 h 30 ; fermé")
    assert "jours fériés" not in text


@pytest.mark.parametrize(
    ("weekly", "fragment"),
    [
        ({"monday": [["20:00", "08:00"]]}, "Lundi : la plage 20:00–08:00 est inversée"),
        ({"friday": [["09:00", "09:00"]]}, "Vendredi : la plage 09:00–09:00 est inversée ou vide"),
        (
            {"tuesday": [["08:00", "12:00"], ["11:00", "14:00"]]},
            "Mardi : les plages 08:00–12:00 et 11:00–14:00 se chevauchent",
        ),
        ({"monday": [["8h", "12:00"]]}, "Lundi : plage illisible"),
        ({"monday": [["25:00", "26:00"]]}, "Lundi : plage illisible"),
        ({"lundi": [["08:00", "12:00"]]}, "Jours inconnus : lundi"),
    ],
)
def test_bad_calendars_are_refused_in_french(weekly: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        calendar.parse_hours(weekly)
    assert fragment in caught.value.message


def test_closing_at_midnight_is_allowed() -> None:
    hours = calendar.parse_hours(
        {"saturday": [["18:00", "24:00"]]}, closed_on_public_holidays=False
    )
    assert calendar.is_open(hours, paris(2026, 11, 28, 23, 59), PARIS)


def test_saved_calendar_round_trips(db: Session) -> None:
    assert calendar.load_hours(db) == calendar.DEFAULT_HOURS
    hours = calendar.parse_hours({"monday": [["10:00", "12:00"]]}, closed_days=["2027-01-04"])
    calendar.save_hours(db, hours, agent_id=None)
    assert calendar.load_hours(db) == hours
    assert calendar.load_hours(db).closed_days == frozenset({date(2027, 1, 4)})


def test_phone_refused_when_closed_written_accepted(db: Session) -> None:
    sunday = paris(2026, 11, 29, 12, 0)
    with pytest.raises(calendar.ServiceClosed) as caught:
        calendar.ensure_accepts(db, "phone", PARIS, sunday)
    assert "Du lundi au vendredi de 8 h à 20 h" in caught.value.message
    assert "Réouverture le lundi 30/11 à 8 h" in caught.value.message
    assert caught.value.status_code == 409
    calendar.ensure_accepts(db, "web", PARIS, sunday)
    calendar.ensure_accepts(db, "phone", PARIS, paris(2026, 11, 30, 9, 0))


# --- over HTTP ---------------------------------------------------------------------------------

WEEK = {
    "weekly": {
        "monday": [{"opens": "09:00", "closes": "12:00"}, {"opens": "14:00", "closes": "18:00"}],
        "saturday": [{"opens": "09:00", "closes": "12:00"}],
    },
    "closed_on_public_holidays": True,
    "closed_days": ["2026-12-24"],
}


def test_anyone_reads_the_hours(client: Any) -> None:
    body = client.get("/api/calendar").json()
    assert body["text"].startswith("Du lundi au vendredi de 8 h à 20 h")
    assert body["weekly"]["saturday"] == [{"opens": "08:30", "closes": "18:30"}]
    assert body["weekly"]["sunday"] == []
    assert isinstance(body["open_now"], bool)


def test_only_the_administrator_changes_the_hours(client: Any, db: Session) -> None:
    assert client.put("/api/calendar", json=WEEK).status_code == 401
    _advisor, advisor = login(db, "advisor")
    assert client.put("/api/calendar", json=WEEK, headers=advisor).status_code == 403
    admin_agent, admin = login(db, "administrator")
    response = client.put("/api/calendar", json=WEEK, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["text"] == (
        "Le lundi de 9 h à 12 h et de 14 h à 18 h ; le samedi de 9 h à 12 h ; "
        "fermé du mardi au vendredi, le dimanche et les jours fériés."
    )
    assert client.get("/api/calendar").json()["closed_days"] == ["2026-12-24"]
    assert db.get(ServiceCalendar, calendar.CALENDAR_ROW_ID).updated_by == admin_agent.id


@pytest.mark.parametrize(
    ("weekly", "fragment"),
    [
        ({"monday": [{"opens": "18:00", "closes": "09:00"}]}, "est inversée"),
        (
            {
                "friday": [
                    {"opens": "08:00", "closes": "13:00"},
                    {"opens": "12:00", "closes": "18:00"},
                ]
            },
            "se chevauchent",
        ),
    ],
)
def test_bad_hours_are_a_french_422(
    client: Any, db: Session, weekly: dict[str, Any], fragment: str
) -> None:
    _admin, admin = login(db, "administrator")
    response = client.put("/api/calendar", json={"weekly": weekly}, headers=admin)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]
    assert client.get("/api/calendar").json()["weekly"]["monday"] == [
        {"opens": "08:00", "closes": "20:00"}
    ]


def test_calls_outside_hours_are_refused_with_the_hours(client: Any, db: Session) -> None:
    _admin, admin = login(db, "administrator")
    closed_all_week = {"weekly": {}, "closed_on_public_holidays": True}
    assert client.put("/api/calendar", json=closed_all_week, headers=admin).status_code == 200
    refused = client.post(
        "/api/calls", json={"kind": "offered", "call_id": "c-closed-1"}, headers=admin
    )
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Le service est fermé. Horaires :")
    written = client.post("/api/messages", json={"question": "Quand renouveler mon passeport ?"})
    assert written.status_code == 201
    assert written.json()["queued_until"] is None  # no opening within a year
    assert "sera traitée dès sa réouverture" in written.json()["message"]


def test_calls_inside_hours_become_contacts_and_can_be_abandoned(client: Any, db: Session) -> None:
    _admin, admin = login(db, "administrator")
    always = {
        "weekly": {day: [{"opens": "00:00", "closes": "24:00"}] for day in calendar.WEEKDAYS},
        "closed_on_public_holidays": False,
    }
    assert client.put("/api/calendar", json=always, headers=admin).status_code == 200
    offered = client.post("/api/calls", json={"kind": "offered", "call_id": "c-1"}, headers=admin)
    assert offered.status_code == 200, offered.text
    assert offered.json()["state"] == "waiting"
    ended = client.post("/api/calls", json={"kind": "ended", "call_id": "c-1"}, headers=admin)
    assert ended.json() == {
        "contact_id": offered.json()["contact_id"],
        "state": "abandoned",
        "abandoned": True,
    }
    unknown = client.post("/api/calls", json={"kind": "ended", "call_id": "nope"}, headers=admin)
    assert unknown.status_code == 404


# --- the same rule for every way a contact arrives ------------------------------------------------


def test_contact_creation_applies_the_calendar_per_channel(db: Session) -> None:
    from allo.contacts import services

    sunday = paris(2026, 11, 29, 12, 0)
    with pytest.raises(calendar.ServiceClosed, match=r"Le service est fermé\. Horaires :"):
        services.create_contact(db, channel="phone", now=sunday, tz=PARIS)
    written = services.create_contact(db, channel="email", question="q", now=sunday, tz=PARIS)
    assert written.state == "waiting"
    monday = services.create_contact(db, channel="phone", now=paris(2026, 11, 30, 9), tz=PARIS)
    assert monday.queue == "niveau1"


def test_post_contacts_refuses_phone_outside_hours_like_calls(client: Any, db: Session) -> None:
    from tests.contacts.service_helpers import ALWAYS_OPEN, CLOSED_ALL_WEEK, set_hours

    _admin, admin = login(db, "administrator")
    set_hours(db, CLOSED_ALL_WEEK)
    refused = client.post("/api/contacts", json={"channel": "phone"}, headers=admin)
    assert refused.status_code == 409
    by_call = client.post("/api/calls", json={"kind": "offered", "call_id": "c-x"}, headers=admin)
    assert refused.json()["detail"] == by_call.json()["detail"]
    assert refused.json()["detail"].startswith("Le service est fermé. Horaires :")
    for channel in ("web", "email"):
        written = client.post(
            "/api/contacts", json={"channel": channel, "question": "q"}, headers=admin
        )
        assert written.status_code == 201, written.text
    set_hours(db, ALWAYS_OPEN)
    assert client.post("/api/contacts", json={"channel": "phone"}, headers=admin).status_code == 201
