"""Jinja filters for French presentation: dates, times, counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup, escape

from allo.french import DAYS as WEEKDAYS
from allo.french import agreed, date_fr, number_fr, percent_fr, plural, time_fr


def weekday_fr(value: date | datetime | int) -> str:
    index = value if isinstance(value, int) else value.weekday()
    return WEEKDAYS[index]


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
