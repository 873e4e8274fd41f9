"""The service's own hours: when the phone platform answers, and how to say so in French.

Default (seed): Monday–Friday 8:00–20:00, Saturday 8:30–18:30, closed on Sundays and French
public holidays (the `holidays` package, metropolitan calendar). The administrator can change
the weekly ranges, the public-holiday rule and add closed days. Outside hours, phone contacts
are refused with a message giving the hours; written ones are queued for the reopening.

Ranges are kept as minutes since midnight (`closes` may be 24:00 = 1440) in the service's
time zone (settings.timezone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.contacts.service_models import ServiceCalendar
from allo.db.base import utcnow
from allo.directory.hours import hours_text, say_days, say_time
from allo.directory.public_holidays import holiday_name
from allo.errors import Conflict, InvalidInput

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
FRENCH_DAYS: tuple[str, ...] = (
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
)
CALENDAR_ROW_ID = 1
#: How far ahead `next_opening` looks (a calendar closed for a whole year has no next opening).
_LOOKAHEAD_DAYS = 370

Range = tuple[int, int]


@dataclass(frozen=True)
class ServiceHours:
    """Weekly ranges (Monday first) plus the closed days; validated by `parse_hours`."""

    weekly: tuple[tuple[Range, ...], ...]
    closed_on_public_holidays: bool = True
    closed_days: frozenset[date] = field(default_factory=frozenset)


DEFAULT_HOURS = ServiceHours(
    weekly=(((480, 1200),),) * 5 + (((510, 1110),), ()),
    closed_on_public_holidays=True,
)


# --- parsing and validation ---------------------------------------------------------------


def _parse_clock(value: object, *, closing: bool) -> int:
    if not isinstance(value, str):
        raise ValueError
    hours, sep, minutes = value.strip().partition(":")
    if sep != ":" or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        raise ValueError
    h, m = int(hours), int(minutes)
    if (h, m) == (24, 0) and closing:
        return 1440
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError
    return h * 60 + m


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _range_pair(raw: object) -> tuple[object, object]:
    if isinstance(raw, Mapping):
        return raw.get("opens"), raw.get("closes")
    if isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) == 2:
        return raw[0], raw[1]
    raise ValueError


def parse_hours(
    weekly: Mapping[str, Any],
    *,
    closed_on_public_holidays: bool = True,
    closed_days: Sequence[object] = (),
) -> ServiceHours:
    """Validate an administrator's calendar; every problem is reported at once, in French."""
    problems: list[str] = []
    unknown = sorted(set(weekly) - set(WEEKDAYS))
    if unknown:
        problems.append(
            "Jours inconnus : " + ", ".join(unknown) + " (attendus : " + ", ".join(WEEKDAYS) + ")."
        )
    days: list[tuple[Range, ...]] = []
    for index, name in enumerate(WEEKDAYS):
        french = FRENCH_DAYS[index].capitalize()
        raw_ranges = weekly.get(name) or []
        if not isinstance(raw_ranges, Sequence) or isinstance(raw_ranges, str):
            problems.append(f"{french} : une liste de plages horaires est attendue.")
            days.append(())
            continue
        ranges: list[Range] = []
        for raw in raw_ranges:
            try:
                opens_raw, closes_raw = _range_pair(raw)
                opens = _parse_clock(opens_raw, closing=False)
                closes = _parse_clock(closes_raw, closing=True)
            except ValueError:
                problems.append(
                    f"{french} : plage illisible ({raw!r}) ; écrivez les heures au format HH:MM, "
                    "par exemple 08:30."
                )
                continue
            if opens >= closes:
                problems.append(
                    f"{french} : la plage {format_clock(opens)}–{format_clock(closes)} est "
                    "inversée ou vide (l'ouverture doit précéder la fermeture)."
                )
                continue
            ranges.append((opens, closes))
        ranges.sort()
        for (a_open, a_close), (b_open, b_close) in pairwise(ranges):
            if b_open < a_close:
                problems.append(
                    f"{french} : les plages {format_clock(a_open)}–{format_clock(a_close)} et "
                    f"{format_clock(b_open)}–{format_clock(b_close)} se chevauchent."
                )
        days.append(tuple(ranges))
    closed: set[date] = set()
    for raw in closed_days:
        try:
            closed.add(date.fromisoformat(str(raw)))
        except ValueError:
            problems.append(
                f"Jour de fermeture illisible ({raw!r}) : format attendu AAAA-MM-JJ, "
                "par exemple 2026-12-24."
            )
    if problems:
        raise InvalidInput(
            "Calendrier du service invalide : " + " ".join(problems),
            details={"problemes": problems},
        )
    return ServiceHours(
        weekly=tuple(days),
        closed_on_public_holidays=bool(closed_on_public_holidays),
        closed_days=frozenset(closed),
    )


def hours_to_json(hours: ServiceHours) -> dict[str, Any]:
    return {
        "weekly": {
            name: [
                {"opens": format_clock(o), "closes": format_clock(c)} for o, c in hours.weekly[i]
            ]
            for i, name in enumerate(WEEKDAYS)
        },
        "closed_on_public_holidays": hours.closed_on_public_holidays,
        "closed_days": sorted(d.isoformat() for d in hours.closed_days),
    }


