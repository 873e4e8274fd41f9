"""French public holidays and local time per département, for opening hours.

Alsace-Moselle (57, 67, 68) adds Good Friday and 26 December; each overseas département or
collectivité has its own abolition-of-slavery day and others. The `holidays` package knows them
by subdivision; this module maps a département code to that subdivision and to its time zone.
"""

from __future__ import annotations

from datetime import date, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

import holidays

#: département (COG / directory folder) → subdivision of holidays.France
_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
    "975": "PM",
    "977": "BL",
    "978": "MF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}

_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "984": "Indian/Kerguelen",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}
METROPOLITAN_ZONE = "Europe/Paris"


def subdivision(departement: str | None) -> str | None:
    return _SUBDIVISIONS.get(departement or "")


@cache
def local_zone(departement: str | None) -> tzinfo:
    """The time zone offices of this département keep their hours in."""
    return ZoneInfo(_ZONES.get(departement or "", METROPOLITAN_ZONE))


@cache
def _calendar(subdiv: str | None, year: int) -> dict[date, str]:
    return dict(holidays.France(subdiv=subdiv, years=year, language="fr").items())


def holiday_name(day: date, departement: str | None) -> str | None:
    """The French name of the public holiday on `day` where the département lies, or None."""
    return _calendar(subdivision(departement), day.year).get(day)
