"""How an office of the directory is shown: the card used by the fiche's "Où s'adresser ?" box,
the directory page and the advisor's orientation panel.

Built from the directory service's office dict (allo.directory.views.office_dict), so the pages
never read the directory's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allo.web.pages._base import doc

DAY_NAMES = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
_DAY_INDEX = {name.lower(): i for i, name in enumerate(DAY_NAMES)}


@dataclass(frozen=True)
class DayHours:
    """One line of an office's weekly hours table."""

    day: str = field(metadata=doc("Day name in French (Lundi…)."))
    text: str = field(metadata=doc("Opening ranges said in French, or « Fermé »."))
    today: bool = field(metadata=doc("Whether this line is today (highlighted)."))


@dataclass(frozen=True)
class OfficeView:
    """An office card: how to reach it and whether it is open now."""

    id: str = field(metadata=doc("Directory identifier (for the orientation form)."))
    name: str = field(metadata=doc("Name of the office."))
    type_label: str = field(metadata=doc("Type of office in French (Mairie, CAF…)."))
    address: list[str] = field(metadata=doc("Address lines, street first, then postcode and city."))
    phone: str = field(metadata=doc("Phone number, empty when unknown."))
    phone_cost: str = field(metadata=doc("Cost note of a surcharged number, or empty."))
    email: str = field(metadata=doc("Email address, or empty."))
    url: str = field(metadata=doc("Website, or empty."))
    contact_url: str = field(metadata=doc("Contact form URL, or empty."))
    distance: str = field(metadata=doc("Distance from the commune asked about (« 2,1 km »)."))
    open: bool | None = field(metadata=doc("Open now (True/False); None when hours are unknown."))
    status: str = field(metadata=doc("Open-now sentence: « Ferme à 17 h », « Ouvre lundi à 9 h »."))
    week: list[DayHours] = field(metadata=doc("Hours per weekday, Monday first; empty if unknown."))
    hours_notes: list[str] = field(metadata=doc("Notes on the hours from the source."))
    accessibility: str = field(metadata=doc("Wheelchair access information, or empty."))
    match_label: str = field(
        default="",
        metadata=doc(
            "Why this office is listed: « Compétent pour votre commune », « Mairie déléguée »…"
        ),
    )
    other_phones: list[str] = field(
        default_factory=list,
        metadata=doc("Further phone numbers, each with its description (« 01 … — Standard »)."),
    )
    url_service_public: str = field(
        default="", metadata=doc("The office's page on lannuaire.service-public.gouv.fr, or empty.")
    )


@dataclass(frozen=True)
class OfficeGroup:
    """The competent offices of one type for a place."""

    label: str = field(metadata=doc("Type of office in French."))
    notice: str = field(metadata=doc("French explanation when the answer is approximate."))
    offices: list[OfficeView] = field(metadata=doc("Closest competent office first."))


@dataclass(frozen=True)
class PlaceChoice:
    """A commune the reader may have meant, offered as a link."""

    label: str = field(metadata=doc("« Saint-Étienne (42) »."))
    value: str = field(metadata=doc("What to send as the place to pick it (« insee:42218 »)."))


def place_choices(places: list[dict[str, Any]]) -> list[PlaceChoice]:
    return [
        PlaceChoice(p.get("label") or p.get("name") or "", "insee:" + p["insee"])
        for p in places
        if p.get("insee")
    ]


@dataclass(frozen=True)
class PlaceAnswer:
    """Offices found for a place, or why none could be."""

    place: str = field(metadata=doc("The commune understood, e.g. « Saint-Étienne (42) »."))
    alternatives: list[PlaceChoice] = field(
        metadata=doc("Other communes the text could mean (same postal code…).")
    )
    groups: list[OfficeGroup] = field(metadata=doc("One group per office type."))


def _distance(km: float | None) -> str:
    if km is None:
        return ""
    if km < 1:
        return "à moins d’un kilomètre"
    return f"à {km:.1f} km".replace(".", ",")


def _range_text(ranges: list[tuple[str, str]]) -> str:
    def say(hhmm: str) -> str:
        if hhmm in ("24:00", "00:00"):
            return "minuit"
        hour, minute = int(hhmm[:2]), int(hhmm[3:5])
        return f"{hour} h" if minute == 0 else f"{hour} h {minute:02d}"

    return " et ".join(f"{say(a)} – {say(b)}" for a, b in ranges)


