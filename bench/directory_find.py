"""`find` and place resolution latency, in-process, over the full directory (SQLite).

    .venv/bin/python -m bench.directory_find [--queries 2000]

Targets: find p99 ≤ 5 ms; place resolution of a loosely typed name p99 ≤ 5 ms.
Baselines in the same run: resolution by a naive linear scan over the communes (folding each
name on the fly), and find by a naive scan (every office of the type read from the database,
haversine in Python, sorted). Results: docs/benchmarks/directory.md.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import time
from pathlib import Path

from sqlalchemy import select

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.directory import repository as repo
from allo.directory.importer import import_communes, import_offices
from allo.directory.index import haversine_km
from allo.directory.models import Office
from allo.directory.services import DirectoryService
from allo.directory.text import fold, strip_accents
from allo.errors import AlloError
from allo.runtime import Runtime
from allo.settings import Settings
from bench.common import machine_facts, summary_ms
from bench.directory_common import ARCHIVE, COMMUNES, write_section

CACHE = Path("/tmp/allo-bench-directory/full.db")  # noqa: S108 - a benchmark cache, rebuilt if absent
TYPES = [
    "mairie", "caf", "cpam", "prefecture", "sip", "sie", "pole_emploi", "gendarmerie",
    "commissariat_police", "tgi", "ti", "mjd", "msa", "urssaf", "cio", "epci", "tresorerie",
    "maison_handicapees", "sous_pref", "caisse d'allocations familiales",
]  # fmt: skip
AT = "2026-12-22T10:00"


def database() -> str:
    url = f"sqlite:///{CACHE}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        if repo.count_offices(session) < 61_000 or repo.count_communes(session) == 0:
            print("building the cached full database (once)…")
            import_communes(session, COMMUNES)
            import_offices(session, ARCHIVE)
    engine.dispose()
    return url


def loose(name: str, rng: random.Random) -> str:
    """A name as a person types it: case, accents, hyphens, saint → st."""
    text = name
    if rng.random() < 0.6:
        text = strip_accents(text)
    if rng.random() < 0.5:
        text = text.replace("-", " ")
    if rng.random() < 0.4:
        text = text.replace("Saint", "St").replace("saint", "st")
    return rng.choice([text.lower(), text.upper(), text])


def typo(name: str, rng: random.Random) -> str:
    folded = fold(name)
    i = rng.randrange(len(folded))
    return folded[:i] + folded[i + 1 :] if len(folded) > 4 else folded + "x"


CPU: list[float] = []


def timed(fn, *args):  # type: ignore[no-untyped-def]
    """Wall time of one call; its CPU time is appended to CPU (the machine is shared)."""
    start, cpu = time.perf_counter(), time.thread_time()
    with contextlib.suppress(AlloError):
        fn(*args)
    CPU.append(time.thread_time() - cpu)
    return time.perf_counter() - start


def naive_resolve(communes: list[dict[str, object]], query: str) -> str | None:
    target = fold(query)
    best = None
    for c in communes:
        if fold(str(c["name"])) == target and (
            best is None or (c["population"] or 0) > (best["population"] or 0)  # type: ignore[operator]
        ):
            best = c
    return str(best["insee"]) if best else None


def naive_find(session, place, office_type: str, limit: int) -> list[str]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Office.id, Office.latitude, Office.longitude, Office.departement).where(
            Office.type == office_type
        )
    ).all()
    scored = []
    for office_id, lat, lon, dep in rows:
        d = (
            haversine_km(place.latitude, place.longitude, lat, lon)
            if lat is not None and place.latitude is not None
            else math.inf
        )
        scored.append((dep != place.departement, d, office_id))
    scored.sort()
    ids = [s[2] for s in scored[:limit]]
    repo.offices_by_ids(session, ids)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    url = database()
    settings = Settings.from_env({"ALLO_DATABASE_URL": url, "ALLO_HOME": str(CACHE.parent)})
    runtime = Runtime.from_settings(settings)
    service = DirectoryService(runtime)
    rng = random.Random(4)

    with runtime.read_sessions() as session:
        start = time.perf_counter()
        index = service.index(session)
        build_s = time.perf_counter() - start
        communes = repo.commune_rows(session)
        current = [c for c in communes if c["kind"] == "commune-actuelle"]
        sample = [rng.choice(current) for _ in range(args.queries)]

        loose_queries = [loose(str(c["name"]), rng) for c in sample]
        typo_queries = [typo(str(c["name"]), rng) for c in sample[: args.queries // 4]]
        expected = [index.places.resolve(str(c["name"])).place.insee for c in sample]
        resolved_ok = 0
        for q, want in zip(loose_queries, expected, strict=True):
            with contextlib.suppress(AlloError):
                resolved_ok += index.places.resolve(q).place.insee == want
        for q in loose_queries[:200]:  # warm-up
            timed(service.resolve_place, q, session)
        CPU.clear()
        resolve_t = [timed(service.resolve_place, q, session) for q in loose_queries]
        resolve_cpu = list(CPU)
        CPU.clear()
        typo_t = [timed(service.resolve_place, q, session) for q in typo_queries]
        typo_cpu = list(CPU)
        CPU.clear()
        suggest_t = [timed(service.suggest_places, q[:5], 10, session) for q in loose_queries[:500]]
        suggest_cpu = list(CPU)
        naive_resolve_t = [timed(naive_resolve, communes, q) for q in loose_queries[:50]]

        find_queries = []
        for c in sample:
            form = rng.random()
            place = (
                loose(str(c["name"]), rng)
                if form < 0.6
                else (
                    c["postal_codes"][0]
                    if form < 0.8 and c["postal_codes"]
                    else f"insee:{c['insee']}"
                )
            )
            find_queries.append((place, rng.choice(TYPES)))
        for place, kind in find_queries[:200]:
            timed(service.find, session, place, kind, AT, 3)
        CPU.clear()
        find_t = [timed(service.find, session, p, k, AT, 3) for p, k in find_queries]
        find_cpu = list(CPU)
        naive_find_t = []
        for place_text, kind in find_queries[:300]:
            try:
                place = index.places.resolve(place_text).place
                code = service.catalog.resolve(kind).code
            except AlloError:
                continue
            naive_find_t.append(timed(naive_find, session, place, code, 3))

    r50, r99, rmean = summary_ms(resolve_t)
    t50, t99, _ = summary_ms(typo_t)
    s50, s99, _ = summary_ms(suggest_t)
    n50, n99, nmean = summary_ms(naive_resolve_t)
    f50, f99, fmean = summary_ms(find_t)
    fc50, fc99, _ = summary_ms(find_cpu)
    rc50, rc99, _ = summary_ms(resolve_cpu)
    tc50, tc99, _ = summary_ms(typo_cpu)
    sc50, sc99, _ = summary_ms(suggest_cpu)
    nf50, nf99, nfmean = summary_ms(naive_find_t)
    print(
        f"index build {build_s:.2f} s; resolve p50 {r50:.3f} p99 {r99:.3f} ms; find p50 {f50:.2f} p99 {f99:.2f} ms"
    )
    body = f"""## `find` and place resolution (`bench/directory_find.py`)

