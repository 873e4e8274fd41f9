"""French words shared by the domains, the CLI and the pages' filters: day and month names, dates
and times (« 1er mars 2024 », « 13 h 05 »), numbers and counts written the French way (« 1 fiche
ignorée », « 4 233 fiches », « 3,4 s »), so that no message falls back on « fiche(s) », and the
reasons of Pydantic's validation errors, which the library writes in English only (the API's 422
answers, the CLI's « Valeur invalide »).

Lower case, Monday first (index = `date.weekday()`), January first (index = month - 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any

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


def date_fr(value: date | datetime | None) -> str:
    """`1er mars 2024`, `12 mars 2024`."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def time_fr(value: time | datetime | None) -> str:
    """`9 h`, `9 h 30`, `13 h 05`: the French typographic convention."""
    if value is None:
        return ""
    if value.minute == 0:
        return f"{value.hour} h"
    return f"{value.hour} h {value.minute:02d}"


def moment_fr(at: datetime, zone: tzinfo) -> str:
    """`5 décembre 2026 à 23 h 06` in the service's time zone: the database keeps UTC, and an
    editor in Paris reads a version saved at 23 h 06 as such, not as « 22 h 06 »."""
    local = at.astimezone(zone)
    return f"{date_fr(local)} à {time_fr(local)}"


def agreed(count: float, singular: str, plural_form: str | None = None) -> str:
    """The words agreeing with a count: 0 and 1 take the singular in French (« 0 fiche »);
    `plural_form` for anything but an added « s » (« nouveaux », « fiches illisibles »)."""
    return singular if abs(count) < 2 else (plural_form or singular + "s")


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    """`1 résultat`, `2 résultats`, `0 résultat`, `4 233 fiches`."""
    return f"{number_fr(count)} {agreed(count, singular, plural_form)}"


def number_fr(value: int | float) -> str:
    """Thousands separated by a narrow no-break space, decimal comma."""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def decimal_fr(value: float, digits: int = 1) -> str:
    """3.4 → « 3,4 »: a measured value keeps its decimals, with a decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")


def percent_fr(value: float | None, digits: int = 0) -> str:
    """0.564 → « 56 % » (« 56,4 % » with one digit); « — » for no value."""
    if value is None:
        return "—"
    return f"{decimal_fr(value * 100, digits)}\u00a0%"


def size_fr(n: int) -> str:
    """A file's size for an operator: « 512 octets », « 85,3 ko », « 1,2 Mo » (decimal units)."""
    if n < 1000:
        return plural(n, "octet")
    return f"{decimal_fr(n / 1_000_000)} Mo" if n >= 100_000 else f"{decimal_fr(n / 1000)} ko"


def _seen(error: Mapping[str, Any]) -> str:
    """What was typed, quoted and cut: a reason echoes it, never a whole pasted text."""
    text = repr(error.get("input"))
    return text if len(text) <= 40 else text[:39] + "…"


def _choices(error: Mapping[str, Any], key: str = "expected") -> str:
    """Pydantic's list of choices (« 'a', 'b' or 'c' ») with a French « ou »."""
    return str(error["ctx"][key]).replace(" or ", " ou ")


def _own(error: Mapping[str, Any]) -> str:
    """Our validators' own (French) message, without Pydantic's « Value error, »."""
    return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _read(expected: str) -> Callable[[Mapping[str, Any]], str]:
    """« nombre entier attendu, lu 'abc' »: what was expected, then what was typed."""
    return lambda e: f"{expected}, lu {_seen(e)}"


#: Pydantic's error types (stable identifiers, unlike its English messages) → a French reason.
_REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda e: "valeur obligatoire",
    "extra_forbidden": lambda e: "champ inconnu",
    "int_parsing": _read("nombre entier attendu"),
    "int_from_float": _read("nombre entier attendu"),
    "int_type": _read("nombre entier attendu"),
    "float_parsing": _read("nombre attendu (point décimal)"),
    "float_type": _read("nombre attendu"),
    "bool_parsing": _read("oui ou non attendu (true/false)"),
    "bool_type": _read("oui ou non attendu (true/false)"),
    "string_type": _read("texte attendu"),
    "list_type": lambda e: "liste attendue",
    "dict_type": lambda e: "objet attendu",
    "model_type": lambda e: "objet attendu",
    "model_attributes_type": lambda e: "objet attendu",
    "json_invalid": lambda e: "JSON illisible",
    "json_type": lambda e: "JSON attendu",
    "greater_than_equal": lambda e: f"doit être supérieur ou égal à {e['ctx']['ge']}",
    "greater_than": lambda e: f"doit être strictement supérieur à {e['ctx']['gt']}",
    "less_than_equal": lambda e: f"doit être inférieur ou égal à {e['ctx']['le']}",
    "less_than": lambda e: f"doit être strictement inférieur à {e['ctx']['lt']}",
    "enum": lambda e: f"choix attendu parmi {_choices(e)}",
    "literal_error": lambda e: f"choix attendu parmi {_choices(e)}",
    "date_parsing": _read("date attendue (AAAA-MM-JJ)"),
    "date_from_datetime_parsing": _read("date attendue (AAAA-MM-JJ)"),
    "date_from_datetime_inexact": _read("date attendue (AAAA-MM-JJ)"),
    "date_type": _read("date attendue (AAAA-MM-JJ)"),
    "datetime_parsing": _read("date-heure attendue (AAAA-MM-JJTHH:MM)"),
    "datetime_from_date_parsing": _read("date-heure attendue"),
    "datetime_type": _read("date-heure attendue (AAAA-MM-JJTHH:MM)"),
    "time_parsing": _read("heure attendue (HH:MM)"),
    "uuid_parsing": _read("identifiant UUID attendu"),
    "url_parsing": lambda e: "adresse web invalide",
    "url_scheme": lambda e: f"adresse web attendue ({_choices(e, 'expected_schemes')})",
    "string_too_long": lambda e: f"au plus {plural(e['ctx']['max_length'], 'caractère')}",
    "string_too_short": lambda e: f"au moins {plural(e['ctx']['min_length'], 'caractère')}",
    "string_pattern_mismatch": lambda e: "format non reconnu",
    "too_long": lambda e: f"au plus {plural(e['ctx']['max_length'], 'élément')}",
    "too_short": lambda e: f"au moins {plural(e['ctx']['min_length'], 'élément')}",
    "value_error": _own,
    "assertion_error": _own,
}


def validation_reason(error: Mapping[str, Any]) -> str | None:
    """The French reason of one Pydantic error (`ValidationError.errors()`), or None for a type
    not listed here."""
    render = _REASONS.get(str(error.get("type")))
    if render is None:
        return None
    try:
        return render(error)
    except (KeyError, TypeError):
        return None
