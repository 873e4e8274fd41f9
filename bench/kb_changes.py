"""Change report of a full re-import with 5 % of the fiches changed (SQLite). Target: the report
costs ≤ 10 s on top of the import.

The three DILA zips are imported into a fresh database; then every 20th publication of each zip
gets a new first paragraph and the three zips are imported again, with the change report
recorded in the same transaction. Measured: the re-import itself (baseline), the capture of
the former state of the rewritten fiches (inside the import), and building + storing the items
with their diffs.

    .venv/bin/python -m bench.kb_changes
"""

from __future__ import annotations

import tempfile
import time
import zipfile
from pathlib import Path

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.kb import changes, repository, services
from bench.common import DILA_ZIPS, machine_facts
from bench.kb_common import write_section

EVERY = 17  # 1 publication in 17 changes (some have no paragraph): 5 % of the publications


def altered_zips(folder: Path) -> tuple[int, int]:
    """Copies of the DILA zips where every EVERY-th publication has a new first paragraph;
    returns (publications changed, publications in all)."""
    changed = total = 0
    for source in DILA_ZIPS:
        with (
            zipfile.ZipFile(source) as original,
            zipfile.ZipFile(folder / source.name, "w", zipfile.ZIP_DEFLATED) as copy,
        ):
            for index, info in enumerate(original.infolist()):
                data = original.read(info)
                total += 1
                if index % EVERY == 0 and b"<Paragraphe>" in data:
                    data = data.replace(
                        b"<Paragraphe>", b"<Paragraphe>Mise \xc3\xa0 jour du jour. ", 1
                    )
                    changed += 1
                copy.writestr(info.filename, data)
    return changed, total


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        start = time.perf_counter()
        with unit_of_work(factory) as session:
            services.import_paths(session, DILA_ZIPS)
        first = time.perf_counter() - start
        (folder / "v2").mkdir()
        altered, total = altered_zips(folder / "v2")
        paths = sorted((folder / "v2").glob("*.zip"))
        with unit_of_work(factory) as session:
            start = time.perf_counter()
            report = services.import_paths(session, paths)
            imported = time.perf_counter() - start
            rewritten = [c.fiche_id for c in report.fiche_changes if c.before is not None]
            start = time.perf_counter()
            repository.fiche_states(session, rewritten)  # what the import spent capturing
            capture = time.perf_counter() - start
            start = time.perf_counter()
            items = changes.fiche_items(report.fiche_changes)
            recorded = changes.record(session, "kb-import", items, domains=["fiche"])
            reporting = time.perf_counter() - start
            counts = recorded.counts["fiche"]
            diff_lines = sum(len(i.diff.splitlines()) for i in items)
        engine.dispose()
    on_top = capture + reporting
    body = f"""## Change report of a re-import with 5 % of the fiches changed (`bench/kb_changes.py`)

{machine_facts()}

The three DILA zips (first import: {first:.1f} s), then the same zips with every {EVERY}th
publication given a new first paragraph ({altered} of {total} publications,
{altered / total:.1%}), imported again with the change report recorded in the same transaction
(SQLite).

| step | seconds |
|---|---|
| re-import (baseline: the import itself, capture included) | {imported:.2f} |
| capture of the former state of the {len(rewritten)} rewritten fiches (inside the import) | {capture:.2f} |
| items + diffs built and stored ({len(items)} items, {diff_lines} diff lines) | {reporting:.2f} |
| **report on top of the import** (target ≤ 10 s) | **{on_top:.2f}** ({on_top / imported:.1%} of the import) |

Items: {counts["new"]} new, {counts["changed"]} changed, {counts["withdrawn"]} withdrawn (a
fiche merged from several audiences counts once).
"""
    write_section("kb-changes", body)
    print(body)


if __name__ == "__main__":
    main()
