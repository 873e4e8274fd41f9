"""The per-process in-memory directory: places, and offices per type with their coordinates.

Built from the database in well under a second and rebuilt only when a dataset's token changes
(an import), so `find` never scans tables: it is a dictionary hit plus a numpy distance pass.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from allo.directory import repository as repo
from allo.directory.places import PlaceIndex
from allo.directory.types import catalog

EARTH_RADIUS_KM = 6371.0088


@dataclass
class TypeOffices:
    """Every office of one type, as parallel arrays (index i = one office)."""

    ids: list[str]
    insee: list[str]
    departements: NDArray[np.str_]
    names: list[str]
    lat: NDArray[np.float64]  # radians, NaN when unknown
    lon: NDArray[np.float64]
    by_insee: dict[str, list[int]] = field(default_factory=dict)
    #: office id → its index
    position: dict[str, int] = field(default_factory=dict)

    def distances_km(self, lat_deg: float | None, lon_deg: float | None) -> NDArray[np.float64]:
        """Great-circle (haversine) distance from a point to every office; NaN when unknown."""
        if lat_deg is None or lon_deg is None:
            return np.full(len(self.ids), np.nan)
        lat0, lon0 = math.radians(lat_deg), math.radians(lon_deg)
        a = (
            np.sin((self.lat - lat0) / 2) ** 2
            + math.cos(lat0) * np.cos(self.lat) * np.sin((self.lon - lon0) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_of(
    offices: TypeOffices, i: int, lat_deg: float | None, lon_deg: float | None
) -> float:
    """Distance to one office (NaN when unknown), without computing the whole type's."""
    lat, lon = float(offices.lat[i]), float(offices.lon[i])
    if lat_deg is None or lon_deg is None or math.isnan(lat) or math.isnan(lon):
        return math.nan
    return haversine_km(lat_deg, lon_deg, math.degrees(lat), math.degrees(lon))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


@dataclass
class DirectoryIndex:
    tokens: tuple[str, ...]
    places: PlaceIndex
    offices: dict[str, TypeOffices]
    #: INSEE code of a current commune → its EPCI (SIREN)
    epci_of: dict[str, str]
    epci_names: dict[str, str]
    #: EPCI (SIREN) → indexes of the `epci` offices seated in one of its communes
    epci_offices: dict[str, list[int]] = field(default_factory=dict)
    #: DILA UUID → office id (territorial competence names offices by UUID)
    by_uuid: dict[str, str] = field(default_factory=dict)

    def count(self, office_type: str) -> int:
        t = self.offices.get(office_type)
        return len(t.ids) if t else 0


def build_index(session: Session, tokens: tuple[str, ...]) -> DirectoryIndex:
    communes = repo.commune_rows(session)
    departements = {d["code"]: d["name"] for d in repo.departement_rows(session)}
    places = PlaceIndex(communes, departements)
    grouped: dict[str, list[tuple[str, str, str, float | None, float | None, str]]] = defaultdict(
        list
    )
    types = catalog()
    by_uuid: dict[str, str] = {}
    for office_id, office_type, insee, dep, lat, lon, name, uuid, others in repo.office_points(
        session
    ):
        row = (office_id, insee, dep, lat, lon, name)
        # Offices published under a code DILA introduced since 2017 join their type's family.
        codes = [types.canonical(office_type)]
        codes += [types.canonical(c) for c in (others or "").split() if c]
        for code in dict.fromkeys(codes):
            grouped[code].append(row)
        if uuid:
            by_uuid[uuid] = office_id
    offices: dict[str, TypeOffices] = {}
    for office_type, rows in grouped.items():
        rows.sort()
        by_insee: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            by_insee[row[1]].append(i)
        offices[office_type] = TypeOffices(
            ids=[r[0] for r in rows],
            insee=[r[1] for r in rows],
            departements=np.array([r[2] for r in rows]),
            names=[r[5] for r in rows],
            lat=np.radians(np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float)),
            lon=np.radians(np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float)),
            by_insee=dict(by_insee),
            position={r[0]: i for i, r in enumerate(rows)},
        )
    epci_of = {
        c["insee"]: c["epci"]
        for c in communes
        if c["epci"] and c["kind"] in ("commune-actuelle", "arrondissement-municipal")
    }
    epci_offices: dict[str, list[int]] = defaultdict(list)
    if "epci" in offices:
        for i, insee in enumerate(offices["epci"].insee):
            if insee in epci_of:
                epci_offices[epci_of[insee]].append(i)
    return DirectoryIndex(
        tokens=tokens,
        places=places,
        offices=offices,
        epci_of=epci_of,
        epci_names=repo.epci_names(session),
        epci_offices=dict(epci_offices),
        by_uuid=by_uuid,
    )
