"""Opening hours: normalising the source's `Ouverture`, saying them in French, and evaluating them.

Normalised form (stored as JSON): a list of entries
`{"days": [0..6], "ranges": [["09:00", "12:00"], …], "note": str | None}` (0 = Monday).
Evaluation happens in the office's local time (Europe/Paris in metropolitan France, the
overseas zone otherwise) and honours the public holidays of its département.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from allo.directory.public_holidays import holiday_name, local_zone
from allo.french import DAYS, MONTHS

_DAY_INDEX = {d: i for i, d in enumerate(DAYS)}
_TIME = re.compile(r"^(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")

Entry = dict[str, Any]


@dataclass
class HoursParse:
    """Normalised entries plus what was repaired (`fixes`) and what could not be (`problems`)."""

    entries: list[Entry]
    fixes: list[str]
    problems: list[str]


def as_list(value: Any) -> list[Any]:
    """The source turns a repeated XML element into an object when it occurs once."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def parse_time(value: Any) -> tuple[str | None, str | None]:
    """("HH:MM", fix) from the source's time text; (None, None) when unusable.

    Accepts the well-formed `09:00:00` and the quirks seen in the data: a leading quote
    (`'09:00:00`), a missing leading zero (`9:00:00`) and 12-hour clock (`2:00:00 PM`).
    """
    if not isinstance(value, str):
        return None, None
    if len(value) == 8 and value[2] == ":" and value[5] == ":" and value[:2].isdigit():
        hour = int(value[:2])  # the well-formed "HH:MM:SS", nearly every value
        if hour < 24 and value[3:5].isdigit() and int(value[3:5]) < 60:
            return value[:5], None
    text = value.strip()
    fix = None
    if text.startswith(("'", "’", '"')):
        text = text.lstrip("'’\"").strip()
        fix = "apostrophe devant l'heure"
    m = _TIME.match(text)
    if not m:
        return None, None
    hour, minute, meridian = int(m.group(1)), int(m.group(2)), m.group(4)
    if meridian:
        if hour < 1 or hour > 12:
            return None, None
        hour = hour % 12 + (12 if meridian.lower() == "pm" else 0)
        fix = "heure au format AM/PM"
    elif len(m.group(1)) == 1:
        fix = fix or "heure sans zéro initial"
    if hour == 24 and minute == 0:
        return "24:00", fix
    if hour > 23 or minute > 59:
        return None, None
    return f"{hour:02d}:{minute:02d}", fix


def _day_span(start: int, end: int) -> list[int]:
    if start <= end:
        return list(range(start, end + 1))
    return list(range(start, 7)) + list(range(0, end + 1))  # e.g. samedi → lundi


def parse_opening(raw: Any) -> HoursParse:
    """Normalise the source's `Ouverture` object; never raises, whatever the input."""
    entries: list[Entry] = []
    fixes: list[str] = []
    problems: list[str] = []
    if raw in (None, "", {}):
        return HoursParse(entries, fixes, problems)
    if not isinstance(raw, dict):
        return HoursParse(entries, fixes, ["horaires illisibles"])
    for plage in as_list(raw.get("PlageJ")):
        if not isinstance(plage, dict):
            problems.append("plage de jours illisible")
            continue
        note = plage.get("Note")
        note = note.strip() if isinstance(note, str) and note.strip() else None
        first, last = _day(plage.get("début")), _day(plage.get("fin"))
        ranges: list[list[str]] = []
        for h in as_list(plage.get("PlageH")):
            if not isinstance(h, dict):
                problems.append("plage horaire illisible")
                continue
            start, fix = parse_time(h.get("début"))
            if fix:
                fixes.append(fix)
            end, fix = parse_time(h.get("fin"))
            if fix:
                fixes.append(fix)
            if start is None or end is None:
                problems.append("heure manquante ou illisible")
                note = _join(note, f"plage horaire incomplète dans la source ({_raw_range(h)})")
            elif start == end:
                if start != "00:00":
                    problems.append("plage horaire vide")
                    note = _join(note, f"plage horaire vide dans la source ({start})")
            elif end < start and end != "00:00":
                problems.append("plage horaire inversée")
                note = _join(note, f"plage horaire inversée dans la source ({start}–{end})")
            else:
                ranges.append([start, "24:00" if end == "00:00" else end])
        if first is None and last is None:
            problems.append("jours manquants")
            raw_ranges = ", ".join(
                _raw_range(h) for h in as_list(plage.get("PlageH")) if isinstance(h, dict)
            )
            note = _join(note, "jours non précisés dans la source : " + raw_ranges)
            if note:
                entries.append({"days": [], "ranges": [], "note": note})
            continue
        if first is None or last is None:
            # Only one end of the day range: which days are meant is not clear, so keep it as a note.
            known = DAYS[first if first is not None else last]  # type: ignore[index]
            problems.append("jour de début ou de fin manquant")
            note = _join(
                note,
                f"à partir du {known} (jour de fin non précisé dans la source) : "
                + ", ".join(_say_range(r) for r in ranges),
            )
            entries.append({"days": [], "ranges": [], "note": note})
            continue
        entries.append({"days": _day_span(first, last), "ranges": sorted(ranges), "note": note})
    return HoursParse(entries, fixes, problems)


