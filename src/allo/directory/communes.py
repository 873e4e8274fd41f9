"""Communes, départements and EPCI from the official COG data (`@etalab/decoupage-administratif`),
and the point each commune is given for distances.

The COG has no coordinates. A commune's point is its town hall's GPS position from the
directory: the point of its own mairie, else the centroid of its other located offices, else
(commune created after the directory's date) the centroid of the points of its former communes,
else its parent's point (arrondissement, commune déléguée). See docs/DATA.md.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from allo.errors import InvalidInput

COMMUNE_KINDS = (
    "commune-actuelle",
    "arrondissement-municipal",
    "commune-deleguee",
    "commune-associee",
)
#: types whose office is the town hall, the best point for a commune
TOWN_HALL_TYPES = ("mairie", "paris_mairie_arrondissement", "paris_mairie", "mairie_com")


def read_json(path: Path) -> Any:
    try:
        if path.name.endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                return json.loads(handle.read())
        return json.loads(path.read_bytes())
    except (OSError, ValueError, EOFError) as exc:
        raise InvalidInput(f"Fichier illisible : {path.name} ({exc.__class__.__name__}).") from exc


def find_sibling(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.json.gz", f"{stem}.json"):
        if (folder / name).is_file():
            return folder / name
    return None


def communes_source(path: Path) -> Path | None:
    """The communes file a path designates (the file itself, or a folder holding it)."""
    if path.is_file() and path.name.startswith("communes") and ".json" in path.name:
        return path
    if path.is_dir():
        return find_sibling(path, "communes")
    return None


def parse_cog(
    communes: list[dict[str, Any]],
    departements: list[dict[str, Any]] | None,
    regions: list[dict[str, Any]] | None,
    epcis: list[dict[str, Any]] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Rows for the commune, département and EPCI tables, plus the problems met."""
    problems: list[str] = []
    membership: dict[str, str] = {}
    epci_rows = []
    for e in epcis or []:
        if not isinstance(e, dict) or not e.get("code"):
            problems.append("EPCI illisible")
            continue
        epci_rows.append(
            {
                "code": str(e["code"]),
                "name": str(e.get("nom") or e["code"]),
                "kind": e.get("type"),
                "population": e.get("populationTotale"),
            }
        )
        for member in e.get("membres") or []:
            if isinstance(member, dict) and member.get("code"):
                membership[str(member["code"])] = str(e["code"])

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    by_code: dict[str, dict[str, Any]] = {}
    for c in communes:
        if not isinstance(c, dict) or not c.get("code") or not c.get("nom"):
            problems.append("commune illisible")
            continue
        kind = c.get("type") or "commune-actuelle"
        if kind not in COMMUNE_KINDS:
            problems.append(f"type de commune inconnu : {kind}")
            continue
        code = str(c["code"])
        parent = c.get("commune") or c.get("chefLieu")
        row = {
            "insee": code,
            "kind": kind,
            "name": str(c["nom"]),
            "parent": str(parent) if parent else None,
            "departement": str(c.get("departement") or code[:2]),
            "region": c.get("region"),
            "postal_codes": sorted(set(c.get("codesPostaux") or [])),
            "former_codes": sorted(set(c.get("anciensCodes") or [])),
            "epci": membership.get(code) if kind == "commune-actuelle" else None,
            "population": c.get("population"),
            "latitude": None,
            "longitude": None,
            "point_source": None,
        }
        rows[(code, kind)] = row
        if kind in ("commune-actuelle", "arrondissement-municipal"):
            by_code.setdefault(code, row)
    # Communes déléguées and associées carry no postal code or EPCI: they share their parent's.
    for row in rows.values():
        parent = by_code.get(row["parent"] or "")
        if parent is None:
            continue
        if row["kind"] in ("commune-deleguee", "commune-associee"):
            row["postal_codes"] = row["postal_codes"] or parent["postal_codes"]
            row["epci"] = parent["epci"]
        elif row["kind"] == "arrondissement-municipal":
            row["epci"] = parent["epci"]

    region_names = {str(r["code"]): str(r.get("nom")) for r in regions or [] if isinstance(r, dict)}
    dep_rows = [
        {
            "code": str(d["code"]),
            "name": str(d.get("nom") or d["code"]),
            "region": d.get("region"),
            "region_name": region_names.get(str(d.get("region"))),
            "chef_lieu": d.get("chefLieu"),
            "zone": d.get("zone"),
        }
        for d in departements or []
        if isinstance(d, dict) and d.get("code")
    ]
    return list(rows.values()), dep_rows, epci_rows, problems


