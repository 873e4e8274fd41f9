"""Jinja filters for French presentation: dates, times, counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape

from allo.french import DAYS as WEEKDAYS
from allo.french import MONTHS, agreed, number_fr, percent_fr, plural


def date_fr(value: date | datetime | None) -> str:
    """`1er mars 2024`, `12 mars 2024`."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def weekday_fr(value: date | datetime | int) -> str:
    index = value if isinstance(value, int) else value.weekday()
    return WEEKDAYS[index]


def time_fr(value: time | datetime | None) -> str:
    """`9 h`, `9 h 30`, `13 h 05`: the French typographic convention."""
    if value is None:
        return ""
    if value.minute == 0:
        return f"{value.hour} h"
    return f"{value.hour} h {value.minute:02d}"


def duration_fr(value: timedelta | float | int | None) -> str:
    """A waiting time: `45 s`, `3 min 20 s`, `1 h 05 min`."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def masked(parts: Any) -> Markup:
    """Stored free text cut in pieces (allo.web.pages._console.TextPart): what the redaction
    replaced is shown as a <mark> saying what it hides."""
    out = []
    for part in parts or ():
        if part.masked:
            out.append(
                f'<mark class="allo-masque" title="{escape(part.masked)} masqué">'
                f"{escape(part.text)}"
                f'<span class="fr-sr-only"> ({escape(part.masked)} masqué)</span></mark>'
            )
        else:
            out.append(str(escape(part.text)))
    return Markup("".join(out))  # noqa: S704 — every piece is escaped above


FILTERS: dict[str, Callable[..., Any]] = {
    "masked": masked,
    "date_fr": date_fr,
    "weekday_fr": weekday_fr,
    "time_fr": time_fr,
    "duration_fr": duration_fr,
    "plural": plural,
    "agreed": agreed,
    "number_fr": number_fr,
    "percent_fr": percent_fr,
}
