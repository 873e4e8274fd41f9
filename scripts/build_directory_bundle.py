"""Build the directory data shipped in src/allo/data/directory/ from the full open data.

    .venv/bin/python scripts/build_directory_bundle.py [--data ../shared/data]

Inputs: the DILA directory archive (annuaire-bdl-2017.tar.xz) and the COG files
(communes/departements/regions/epci.json.gz). Outputs, deterministic (same input → same bytes):

- communes.json.xz: every commune of the COG with its postal codes, EPCI, population and the
  point computed from the *full* directory (town hall GPS; see allo.directory.communes);
- offices.json.xz: the subset of offices chosen by RULE below, already normalised.
"""

from __future__ import annotations

import argparse
import json
import lzma
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from allo.directory.communes import compute_points, load_cog  # noqa: E402
from allo.directory.importer import ImportReport, normalise_files  # noqa: E402
from allo.directory.records import RECORD_FIELDS, serialise_json_fields  # noqa: E402
from allo.directory.repository import COMMUNE_COLUMNS  # noqa: E402
from allo.directory.source import iter_source  # noqa: E402

OUT = ROOT / "src" / "allo" / "data" / "directory"
#: every mairie of these départements (used by the tests and the demonstrations)
FULL_DEPARTEMENTS = ("13", "42", "57", "69", "971")
MIN_POPULATION = 2000
RULE = (
    "Every office of every type except 'mairie'; the 'mairie' offices of communes of at least "
    f"{MIN_POPULATION} inhabitants, and every 'mairie' of départements "
    + ", ".join(FULL_DEPARTEMENTS)
    + "."
)


def _table(columns: tuple[str, ...], rows: list[dict[str, object]]) -> dict[str, object]:
    return {"columns": list(columns), "rows": [[r.get(c) for c in columns] for r in rows]}


def _write(path: Path, payload: dict[str, object]) -> int:
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    path.write_bytes(lzma.compress(raw, preset=9 | lzma.PRESET_EXTREME))
    return path.stat().st_size


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    report = ImportReport()
    records = sorted(
        normalise_files(iter_source(args.data / "annuaire-bdl-2017.tar.xz"), report),
        key=lambda r: r["id"],
    )
    communes, departements, epcis, problems = load_cog(args.data / "communes.json.gz")
    points = compute_points(
        communes,
        [(r["id"], r["type"], r["insee"], r["latitude"], r["longitude"]) for r in records],
    )
    for c in communes:
        point = points.get((c["insee"], c["kind"]))
        if point is not None:
            c["latitude"], c["longitude"] = round(point[0], 6), round(point[1], 6)
            c["point_source"] = point[2]
    communes.sort(key=lambda c: (c["insee"], c["kind"]))
    population = {
        c["insee"]: c["population"] or 0 for c in communes if c["kind"] == "commune-actuelle"
    }

    def keep(r: dict[str, object]) -> bool:
        if r["type"] != "mairie":
            return True
        return (
            r["departement"] in FULL_DEPARTEMENTS
            or population.get(str(r["insee"]), 0) >= MIN_POPULATION
        )

    # JSON columns are stored as the JSON text the database will hold: loading the bundle is
    # then a plain bulk insert (see allo.directory.bundled).
    subset = [serialise_json_fields(dict(r)) for r in records if keep(r)]
    source = "DILA / service-public.fr, Licence Ouverte 2.0; INSEE COG via @etalab/decoupage-administratif"
    size_c = _write(
        OUT / "communes.json.xz",
        {
            "source": source,
            "communes": _table(COMMUNE_COLUMNS, communes),
            "departements": _table(
                ("code", "name", "region", "region_name", "chef_lieu", "zone"), departements
            ),
            "epcis": _table(("code", "name", "kind", "population"), epcis),
        },
    )
    size_o = _write(
        OUT / "offices.json.xz",
        {
            "source": source,
            "rule": RULE,
            "offices": _table(RECORD_FIELDS, subset),
        },
    )
    sources = Counter(c["point_source"] for c in communes)
    _say(f"communes: {len(communes)} ({size_c / 1024:.0f} KiB), points: {dict(sources)}")
    _say(f"offices: {len(subset)} of {len(records)} ({size_o / 1024:.0f} KiB)")
    _say(f"rule: {RULE}")
    if problems:
        _say(f"COG problems: {Counter(problems)}")


if __name__ == "__main__":
    main()