def week_table(hours: list[dict[str, Any]], today: int | None) -> list[DayHours]:
    """Per weekday, the ranges of the office's hours entries (days as French names)."""
    per_day: list[list[tuple[str, str]]] = [[] for _ in range(7)]
    for entry in hours:
        for day in entry.get("days", []):
            index = _DAY_INDEX.get(str(day).lower())
            if index is None:
                continue
            per_day[index].extend((r["start"], r["end"]) for r in entry.get("ranges", []))
    if not any(per_day):
        return []
    return [
        DayHours(
            day=DAY_NAMES[i],
            text=_range_text(sorted(set(ranges))) if ranges else "Fermé",
            today=(i == today),
        )
        for i, ranges in enumerate(per_day)
    ]


def _status(office: dict[str, Any]) -> str:
    if office.get("open") is None:
        return "Horaires non communiqués"
    if office["open"]:
        closes = office.get("closes_at_text")
        return f"Ouvert · ferme à {closes}" if closes else "Ouvert"
    text = "Fermé"
    if office.get("holiday"):
        text += f" ({office['holiday']})"
    if office.get("next_opening_text"):
        text += f" · ouvre {office['next_opening_text']}"
    return text


def _accessibility(value: Any) -> str:
    if isinstance(value, dict):
        label, detail = value.get("label") or "", value.get("detail") or ""
        return f"{label} ({detail})" if label and detail else label or detail
    return str(value or "")


def office_view(office: dict[str, Any], at: datetime | None = None) -> OfficeView:
    address = office.get("address") or {}
    lines = list(address.get("lines") or [])
    city = " ".join(x for x in (address.get("postal_code"), address.get("city")) if x)
    if city:
        lines.append(city)
    at_day = at.weekday() if at is not None else None
    return OfficeView(
        id=str(office["id"]),
        name=office.get("name") or "",
        type_label=office.get("type_label") or "",
        address=lines,
        phone=office.get("phone") or "",
        phone_cost=office.get("phone_cost") or "",
        email=office.get("email") or "",
        url=office.get("url") or "",
        contact_url=office.get("contact_url") or "",
        distance=_distance(office.get("distance_km")),
        open=office.get("open"),
        status=_status(office),
        week=week_table(office.get("hours") or [], at_day),
        hours_notes=list(office.get("hours_notes") or []),
        accessibility=_accessibility(office.get("accessibility")),
        match_label=office.get("match_label") or "",
        other_phones=[
            p["number"] + (f" — {p['description']}" if p.get("description") else "")
            for p in (office.get("phones") or [])[1:]
            if p.get("number")
        ],
        url_service_public=_https(office.get("url_service_public")),
    )


def _https(url: Any) -> str:
    """A link from the data, only when it is a plain https address."""
    return url if isinstance(url, str) and url.startswith("https://") else ""


def moment_of(result: dict[str, Any]) -> datetime | None:
    at = result.get("at")
    return datetime.fromisoformat(at) if isinstance(at, str) else None


def place_answer(result: dict[str, Any], groups: list[dict[str, Any]]) -> PlaceAnswer:
    place = result.get("place") or {}
    at = moment_of(result)
    return PlaceAnswer(
        place=place.get("label") or place.get("name") or "",
        alternatives=place_choices(list(place.get("alternatives") or [])),
        groups=[
            OfficeGroup(
                label=g.get("label") or "",
                notice=g.get("notice") or "",
                offices=[office_view(o, at) for o in g.get("offices") or []],
            )
            for g in groups
        ],
    )


def search_orientation(runtime: Any, query: str) -> tuple[str, PlaceAnswer | None]:
    """A search naming an office type and a place ("caf lyon"): the query for the fiche search
    (without the place words) and the competent offices card; the query unchanged otherwise."""
    from allo.directory.services import get_directory
    from allo.errors import AlloError
    from allo.search.service import get_search_service

    try:
        rest, result = get_directory(runtime).for_query(
            None, query, ordinary=get_search_service(runtime).is_ordinary_word
        )
    except AlloError:
        return query, None  # the directory cannot answer: the fiches still can
    if result is None:
        return query, None
    group = {"label": result["type"]["label"], "notice": result.get("notice") or ""}
    return rest, place_answer(result, [{**group, "offices": result["offices"]}])
