"""Which offices are competent for a place: pure logic over the in-memory index.

- commune-level types (mairie…): the commune's own office(s); for an arrondissement without its
  own (Marseille's sector town halls cover two), the one whose name names it; for a commune
  déléguée, its own then its commune's; for a commune created after the directory's date, the
  town halls of its former communes. None found → the nearest offices, flagged as such;
- EPCI: the intercommunality the commune belongs to;
- every other type: the nearest offices, those of the caller's département first, by distance.
"""

from __future__ import annotations

import math
import re
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
    #: "commune" (the place's own), "epci", "departement" (nearest in the caller's département),
    #: "nearest" (nearest elsewhere)
    match: str


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
) -> list[tuple[int, float, bool]]:
    distances = offices.distances_km(place.latitude, place.longitude)
    other_dep = offices.departements != place.departement
    unknown = np.isnan(distances)
    order = np.lexsort((np.nan_to_num(distances, nan=np.inf), unknown, other_dep))
    out = []
    for i in order:
        if exclude and int(i) in exclude:
            continue
        out.append((int(i), float(distances[i]), bool(other_dep[i])))
        if len(out) >= limit:
            break
    return out


def select(
    index: DirectoryIndex, catalog: TypeCatalog, place: Place, office_type: OfficeType, limit: int
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
        if scope == "commune":
            own = _own_offices(offices, place, index)
            if own:
                return Selection(
                    code,
                    [
                        Candidate(
                            code,
                            offices.ids[i],
                            _distance(distance_of(offices, i, place.latitude, place.longitude)),
                            "commune",
                        )
                        for i in own[:limit]
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
                Candidate(
                    code,
                    offices.ids[i],
                    _distance(d),
                    "nearest" if other else "departement",
                )
                for i, d, other in nearest
            ],
            notice,
        )
    return Selection(
        requested,
        [],
        f"Aucun organisme de ce type ({office_type.short}) n'est chargé dans l'annuaire.",
    )