# --- storage --------------------------------------------------------------------------------


def load_hours(session: Session) -> ServiceHours:
    row = session.get(ServiceCalendar, CALENDAR_ROW_ID)
    if row is None:
        return DEFAULT_HOURS
    return parse_hours(
        row.weekly,
        closed_on_public_holidays=row.closed_on_public_holidays,
        closed_days=row.closed_days,
    )


def save_hours(session: Session, hours: ServiceHours, *, agent_id: int | None) -> ServiceHours:
    """Replace the calendar (one row, created on first save)."""
    data = hours_to_json(hours)
    weekly = {
        name: [[r["opens"], r["closes"]] for r in ranges] for name, ranges in data["weekly"].items()
    }
    row = session.execute(
        select(ServiceCalendar).where(ServiceCalendar.id == CALENDAR_ROW_ID)
    ).scalar_one_or_none()
    if row is None:
        row = ServiceCalendar(id=CALENDAR_ROW_ID)
        session.add(row)
    row.weekly = weekly
    row.closed_on_public_holidays = hours.closed_on_public_holidays
    row.closed_days = data["closed_days"]
    row.updated_at = utcnow()
    row.updated_by = agent_id
    session.flush()
    return hours


# --- evaluation -----------------------------------------------------------------------------


def public_holiday(day: date) -> str | None:
    """The national (metropolitan) public holiday on that day, by its French name, or None."""
    return holiday_name(day, None)


def closure_reason(hours: ServiceHours, day: date) -> str | None:
    """Why the service is closed all that day, or None if it has opening ranges that day."""
    if day in hours.closed_days:
        return "fermeture exceptionnelle"
    if hours.closed_on_public_holidays:
        name = public_holiday(day)
        if name:
            return f"jour férié ({name})"
    if not hours.weekly[day.weekday()]:
        return f"fermé le {FRENCH_DAYS[day.weekday()]}"
    return None


def _local(at: datetime, tz: ZoneInfo) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime")
    return at.astimezone(tz)


def is_open(hours: ServiceHours, at: datetime, tz: ZoneInfo) -> bool:
    local = _local(at, tz)
    if closure_reason(hours, local.date()) is not None:
        return False
    minute = local.hour * 60 + local.minute
    return any(o <= minute < c for o, c in hours.weekly[local.weekday()])


def next_opening(hours: ServiceHours, at: datetime, tz: ZoneInfo) -> datetime | None:
    """The next moment the service opens after `at` (UTC), or None within a year."""
    local = _local(at, tz)
    minute = local.hour * 60 + local.minute
    for offset in range(_LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if closure_reason(hours, day) is not None:
            continue
        for opens, _closes in hours.weekly[day.weekday()]:
            if offset == 0 and opens <= minute:
                continue
            start = datetime.combine(day, time(opens // 60, opens % 60), tzinfo=tz)
            return start.astimezone(UTC)
    return None


# --- French rendering (the directory's phrasing, so offices and the service read alike) -----


def _clock_fr(minutes: int) -> str:
    return say_time(format_clock(minutes))


def describe_hours(hours: ServiceHours) -> str:
    """E.g. « Du lundi au vendredi de 8 h à 20 h ; le samedi de 8 h 30 à 18 h 30 ; fermé le
    dimanche et les jours fériés. »"""
    entries = [
        {"days": [day], "ranges": [[format_clock(o), format_clock(c)] for o, c in ranges]}
        for day, ranges in enumerate(hours.weekly)
        if ranges
    ]
    text = hours_text(entries) or "aucune plage d'ouverture"
    closed_weekdays = [day for day, ranges in enumerate(hours.weekly) if not ranges]
    closed = say_days(closed_weekdays).split(" et ") if closed_weekdays else []
    if hours.closed_on_public_holidays:
        closed.append("les jours fériés")
    if closed:
        listed = ", ".join(closed[:-1]) + " et " + closed[-1] if len(closed) > 1 else closed[0]
        text += " ; fermé " + listed
    return text[0].upper() + text[1:] + "."


# --- the rule for arriving contacts ---------------------------------------------------------


class ServiceClosed(Conflict):
    """A phone contact outside the service's hours."""


def closed_message(hours: ServiceHours, at: datetime, tz: ZoneInfo) -> str:
    message = f"Le service est fermé. Horaires : {describe_hours(hours)}"
    opening = next_opening(hours, at, tz)
    if opening is not None:
        local = opening.astimezone(tz)
        message += (
            f" Réouverture le {FRENCH_DAYS[local.weekday()]} {local.day:d}/{local.month:02d} "
            f"à {_clock_fr(local.hour * 60 + local.minute)}."
        )
    return message


def ensure_accepts(
    session: Session, channel: str, tz: ZoneInfo, at: datetime | None = None
) -> ServiceHours:
    """Phone contacts are refused outside hours (ServiceClosed, 409); written ones always queue."""
    hours = load_hours(session)
    when = at or utcnow()
    if channel == "phone" and not is_open(hours, when, tz):
        raise ServiceClosed(closed_message(hours, when, tz))
    return hours