Machine: {machine_facts()}.

In-process, SQLite, full directory (61,112 offices, 37,590 communes); {args.queries} random
current communes (seed 4). The in-memory index (places, offices per type with coordinates as
numpy arrays) is built once per process: **{build_s:.2f} s**; then every call checks the
datasets' change token (one primary-key read) before using it.

| operation | p50 | p99 | CPU p50 / p99 | baseline p50 | baseline p99 | speed-up (mean) |
|---|---|---|---|---|---|---|
| place from a loosely typed name (case, accents, hyphens, "st") | {r50:.3f} ms | **{r99:.3f} ms** | {rc50:.3f} / {rc99:.3f} ms | {n50:.1f} ms | {n99:.1f} ms | ×{nmean / rmean:.0f} (linear scan folding each name) |
| place from a misspelt name (one letter dropped → suggestions, rapidfuzz) | {t50:.2f} ms | {t99:.2f} ms | {tc50:.2f} / {tc99:.2f} ms | | | |
| completion (`/api/places`, 5 first letters) | {s50:.2f} ms | {s99:.2f} ms | {sc50:.2f} / {sc99:.2f} ms | | | |
| `find` (place as name / postal code / INSEE, 20 types, 3 offices with hours status) | {f50:.2f} ms | **{f99:.2f} ms** | {fc50:.2f} / {fc99:.2f} ms | {nf50:.1f} ms | {nf99:.1f} ms | ×{nfmean / fmean:.1f} (all offices of the type read from the database, haversine in Python) |

p50/p99 are wall-clock times; "CPU" is the time the calling thread actually computed
(`time.thread_time`). On this shared machine the wall-clock tail counts the moments another
engineer's job held the core (load average above): compare the two.

Loosely typed names resolved to the same commune as the official spelling:
{resolved_ok}/{len(loose_queries)} ({100 * resolved_ok / len(loose_queries):.1f} %).

Targets (wall clock): find p99 ≤ 5 ms — **{"met" if f99 <= 5 else "NOT met"}**
(CPU p99 {fc99:.2f} ms); place resolution p99 ≤ 5 ms — **{"met" if r99 <= 5 else "NOT met"}**.
"""
    write_section("directory_find", body)


if __name__ == "__main__":
    main()
