"""French words shared by the domains, the CLI and the pages' filters: day and month names,
numbers and counts written the French way (« 1 fiche ignorée », « 4 233 fiches »), so that no
message falls back on « fiche(s) ».

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


def agreed(count: int, singular: str, plural_form: str | None = None) -> str:
    """The words agreeing with a count: 0 and 1 take the singular in French (« 0 fiche »);
    `plural_form` for anything but an added « s » (« nouveaux », « fiches illisibles »)."""
    return singular if abs(count) < 2 else (plural_form or singular + "s")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 résultat`, `2 résultats`, `0 résultat`, `4 233 fiches`."""
    return f"{number_fr(count)} {agreed(count, singular, plural_form)}"


def number_fr(value: int | float) -> str:
    """Thousands separated by a narrow no-break space, decimal comma."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")
