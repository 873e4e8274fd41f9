"""Opening hours: repairing the source, saying them in French, evaluating them with holidays."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from allo.directory.hours import (
    hours_text,
    parse_opening,
    parse_time,
    say_days,
    status,
    week_schedule,
)

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_SPLIT = {
    "PlageJ": {
        "début": "lundi",
        "fin": "vendredi",
        "PlageH": [
            {"début": "09:00:00", "fin": "12:00:00"},
            {"début": "14:00:00", "fin": "17:00:00"},
        ],
    }
}
WITH_SATURDAY = {
    "PlageJ": [
        WEEKDAYS_SPLIT["PlageJ"],
        {"début": "samedi", "fin": "samedi", "PlageH": {"début": "09:00:00", "fin": "12:00:00"}},
    ]
}


def entries(raw: Any) -> list[dict[str, Any]]:
    return parse_opening(raw).entries


@pytest.mark.parametrize(
    ("raw", "expected", "fixed"),
    [
        ("09:00:00", "09:00", False),
        ("'09:00:00", "09:00", True),
        ("9:00:00", "09:00", True),
        ("2:00:00 PM", "14:00", True),
        ("12:00:00 PM", "12:00", True),
        ("12:30:00 AM", "00:30", True),
        ("", None, False),
        (None, None, False),
        ("25:00:00", None, False),
        ("midi", None, False),
    ],
)
def test_parse_time_repairs_the_quirks_of_the_source(
    raw: Any, expected: str | None, fixed: bool
) -> None:
    value, fix = parse_time(raw)
    assert value == expected
    assert (fix is not None) is fixed


def test_french_rendering_groups_days_with_the_same_hours() -> None:
    assert hours_text(entries(WEEKDAYS_SPLIT)) == (
        "du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h"
    )
    assert hours_text(entries(WITH_SATURDAY)) == (
        "du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h ; le samedi de 9 h à 12 h"
    )


def test_french_rendering_merges_entries_and_says_minutes() -> None:
    raw = {
        "PlageJ": [
            {"début": "lundi", "fin": "jeudi", "PlageH": {"début": "08:30:00", "fin": "12:00:00"}},
            {
                "début": "vendredi",
                "fin": "vendredi",
                "PlageH": {"début": "08:30:00", "fin": "12:00:00"},
            },
            {
                "début": "mercredi",
                "fin": "mercredi",
                "PlageH": {"début": "13:45:00", "fin": "17:00:00"},
            },
        ]
    }
    assert hours_text(entries(raw)) == (
        "le lundi, le mardi, le jeudi et le vendredi de 8 h 30 à 12 h ;"
        " le mercredi de 8 h 30 à 12 h et de 13 h 45 à 17 h"
    )


@pytest.mark.parametrize(
    ("days", "said"),
    [
        ([0, 1, 2, 3, 4], "du lundi au vendredi"),
        ([5], "le samedi"),
        ([0, 2], "le lundi et le mercredi"),
        ([0, 1, 2, 4], "du lundi au mercredi et le vendredi"),
        ([0, 2, 4], "le lundi, le mercredi et le vendredi"),
        (list(range(7)), "tous les jours"),
    ],
)
def test_days_are_said_like_a_person_says_them(days: list[int], said: str) -> None:
    assert say_days(days) == said


def test_day_range_wrapping_over_the_weekend() -> None:
    raw = {
        "PlageJ": {
            "début": "samedi",
            "fin": "lundi",
            "PlageH": {"début": "10:00:00", "fin": "11:00:00"},
        }
    }
    assert entries(raw)[0]["days"] == [5, 6, 0]


def test_doubtful_ranges_are_kept_as_notes_and_reported() -> None:
    raw = {
        "PlageJ": [
            {"début": "lundi", "fin": "lundi", "PlageH": {"début": "18:30:00", "fin": "12:00:00"}},
            {"début": "mardi", "fin": "", "PlageH": {"début": "09:00:00", "fin": "12:00:00"}},
            {"début": "jeudi", "fin": "jeudi", "PlageH": {"début": "13:30:00", "fin": ""}},
        ]
    }
    parsed = parse_opening(raw)
    assert set(parsed.problems) == {
        "plage horaire inversée",
        "jour de début ou de fin manquant",
        "heure manquante ou illisible",
    }
    notes = " ".join(e["note"] or "" for e in parsed.entries)
    assert "18:30–12:00" in notes
    assert "mardi" in notes
    # Nothing doubtful is used to say the office is open.
    assert not any(week_schedule(parsed.entries))


def test_an_object_where_a_list_is_expected_reads_the_same() -> None:
    as_object = {
        "PlageJ": {
            "début": "lundi",
            "fin": "lundi",
            "PlageH": {"début": "09:00:00", "fin": "12:00:00"},
        }
    }
    as_list = {
        "PlageJ": [
            {"début": "lundi", "fin": "lundi", "PlageH": [{"début": "09:00:00", "fin": "12:00:00"}]}
        ]
    }
    assert entries(as_object) == entries(as_list)


def at(text: str, zone: ZoneInfo = PARIS) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_open_now_and_closing_time() -> None:
    state = status(entries(WITH_SATURDAY), at("2026-12-22T10:15"), "75")
    assert state.open is True
    assert state.closes_at == at("2026-12-22T12:00")


def test_closed_at_lunch_opens_again_the_same_afternoon() -> None:
    state = status(entries(WITH_SATURDAY), at("2026-12-22T12:30"), "75")
    assert state.open is False
    assert state.next_opening == at("2026-12-22T14:00")
    assert state.holiday is None


def test_christmas_is_closed_everywhere() -> None:
    # Friday 25 December 2026 at 10:00, a weekday the office would be open.
    state = status(entries(WITH_SATURDAY), at("2026-12-25T10:00"), "75")
    assert state.open is False
    assert state.holiday == "Noël"
    assert state.next_opening == at("2026-12-26T09:00")


def test_saint_stephens_day_closes_moselle_but_not_paris() -> None:
    moment = at("2026-12-26T10:00")  # Saturday 26 December 2026, open on Saturday mornings
    paris = status(entries(WITH_SATURDAY), moment, "75")
    moselle = status(entries(WITH_SATURDAY), moment, "57")
    alsace = status(entries(WITH_SATURDAY), moment, "67")
    assert paris.open is True
    assert moselle.open is False and moselle.holiday == "Saint-Étienne"
    assert alsace.open is False
    assert moselle.next_opening == at("2026-12-28T09:00")


def test_good_friday_only_in_alsace_moselle() -> None:
    moment = at("2026-04-03T10:00")
    assert status(entries(WEEKDAYS_SPLIT), moment, "68").open is False
    assert status(entries(WEEKDAYS_SPLIT), moment, "69").open is True


def test_guadeloupe_abolition_day_in_local_time() -> None:
    guadeloupe = ZoneInfo("America/Guadeloupe")
    moment = at("2026-05-27T10:00", guadeloupe)  # Wednesday 27 May: abolition of slavery (971)
    here = status(entries(WEEKDAYS_SPLIT), moment, "971")
    assert here.open is False
    assert here.holiday == "Abolition de l'esclavage"
    assert here.next_opening == at("2026-05-28T09:00", guadeloupe)
    # Martinique's own day is 22 May: on the 27th its offices are open.
    assert (
        status(
            entries(WEEKDAYS_SPLIT), moment.astimezone(ZoneInfo("America/Martinique")), "972"
        ).open
        is True
    )


def test_next_opening_across_a_weekend() -> None:
    friday_evening = at("2026-11-27T17:30")
    state = status(entries(WEEKDAYS_SPLIT), friday_evening, "75")
    assert state.open is False
    assert state.next_opening == at("2026-11-30T09:00")  # Monday


def test_unknown_hours_are_neither_open_nor_closed() -> None:
    assert status([], at("2026-11-27T10:00"), "75").open is None
    assert status(entries({"PlageJ": []}), at("2026-11-27T10:00"), "75").open is None


# --------------------------------------------------------------- property-style: odd data

DAY_VALUES = [
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "",
    None,
    "Lundi",
    "funday",
    3,
    [],
    {"$t": "lundi"},
]
TIME_VALUES = [
    "09:00:00",
    "12:00:00",
    "13:30:00",
    "17:45:00",
    "00:00:00",
    "'08:00:00",
    "8:30:00",
    "2:00:00 PM",
    "12:00:00 PM",
    "",
    None,
    "25:61:00",
    "midi",
    9,
    {"$t": "09:00:00"},
    [],
]


def random_opening(rng: random.Random) -> Any:
    def plage_h() -> Any:
        if rng.random() < 0.1:
            return rng.choice([None, "", "n'importe quoi", 12])
        return {"début": rng.choice(TIME_VALUES), "fin": rng.choice(TIME_VALUES)}

    def plage_j() -> Any:
        if rng.random() < 0.05:
            return rng.choice(["texte", None, 7])
        item: dict[str, Any] = {"début": rng.choice(DAY_VALUES), "fin": rng.choice(DAY_VALUES)}
        ranges = [plage_h() for _ in range(rng.randint(0, 3))]
        item["PlageH"] = ranges[0] if len(ranges) == 1 and rng.random() < 0.5 else ranges
        if rng.random() < 0.3:
            item["Note"] = rng.choice(["Sur rendez-vous", "", None])
        return item

    if rng.random() < 0.05:
        return rng.choice([None, "", [], "fermé", {"Autre": 1}])
    days = [plage_j() for _ in range(rng.randint(0, 4))]
    return {"PlageJ": days[0] if len(days) == 1 and rng.random() < 0.5 else days}


def test_odd_hours_never_crash_and_stay_consistent() -> None:
    rng = random.Random(20261225)
    start = at("2026-01-01T00:00")
    for _ in range(400):
        raw = random_opening(rng)
        parsed = parse_opening(raw)
        for entry in parsed.entries:
            assert all(0 <= d <= 6 for d in entry["days"])
            for begin, end in entry["ranges"]:
                assert "00:00" <= begin < end <= "24:00"
        text = hours_text(parsed.entries)
        assert isinstance(text, str)
        moment = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        departement = rng.choice(["75", "57", "971", "974", None])
        state = status(parsed.entries, moment, departement)
        if state.open is True:
            assert state.closes_at is not None and state.closes_at > moment
            assert state.next_opening is None
        elif state.open is False:
            if state.next_opening is not None:
                assert state.next_opening > moment
                # At the announced opening the office is indeed open.
                assert status(parsed.entries, state.next_opening, departement).open is True
        else:
            assert not any(week_schedule(parsed.entries))
