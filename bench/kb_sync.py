"""A daily `allo data sync` with nothing changed, fiches and directory together (SQLite).
Target: ≤ 20 s.

A loopback HTTP server serves the real exports (the three DILA zips and the 61,112-office
directory archive) in DILA's layout. A first sync fills a fresh database (reported, not the
target); then:

- the daily case: sync again, the exports unchanged (the server answers 304, nothing imported);
- the stricter case: `force`, every export downloaded and imported again although unchanged
  (hash fast path of the fiche importer, directory re-import, office rows compared before/after);
- baseline: the same re-import of the unchanged files by the importers alone, without the
  sync (no download, no lock, no change report).

    .venv/bin/python -m bench.kb_sync
"""

from __future__ import annotations

import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.directory.importer import import_communes, import_offices
from allo.kb import services
from allo.kb.sync import run_sync
from allo.runtime import Runtime
from allo.settings import Settings
from bench.common import DATA, machine_facts
from bench.kb_common import write_section

AUDIENCES = {"particuliers": "part", "professionnels": "pro", "associations": "asso"}
DIRECTORY = DATA / "annuaire-bdl-2017.tar.xz"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def mirror(root: Path) -> None:
    for audience, segment in AUDIENCES.items():
        target = root / "vdd" / "3.4" / segment / "zip"
        target.mkdir(parents=True)
        (target / "vosdroits-latest.zip").symlink_to(DATA / f"vosdroits-{audience}.zip")
    (root / "dir").mkdir()
    (root / "dir" / DIRECTORY.name).symlink_to(DIRECTORY)


def timed(action: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - start, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mirror(folder / "miroir")
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(Quiet, directory=str(folder / "miroir"))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        settings = Settings(
            home=folder,
            embedder="none",
            fiches_url=f"{base}/vdd",
            directory_url=f"{base}/dir/{DIRECTORY.name}",
        )
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        factory = make_session_factory(engine)
        runtime = Runtime(settings=settings, engine=engine, sessions=factory, read_sessions=factory)
        with unit_of_work(factory) as session:
            import_communes(session, DATA / "communes.json.gz")
        downloads = folder / "dl"
        first, _ = timed(lambda: run_sync(runtime, downloads))
        daily, result = timed(lambda: run_sync(runtime, downloads))
        forced, forced_result = timed(lambda: run_sync(runtime, downloads, force=True))

        def baseline() -> None:
            with unit_of_work(factory) as session:
                services.import_paths(session, sorted(downloads.glob("vosdroits-*.zip")))
                import_offices(session, downloads / DIRECTORY.name)

        plain, _ = timed(baseline)
        server.shutdown()
        server.server_close()
        engine.dispose()
    body = f"""## Daily sync with nothing changed (`bench/kb_sync.py`)

{machine_facts()}

The real exports (3 DILA zips, the 61,112-office directory archive) served over loopback HTTP in
DILA's layout; SQLite. First sync into a fresh database: {first:.1f} s (download and full import).

| run | seconds |
|---|---|
| **daily sync, nothing changed** (server answers 304; target ≤ 20 s) | **{daily:.2f}** |
| sync `--force`, nothing changed (download + re-import + office rows compared + report) | {forced:.2f} |
| baseline: the importers alone re-importing the unchanged files | {plain:.2f} |
| ratio forced sync / baseline | {forced / plain:.2f} |

Daily run's report: « {result.message} »; forced run's: « {forced_result.message} ».
"""
    write_section("kb-sync", body)
    print(body)


if __name__ == "__main__":
    main()