def load_cog(
    path: Path,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Parse communes.json(.gz) and its siblings departements/regions/epci in the same folder."""
    source = communes_source(path)
    if source is None:
        raise InvalidInput(f"Aucun fichier communes.json(.gz) dans {path}.")
    folder = source.parent
    communes = read_json(source)
    if not isinstance(communes, list):
        raise InvalidInput(f"{source.name} : une liste de communes est attendue.")
    extra = {}
    for stem in ("departements", "regions", "epci"):
        sibling = find_sibling(folder, stem)
        extra[stem] = read_json(sibling) if sibling else None
    return parse_cog(communes, extra["departements"], extra["regions"], extra["epci"])


def _centroid(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    pts = list(points)
    if not pts:
        return None
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def compute_points(
    communes: list[dict[str, Any]],
    offices: Iterable[tuple[str, str, str, float | None, float | None]],
) -> dict[tuple[str, str], tuple[float, float, str]]:
    """(insee, kind) → (lat, lon, source) from the located offices (id, type, insee, lat, lon)."""
    town_halls: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    others: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for office_id, office_type, insee, lat, lon in offices:
        if lat is None or lon is None:
            continue
        if office_type in TOWN_HALL_TYPES:
            town_halls[insee].append((office_id, lat, lon))
        else:
            others[insee].append((lat, lon))

    def own_point(code: str) -> tuple[float, float, str] | None:
        halls = sorted(town_halls.get(code, ()))
        if halls:
            main = next((h for h in halls if h[0].endswith("-01")), halls[0])
            return main[1], main[2], "mairie"
        centroid = _centroid(others.get(code, ()))
        return (*centroid, "offices") if centroid else None

    points: dict[tuple[str, str], tuple[float, float, str]] = {}
    ordered = sorted(communes, key=lambda c: COMMUNE_KINDS.index(c["kind"]))
    for c in ordered:
        if c["kind"] in ("commune-actuelle", "arrondissement-municipal"):
            point = own_point(c["insee"])
            if point is None and c["former_codes"]:
                centroid = _centroid(
                    (p[0], p[1]) for p in map(own_point, c["former_codes"]) if p is not None
                )
                point = (*centroid, "former") if centroid else None
            if point is not None:
                points[(c["insee"], c["kind"])] = point
    # Still without a point (town hall without coordinates in the source): the centroid of the
    # located communes sharing its postal code, else of its EPCI's members.
    by_postal: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_epci: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in ordered:
        point = points.get((c["insee"], c["kind"]))
        if point is None or c["kind"] != "commune-actuelle":
            continue
        for cp in c["postal_codes"]:
            by_postal[cp].append((point[0], point[1]))
        if c["epci"]:
            by_epci[c["epci"]].append((point[0], point[1]))
    for c in ordered:
        key = (c["insee"], c["kind"])
        if key in points or c["kind"] != "commune-actuelle":
            continue
        centroid = _centroid(p for cp in c["postal_codes"] for p in by_postal.get(cp, ()))
        if centroid is not None:
            points[key] = (*centroid, "postal")
            continue
        centroid = _centroid(by_epci.get(c["epci"] or "", ()))
        if centroid is not None:
            points[key] = (*centroid, "epci")
    for c in ordered:
        key = (c["insee"], c["kind"])
        if key in points:
            continue
        point = None
        if c["kind"] in ("commune-deleguee", "commune-associee") and c["insee"] != c["parent"]:
            point = own_point(c["insee"])
        if point is None:
            parent = points.get((c["parent"] or "", "commune-actuelle")) or points.get(
                (c["insee"], "commune-actuelle")
            )
            point = (parent[0], parent[1], "parent") if parent else None
        if point is not None:
            points[key] = point
    return points
