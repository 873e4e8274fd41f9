"""`allo data fetch` / `sync` against a loopback HTTP server serving files from the test's folder:
resumed downloads, truncated files, mass withdrawals and concurrent runs change nothing."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.directory.models import Office
from allo.directory.repository import competent_services
from allo.directory.source_json import DUMP
from allo.kb import changes, fetch
from allo.kb.models import Fiche
from allo.kb.sync import SyncBusy, SyncRefused, run_sync, sync_lock
from allo.runtime import Runtime
from allo.settings import Settings
from tests.directory.directory_factories import collection, feature, write_archive
from tests.directory.test_import_json import dump_archive

DATA = Path(__file__).parent / "data"


@dataclass
class Mirror:
    """What the loopback server does: files under `root`, Range support, deliberate cuts."""

    root: Path
    url: str = ""
    ranges: bool = True
    #: file name → bytes actually sent (Content-Length still announces the whole file)
    cut: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)


def _handler(mirror: Mirror) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            mirror.requests.append({"path": self.path, **dict(self.headers.items())})
            path = mirror.root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            etag = f'"{hash(data)}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            start = 0
            asked = self.headers.get("Range")
            if asked and mirror.ranges:
                start = int(asked.split("=")[1].split("-")[0])
                if start >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", etag)
            self.end_headers()
            body = data[start:]
            limit = mirror.cut.get(path.name)
            self.wfile.write(body if limit is None else body[:limit])
            self.wfile.flush()
            if limit is not None:
                self.close_connection = True

    return Handler


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[Mirror]:
    served = Mirror(tmp_path / "miroir")
    served.root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


def _runtime(
    factory: sessionmaker[Session],
    mirror: Mirror,
    home: Path,
    directory_file: str = "annuaire-test.tar.xz",
) -> Runtime:
    settings = Settings(
        home=home,
        embedder="none",
        fiches_url=f"{mirror.url}/vdd",
        fiches_schema="3.4",
        directory_url=f"{mirror.url}/donnees_locales_v4/{directory_file}",
    )
    engine: Any = factory.kw["bind"]
    return Runtime(settings=settings, engine=engine, sessions=factory, read_sessions=factory)


def _publish_fiches(mirror: Mirror, names: list[str] | None = None) -> Path:
    target = mirror.root / "vdd" / "3.4" / "part" / "zip" / "vosdroits-latest.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    files = sorted((DATA / "particuliers").glob("*.xml"))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            if names is None or path.stem in names:
                archive.write(path, path.name)
    return target


def _publish_directory(mirror: Mirror, *office_ids: str) -> Path:
    target = mirror.root / "donnees_locales_v4" / "annuaire-test.tar.xz"
    target.parent.mkdir(parents=True, exist_ok=True)
    features = [feature(i, insee=i.split("-")[1]) for i in office_ids]
    return write_archive(target, {"99/caf.json": collection(*features)})


def _counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with unit_of_work(factory) as s:
        fiches = s.scalar(select(func.count()).select_from(Fiche)) or 0
        offices = s.scalar(select(func.count()).select_from(Office)) or 0
    return fiches, offices


def _sync(runtime: Runtime, folder: Path, **options: Any) -> Any:
    return run_sync(runtime, folder, audiences=["particuliers"], workers=1, **options)


def test_sync_imports_reports_and_then_skips_unchanged_exports(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    _publish_fiches(mirror)
    _publish_directory(mirror, "caf-99001-01", "caf-99002-01")
    first = _sync(rt, tmp_path / "dl")
    fiches, offices = _counts(fresh_db)
    assert fiches == len(list((DATA / "particuliers").glob("*.xml")))
    assert offices == 2
    with unit_of_work(fresh_db) as s:
        report = changes.get_report(s, first.report_id)
        assert report.trigger == "data-sync" and report.status == "applied"
        assert report.counts["fiche"]["new"] == fiches
        assert report.counts["office"] == {"new": 2, "changed": 0, "withdrawn": 0}

    second = _sync(rt, tmp_path / "dl")
    assert mirror.requests[-1]["If-None-Match"]  # asked "changed since?", answered 304
    assert second.unchanged == ["vosdroits-particuliers.zip", "annuaire-test.tar.xz"]
    assert second.message.startswith("Aucun changement.")
    assert _counts(fresh_db) == (fiches, offices)

    # one office changes its name: only that is imported and reported
    target = _publish_directory(mirror, "caf-99001-01", "caf-99002-01")
    data = target.read_bytes()
    write_archive(
        target,
        {
            "99/caf.json": collection(
                feature("caf-99001-01", insee="99001", name="Caf d'Essai (nouveau nom)"),
                feature("caf-99002-01", insee="99002"),
            )
        },
    )
    assert target.read_bytes() != data
    third = _sync(rt, tmp_path / "dl")
    assert third.unchanged == ["vosdroits-particuliers.zip"]
    with unit_of_work(fresh_db) as s:
        items = changes.report_items(s, third.report_id)
    assert [(i.object_id, i.action, i.fields) for i in items] == [
        ("caf-99001-01", "changed", ["name"])
    ]


def test_sync_imports_the_directory_in_the_2022_dump_layout(
    fresh_db: sessionmaker[Session], mirror: Mirror, shared_data: Path, tmp_path: Path
) -> None:
    """DILA's `all_latest.tar.bz2` (services file + per-commune zip): offices, competence and
    the change report, then a renamed office reported as such."""
    folder = shared_data / "current-formats" / "annuaire"
    services = [
        s
        for name in ("dump-2023-fontaine-le-port.json", "dump-2021-breux-sur-avre.json")
        for s in json.loads((folder / name).read_text(encoding="utf-8"))["service"]
    ]
    fontaine = services[0]
    communes = {
        "77188": {
            "commune": [
                {
                    "code_insee_commune": "77188",
                    "type_service_local": [
                        {"code_type_service_local": "mairie", "organisme": [fontaine["id"]]}
                    ],
                }
            ]
        }
    }
    rt = _runtime(fresh_db, mirror, tmp_path / "home", "all_latest.tar.bz2")
    target = mirror.root / "donnees_locales_v4" / "all_latest.tar.bz2"
    target.parent.mkdir(parents=True)
    dump_archive(target, services, communes)

    first = run_sync(rt, tmp_path / "dl", audiences=[], workers=1)
    assert (first.offices.format, first.offices.competence) == (DUMP, 1)
    with unit_of_work(fresh_db) as s:
        report = changes.get_report(s, first.report_id)
        assert report.trigger == "data-sync" and report.status == "applied"
        assert report.counts["office"] == {"new": len(services), "changed": 0, "withdrawn": 0}
        new_ids = {i.object_id for i in changes.report_items(s, first.report_id)}
        # The office keeps its 2017 id (ancien_code_pivot): links and orientations resolve.
        assert "mairie-77188-01" in new_ids and len(new_ids) == len(services)
        assert competent_services(s, "77188", "mairie") == [fontaine["id"]]

    renamed = [{**fontaine, "nom": "Mairie de Fontaine-le-Port (nouveau nom)"}, *services[1:]]
    dump_archive(target, renamed, communes)
    second = run_sync(rt, tmp_path / "dl", audiences=[], workers=1)
    with unit_of_work(fresh_db) as s:
        items = changes.report_items(s, second.report_id)
    assert [(i.object_id, i.action, i.fields) for i in items] == [
        ("mairie-77188-01", "changed", ["name"])
    ]


def test_a_mass_withdrawal_is_refused_and_the_old_state_kept(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    _publish_fiches(mirror)
    ok, error = _sync_runs("ok"), _sync_runs("error")
    _sync(rt, tmp_path / "dl", directory=False)
    assert (_sync_runs("ok"), _sync_runs("error")) == (ok + 1, error)
    before = _counts(fresh_db)
    # DILA's export loses 9 of its 14 fiches (the big ones stay: the file is not small)
    _publish_fiches(mirror, ["F14128", "F1342", "F13214", "F2633", "F14807"])
    with pytest.raises(SyncRefused, match=r"retirerait \d+ fiches sur \d+ .* au-delà de 20 %"):
        _sync(rt, tmp_path / "dl", directory=False)
    assert _counts(fresh_db) == before
    assert _sync_runs("error") == error + 1  # a refusal shows in /metrics as a failed run
    with unit_of_work(fresh_db) as s:
        refused = changes.list_reports(s, limit=1)[0]
    assert refused.status == "refused"
    assert "Rien n'a été modifié" in refused.message
    # the refused file is not taken as "unchanged" by the next run
    with pytest.raises(SyncRefused):
        _sync(rt, tmp_path / "dl", directory=False)


def test_an_office_mass_withdrawal_is_refused(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    _publish_fiches(mirror, ["F82"])
    _publish_directory(mirror, *(f"caf-9900{n}-01" for n in range(1, 6)))
    _sync(rt, tmp_path / "dl")
    before = _counts(fresh_db)
    _publish_directory(mirror, "caf-99001-01", "caf-99002-01")
    with pytest.raises(SyncRefused, match="L'annuaire retirerait 3 organisme"):
        _sync(rt, tmp_path / "dl")
    assert _counts(fresh_db) == before


def test_a_truncated_download_changes_nothing_and_resumes_next_time(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    published = _publish_fiches(mirror)
    size = published.stat().st_size
    mirror.cut["vosdroits-latest.zip"] = size // 2
    with pytest.raises(SyncRefused, match=r"interrompu|reçus"):
        _sync(rt, tmp_path / "dl", directory=False)
    assert _counts(fresh_db) == (0, 0)
    partial = tmp_path / "dl" / "vosdroits-particuliers.zip.part"
    assert partial.exists() and 0 < partial.stat().st_size < size
    assert not (tmp_path / "dl" / "vosdroits-particuliers.zip").exists()

    del mirror.cut["vosdroits-latest.zip"]
    result = _sync(rt, tmp_path / "dl", directory=False)
    assert result.fetched[0].resumed
    assert (
        mirror.requests[-1]["Range"]
        == f"bytes={partial.stat().st_size if partial.exists() else size // 2}-"
    )
    assert (tmp_path / "dl" / "vosdroits-particuliers.zip").read_bytes() == published.read_bytes()
    assert _counts(fresh_db)[0] > 0


def test_a_file_complete_in_size_but_broken_is_refused(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    published = _publish_fiches(mirror)
    published.write_bytes(published.read_bytes()[: published.stat().st_size // 2])
    with pytest.raises(SyncRefused, match="tronquée ou illisible"):
        _sync(rt, tmp_path / "dl", directory=False)
    assert _counts(fresh_db) == (0, 0)
    assert not list((tmp_path / "dl").glob("vosdroits-*"))  # nothing worth resuming is kept


def test_without_range_support_the_download_starts_over(mirror: Mirror, tmp_path: Path) -> None:
    published = _publish_fiches(mirror)
    mirror.ranges = False
    folder = tmp_path / "dl"
    folder.mkdir()
    (folder / "vosdroits-particuliers.zip.part").write_bytes(b"garbage from another export")
    settings = Settings(home=tmp_path, fiches_url=f"{mirror.url}/vdd")
    [got] = fetch.Downloader(folder).fetch_all(
        fetch.exports(settings, ["particuliers"], directory=False)
    )
    assert not got.resumed
    assert got.path.read_bytes() == published.read_bytes()
    assert got.sha256 == fetch.sha256_of(published)


def test_two_runs_never_overlap(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path
) -> None:
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    _publish_fiches(mirror)
    with sync_lock(rt, tmp_path / "dl"), pytest.raises(SyncBusy, match="déjà en cours"):
        _sync(rt, tmp_path / "dl", directory=False)
    assert _counts(fresh_db) == (0, 0)
    assert not mirror.requests  # the second run stopped before downloading anything
    _sync(rt, tmp_path / "dl", directory=False)  # the lock is released
    assert _counts(fresh_db)[0] > 0


def test_on_postgresql_the_lock_holds_across_machines(
    fresh_db: sessionmaker[Session], mirror: Mirror, tmp_path: Path, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite is one machine's file")
    rt = _runtime(fresh_db, mirror, tmp_path / "home")
    with rt.engine.connect() as other_machine:
        other_machine.execute(text("SELECT pg_advisory_lock(39390002)"))
        with pytest.raises(SyncBusy):
            _sync(rt, tmp_path / "another-folder", directory=False)
        other_machine.execute(text("SELECT pg_advisory_unlock(39390002)"))


def _sync_runs(outcome: str) -> float:
    from allo.ops.metrics import RUNS

    return RUNS.labels("data_sync", outcome)._value.get()
