"""French day and month names, shared by the domains (opening hours) and the pages' filters.

Lower case, Monday first (index = `date.weekday()`), January first (index = month - 1).
"""

from __future__ import annotations

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
