"""Which offices are competent for a place: pure logic over the in-memory index.

- commune-level types (mairie…): the commune's own office(s); for an arrondissement without its
  own (Marseille's sector town halls cover two), the one whose name names it; for a commune
  déléguée, its own then its commune's; for a commune created after the directory's date, the
  town halls of its former communes. None found → the nearest offices, flagged as such;
- EPCI: the intercommunality the commune belongs to;
- every other type: the nearest offices, those of the caller's département first, an office
  located in the caller's own commune before any other (even without a GPS point), by distance;
- whatever the type, when DILA's territorial competence names the offices serving the commune
  ("compétence géographique des services locaux"), those come first, marked « compétent pour
  votre commune », then the nearest others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from allo.directory.index import DirectoryIndex, TypeOffices, distance_of
from allo.directory.places import Place
from allo.directory.text import fold
from allo.directory.types import OfficeType, TypeCatalog

_ORDINAL = re.compile(r"\b(\d{1,2})\s*(?:er|e|eme)\b")


@dataclass(frozen=True)
class Candidate:
    office_type: str
    office_id: str
    distance_km: float | None
    #: "competent" (named by the territorial competence), "commune" (the place's own), "epci",
    #: "departement" (nearest in the caller's département), "nearest" (nearest elsewhere)
    match: str
    #: what to tell the caller about this office, in French ("Mairie déléguée"…)
    label: str | None = None


#: (INSEE code, type code) → the services (UUIDs or office ids) competent for that commune
CompetenceLookup = Callable[[str, str], list[str]]

COMPETENT = "Compétent pour votre commune"
_TOWN_HALLS = ("mairie", "mairie_com")


@dataclass
class Selection:
    office_type: str
    candidates: list[Candidate]
    notice: str | None = None


def _distance(d: float) -> float | None:
    return None if math.isnan(d) else round(float(d), 1)


def _own_offices(offices: TypeOffices, place: Place, index: DirectoryIndex) -> list[int]:
    """Indexes of the offices that belong to the place itself (commune-level types)."""
    name = fold(place.name)

    def at(code: str) -> list[int]:
        found = offices.by_insee.get(code, [])
        # The main town hall first: its name names the commune; then by identifier.
        return sorted(found, key=lambda i: (name not in fold(offices.names[i]), offices.ids[i]))

    if place.kind in ("commune-deleguee", "commune-associee"):
        if place.insee != place.parent:
            own = at(place.insee)
            if own:
                return own
        parent_offices = at(place.parent or place.insee)
        named = [i for i in parent_offices if name in fold(offices.names[i])]
        return named or parent_offices
    own = at(place.insee)
    if own:
        return own
    if place.kind == "arrondissement-municipal" and place.parent:
        number = int(place.insee[-2:]) if place.parent != "69123" else int(place.insee[-1])
        city_codes = [place.parent] + [
            a.insee for a in index.places.arrondissements.get(place.parent, ())
        ]
        for code in city_codes:
            for i in offices.by_insee.get(code, []):
                numbers = {int(n) for n in _ORDINAL.findall(fold(offices.names[i]))}
                if number in numbers:
                    return [i]
        return at(place.parent)
    former = [i for code in place.former_codes for i in at(code)]
    return former


def _nearest(
    offices: TypeOffices, place: Place, limit: int, exclude: set[int] | None = None
) -> list[tuple[int, float, bool, bool]]:
    """(index, distance, in another département, in the caller's commune), best first."""
    distances = offices.distances_km(place.latitude, place.longitude)
    other_dep = offices.departements != place.departement
    unknown = np.isnan(distances)
    elsewhere = np.ones(len(offices.ids), dtype=bool)
    elsewhere[offices.by_insee.get(place.insee, [])] = False
    order = np.lexsort((np.nan_to_num(distances, nan=np.inf), unknown, elsewhere, other_dep))
    out = []
    for i in order:
        if exclude and int(i) in exclude:
            continue
        out.append((int(i), float(distances[i]), bool(other_dep[i]), not bool(elsewhere[i])))
        if len(out) >= limit:
            break
    return out


def _town_hall_labels(code: str, count: int, prefix: str = "") -> list[str | None]:
    """A commune nouvelle's town halls: the main one, then the mairies déléguées."""
    if code not in _TOWN_HALLS or count < 2:
        return [prefix or None] * count
    joiner = " — " if prefix else ""
    main: list[str | None] = [f"{prefix}{joiner}mairie principale".capitalize()]
    return main + [f"{prefix}{joiner}mairie déléguée".capitalize()] * (count - 1)


def _competent(
    offices: TypeOffices,
    index: DirectoryIndex,
    place: Place,
    code: str,
    lookup: CompetenceLookup,
) -> list[int]:
    """Indexes of the offices the territorial competence names for the place, main first."""
    codes = [place.insee] + [c for c in (place.parent,) if c and c != place.insee]
    name = fold(place.name)
    for insee in codes:
        found = []
        for service in lookup(insee, code):
            office_id = index.by_uuid.get(service, service)
            i = offices.position.get(office_id)
            if i is not None and i not in found:
                found.append(i)
        if found:
            return sorted(
                found,
                key=lambda i: (
                    offices.insee[i] != place.insee,
                    name not in fold(offices.names[i]),
                    offices.ids[i],
                ),
            )
    return []


def select(
    index: DirectoryIndex,
    catalog: TypeCatalog,
    place: Place,
    office_type: OfficeType,
    limit: int,
    competence: CompetenceLookup | None = None,
) -> Selection:
    """The competent offices of `office_type` for `place`, best first, at most `limit`."""
    requested = office_type.code
    notice = None
    types_to_try = [requested]
    if place.departement == "75" and requested in catalog.paris_substitutes:
        types_to_try = [*catalog.paris_substitutes[requested], requested]
    elif office_type.paris and place.departement != "75":
        notice = "Ce type d'organisme n'existe qu'à Paris : les plus proches sont indiqués."

    for code in types_to_try:
        offices = index.offices.get(code)
        t = catalog.get(code)
        if offices is None or not offices.ids:
            continue
        scope = t.scope if t else None
        named = _competent(offices, index, place, code, competence) if competence else []
        if named:
            named = named[:limit]
            labels = _town_hall_labels(code, len(named), COMPETENT)
            first = [
                Candidate(
                    code,
                    offices.ids[i],
                    _distance(distance_of(offices, i, place.latitude, place.longitude)),
                    "competent",
                    label,
                )
                for i, label in zip(named, labels, strict=True)
            ]
            others = _nearest(offices, place, limit - len(first), exclude=set(named))
            return Selection(
                code,
                first
                + [
                    Candidate(code, offices.ids[i], _distance(d), _match(other, own))
                    for i, d, other, own in (others if len(first) < limit else [])
                ],
                notice,
            )
        if scope == "commune":
            own = _own_offices(offices, place, index)
            if own:
                own = own[:limit]
                return Selection(
                    code,
                    [
                        Candidate(
                            code,
                            offices.ids[i],
                            _distance(distance_of(offices, i, place.latitude, place.longitude)),
                            "commune",
                            label,
                        )
                        for i, label in zip(own, _town_hall_labels(code, len(own)), strict=True)
                    ],
                    notice,
                )
            if code != types_to_try[-1]:
                continue
            notice = (
                f"Aucune {t.short.lower() if t else code} propre à {place.name} dans l'annuaire : "
                "les plus proches sont indiquées."
            )
        elif scope == "epci" and place.epci:
            distances = offices.distances_km(place.latitude, place.longitude)
            members = list(index.epci_offices.get(place.epci, ())) if code == "epci" else []
            members.sort(key=lambda i: (math.isnan(distances[i]), distances[i]))
            if members:
                return Selection(
                    code,
                    [
                        Candidate(code, offices.ids[i], _distance(distances[i]), "epci")
                        for i in members[:limit]
                    ],
                    notice,
                )
        nearest = _nearest(offices, place, limit)
        return Selection(
            code,
            [
                Candidate(code, offices.ids[i], _distance(d), _match(other, own))
                for i, d, other, own in nearest
            ],
            notice,
        )
    return Selection(
        requested,
        [],
        f"Aucun organisme de ce type ({office_type.short}) n'est chargé dans l'annuaire.",
    )


def _match(other_departement: bool, own_commune: bool) -> str:
    if own_commune:
        return "commune"
    return "nearest" if other_departement else "departement"