def _day(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    found = _DAY_INDEX.get(value)
    return found if found is not None else _DAY_INDEX.get(value.strip().lower())


def _raw_range(h: dict[str, Any]) -> str:
    return f"{h.get('début') or '?'}–{h.get('fin') or '?'}"


def _join(note: str | None, extra: str) -> str:
    return f"{note} ; {extra}" if note else extra


# ---------------------------------------------------------------------------- rendering in French


def say_time(hhmm: str) -> str:
    """ "09:00" → "9 h", "13:30" → "13 h 30", "24:00" → "minuit"."""
    if hhmm in ("24:00", "00:00"):
        return "minuit"
    hour, minute = int(hhmm[:2]), int(hhmm[3:5])
    return f"{hour} h" if minute == 0 else f"{hour} h {minute:02d}"


def _say_range(r: Sequence[str]) -> str:
    return f"de {say_time(r[0])} à {say_time(r[1])}"


def _say_list(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def say_days(days: Iterable[int]) -> str:
    """[0,1,2,3,4] → "du lundi au vendredi"; [0,2] → "le lundi et le mercredi"."""
    ordered = sorted(set(days))
    if len(ordered) == 7:
        return "tous les jours"
    runs: list[list[int]] = []
    for d in ordered:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"du {DAYS[run[0]]} au {DAYS[run[-1]]}")
        else:
            parts.extend(f"le {DAYS[d]}" for d in run)
    return _say_list(parts)


Week = list[list[tuple[str, str]]]


def week_schedule(entries: Sequence[Entry]) -> Week:
    """Per weekday, the merged opening ranges (overlapping or touching ranges joined)."""
    week: list[list[tuple[str, str]]] = [[] for _ in range(7)]
    for e in entries:
        for d in e.get("days", ()):
            if 0 <= d <= 6:
                week[d].extend((r[0], r[1]) for r in e.get("ranges", ()))
    merged_week: list[list[tuple[str, str]]] = []
    for ranges in week:
        merged: list[tuple[str, str]] = []
        for start, end in sorted(set(ranges)):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        merged_week.append(merged)
    return merged_week


def hours_text(entries: Sequence[Entry], week: Week | None = None) -> str:
    """The week said the way a person says it, days grouped by identical hours.

    "du lundi au vendredi de 9 h à 12 h et de 14 h à 17 h ; le samedi de 9 h à 12 h"
    """
    week = week_schedule(entries) if week is None else week
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for day, ranges in enumerate(week):
        if ranges:
            groups.setdefault(tuple(ranges), []).append(day)
    phrases = [
        f"{say_days(days)} {_say_list([_say_range(r) for r in ranges])}"
        for ranges, days in sorted(groups.items(), key=lambda item: item[1][0])
    ]
    return " ; ".join(phrases)


def hours_notes(entries: Sequence[Entry]) -> list[str]:
    seen: list[str] = []
    for e in entries:
        note = e.get("note")
        if note and note not in seen:
            seen.append(note)
    return seen


def say_datetime(moment: datetime, reference: datetime | None = None) -> str:
    """ "lundi 28 décembre à 9 h" (the year only when it differs from the reference's)."""
    text = f"{DAYS[moment.weekday()]} {moment.day}{'er' if moment.day == 1 else ''} {MONTHS[moment.month - 1]}"
    if reference is not None and reference.year != moment.year:
        text += f" {moment.year}"
    return f"{text} à {say_time(moment.strftime('%H:%M'))}"


# ----------------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class OpenStatus:
    """Whether an office is open at a moment; `open` is None when its hours are unknown."""

    open: bool | None
    closes_at: datetime | None = None
    next_opening: datetime | None = None
    holiday: str | None = None

    def to_dict(self, reference: datetime | None = None) -> dict[str, Any]:
        return {
            "open": self.open,
            "closes_at": self.closes_at.isoformat() if self.closes_at else None,
            "closes_at_text": say_time(self.closes_at.strftime("%H:%M"))
            if self.closes_at
            else None,
            "next_opening": self.next_opening.isoformat() if self.next_opening else None,
            "next_opening_text": say_datetime(self.next_opening, reference)
            if self.next_opening
            else None,
            "holiday": self.holiday,
        }


def _at(day: date, hhmm: str, zone: Any) -> datetime:
    if hhmm == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, time(int(hhmm[:2]), int(hhmm[3:5])), tzinfo=zone)


def status(
    entries: Sequence[Entry], at: datetime, departement: str | None, week: Week | None = None
) -> OpenStatus:
    """Open or closed at `at` (aware), with closing time or next opening, holidays honoured."""
    week = week_schedule(entries) if week is None else week
    if not any(week):
        return OpenStatus(open=None)
    zone = local_zone(departement)
    local = at.astimezone(zone)
    today = local.date()
    now = local.strftime("%H:%M")
    holiday = holiday_name(today, departement)
    if holiday is None:
        for start, end in week[today.weekday()]:
            if start <= now < end:
                return OpenStatus(open=True, closes_at=_at(today, end, zone))
    for offset in range(0, 22):
        day = today + timedelta(days=offset)
        if holiday_name(day, departement):
            continue
        for start, _end in week[day.weekday()]:
            if offset == 0 and start <= now:
                continue
            return OpenStatus(open=False, next_opening=_at(day, start, zone), holiday=holiday)
    return OpenStatus(open=False, holiday=holiday)
