"""Importing the directory (offices) and the communes: idempotent, reporting, never stopping
on a bad record. Services never commit: the command does."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.db.changes import ChangeCounts
from allo.directory import repository as repo
from allo.directory.communes import compute_points, load_cog
from allo.directory.records import content_hash, normalise_feature, serialise_json_fields
from allo.directory.records_json import normalise_service
from allo.directory.source import SourceFile, iter_raw, iter_source, parse_raw
from allo.directory.source_json import (
    COMPETENCE,
    DUMP,
    TREE_2017,
    JsonSource,
    detect,
    read_json_source,
)

#: (phase, done, total): "lecture" counts bytes or files read, "écriture" rows written
Progress = Callable[[str, int, int], None]

_POINT_RANK = {None: 0, "parent": 1, "epci": 2, "postal": 3, "offices": 4, "former": 5, "mairie": 6}


@dataclass
class ImportReport(ChangeCounts):
    """What an import did. Counts only: no record content is logged."""

    read: int = 0
    skipped: int = 0
    files: int = 0
    bad_files: list[str] = field(default_factory=list)
    fixes: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    #: problem → a few office ids, to look them up
    examples: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0
    points_updated: int = 0
    #: CPU time spent parsing in worker processes (they are not this process's children)
    worker_cpu: float = 0.0
    #: INSEE codes of the offices added, changed or removed (their communes' points may move)
    touched_insee: set[str] = field(default_factory=set)
    #: the source's layout (see source_json.detect)
    format: str = ""
    #: territorial competence rows stored (None: the source had none)
    competence: int | None = None

    def example(self, problem: str, reference: str) -> None:
        found = self.examples.setdefault(problem, [])
        if len(found) < 5:
            found.append(reference)

    def merge(self, other: ImportReport) -> None:
        """Add the reading counts of a part of the source (read by a worker process)."""
        self.read += other.read
        self.worker_cpu += other.worker_cpu
        self.skipped += other.skipped
        self.files += other.files
        self.bad_files.extend(other.bad_files)
        self.fixes.update(other.fixes)
        self.problems.update(other.problems)
        for problem, refs in other.examples.items():
            for ref in refs:
                self.example(problem, ref)

    @property
    def changed_anything(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.change_counts(),
            "read": self.read,
            "skipped": self.skipped,
            "files": self.files,
            "bad_files": self.bad_files,
            "fixes": dict(self.fixes),
            "problems": dict(self.problems),
            "examples": dict(self.examples),
            "seconds": round(self.seconds, 2),
            "worker_cpu_seconds": round(self.worker_cpu, 2),
            "points_updated": self.points_updated,
            "format": self.format,
            "competence": self.competence,
        }

    @property
    def incomplete(self) -> bool:
        """Something of the source was left out (a skipped record or an unreadable file)."""
        return bool(self.skipped or self.bad_files)


def normalise_files(files: Iterable[SourceFile], report: ImportReport) -> Iterable[dict[str, Any]]:
    """Normalised records of every feature of the source files, problems counted in `report`."""
    hours_cache: dict[str, Any] = {}  # many offices share the same hours
    for source in files:
        report.files += 1
        if source.data is None:
            report.bad_files.append(f"{source.name} : {source.error}")
            continue
        features = source.data.get("features") if isinstance(source.data, dict) else None
        if not isinstance(features, list):
            report.bad_files.append(f"{source.name} : pas de liste « features »")
            continue
        for feature in features:
            report.read += 1
            result = normalise_feature(
                feature,
                departement=source.departement,
                file_type=source.file_type,
                hours_cache=hours_cache,
            )
            report.fixes.update(result.fixes)
            report.problems.update(result.problems)
            if result.record is None:
                report.skipped += 1
                for problem in result.problems:
                    report.example(problem, source.name)
                continue
            for problem in set(result.problems):
                report.example(problem, result.record["id"])
            yield result.record


def normalise_services(
    records: Iterable[Any], report: ImportReport, source_name: str, start: int = 1
) -> Iterable[dict[str, Any]]:
    """Normalised records of the JSON format's services, problems counted in `report`
    (`start`: the number of the first record in the source, for the report's examples)."""
    for number, raw in enumerate(records, start=start):
        report.read += 1
        result = normalise_service(raw)
        report.fixes.update(result.fixes)
        report.problems.update(result.problems)
        if result.record is None:
            report.skipped += 1
            name = raw.get("nom") if isinstance(raw, dict) else None
            reference = f"{source_name}, enregistrement {number}" + (
                f" ({str(name)[:60]})" if isinstance(name, str) and name else ""
            )
            for problem in result.problems:
                report.example(problem, reference)
            continue
        for problem in set(result.problems):
            report.example(problem, result.record["id"])
        yield result.record


def store_offices(
    session: Session,
    records: Iterable[dict[str, Any]],
    report: ImportReport,
    *,
    source: str,
    remove_missing: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Insert new, rewrite changed and (within the départements read) remove vanished offices."""
    existing = repo.office_hashes(session)
    seen: set[str] = set()
    departements: set[str] = set()
    new: list[tuple[dict[str, Any], str]] = []
    changed: list[tuple[dict[str, Any], str]] = []
    for record in records:
        if record["id"] in seen:
            report.problems["identifiant en double"] += 1
            continue
        seen.add(record["id"])
        departements.add(record["departement"])
        digest = record.pop("content_hash", None) or content_hash(serialise_json_fields(record))
        known = existing.get(record["id"])
        if known is None:
            new.append((record, digest))
        elif known[0] != digest:
            changed.append((record, digest))
        else:
            report.unchanged += 1
    removed = [
        office_id
        for office_id, (_digest, dep) in existing.items()
        if remove_missing and office_id not in seen and dep in departements
    ]
    removed_insee = {office_id.rsplit("-", 2)[-2] for office_id in removed if "-" in office_id}
    total = len(new) + len(changed) + len(removed)
    done = 0
    for batch_start in range(0, len(new), 5000):
        batch = new[batch_start : batch_start + 5000]
        repo.insert_offices(session, batch)
        done += len(batch)
        if progress:
            progress("écriture", done, total)
    for batch_start in range(0, len(changed), 5000):
        batch = changed[batch_start : batch_start + 5000]
        repo.update_offices(session, batch)
        done += len(batch)
        if progress:
            progress("écriture", done, total)
    repo.delete_offices(session, removed)
    if progress:
        progress("écriture", total, total)
    report.new, report.changed, report.removed = len(new), len(changed), len(removed)
    report.touched_insee = {r["insee"] for r, _ in new + changed} | removed_insee
    if report.changed_anything:
        repo.touch_dataset(session, "offices", source, repo.count_offices(session))
    return report


#: files per task sent to a worker process, and the source size from which workers pay off
_CHUNK_FILES = 120
_PARALLEL_FROM_BYTES = 2_000_000


def _normalise_chunk(
    chunk: list[tuple[str, str, str, bytes]],
) -> tuple[list[dict[str, Any]], ImportReport]:
    """In a worker process: decode, normalise, serialise and hash a batch of source files."""
    started = time.process_time()
    report = ImportReport()
    records = []
    for record in normalise_files((parse_raw(item) for item in chunk), report):
        serialise_json_fields(record)
        record["content_hash"] = content_hash(record)
        records.append(record)
    report.worker_cpu = time.process_time() - started
    return records, report


#: services per task sent to a worker process, and the count from which workers pay off
_CHUNK_SERVICES = 2000
_PARALLEL_FROM_SERVICES = 5000


def _normalise_service_chunk(
    task: tuple[list[Any], str, int],
) -> tuple[list[dict[str, Any]], ImportReport]:
    """In a worker process: normalise, serialise and hash a batch of JSON-format services."""
    services, source_name, start = task
    started = time.process_time()
    report = ImportReport()
    records = []
    for record in normalise_services(services, report, source_name, start):
        serialise_json_fields(record)
        record["content_hash"] = content_hash(record)
        records.append(record)
    report.worker_cpu = time.process_time() - started
    return records, report


def _parallel_services(
    services: list[Any], report: ImportReport, source_name: str, workers: int
) -> Iterator[dict[str, Any]]:
    """Records of the JSON services, normalised by `workers` processes while this one writes;
    at most two batches per worker wait, so the whole source is never pickled at once."""
    context = multiprocessing.get_context("forkserver")  # no fork of a threaded process
    tasks = (
        (services[i : i + _CHUNK_SERVICES], source_name, i + 1)
        for i in range(0, len(services), _CHUNK_SERVICES)
    )
    yielded = False
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending = deque(
                pool.submit(_normalise_service_chunk, t) for t in islice(tasks, 2 * workers)
            )
            while pending:
                records, part = pending.popleft().result()
                following = next(tasks, None)
                if following is not None:
                    pending.append(pool.submit(_normalise_service_chunk, following))
                report.merge(part)
                yielded = True
                yield from records
    except BrokenProcessPool:
        if yielded:
            raise
        # Workers could not start (e.g. an interpreter fed from stdin): normalise here.
        yield from normalise_services(services, report, source_name)


def _chunks_of(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parallel_records(
    path: Path, report: ImportReport, workers: int, progress: Callable[[int, int], None]
) -> Iterator[dict[str, Any]]:
    """Records of the source, normalised by `workers` processes (the parsing is CPU-bound)."""
    context = multiprocessing.get_context("forkserver")  # no fork of a threaded process
    yielded = False
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            chunks = _chunks_of(iter_raw(path, progress), _CHUNK_FILES)
            for records, part in pool.map(_normalise_chunk, chunks):
                report.merge(part)
                yielded = True
                yield from records
    except BrokenProcessPool:
        if yielded:
            raise
        # Workers could not start (e.g. an interpreter fed from stdin): parse in this process.
        yield from normalise_files(iter_source(path, progress), report)


def _workers_for(path: Path, workers: int | None) -> int:
    if workers is not None:
        return max(1, workers)
    size = (
        path.stat().st_size
        if path.is_file()
        else sum(1 for _ in path.rglob("*.json")) * 20_000
        if path.is_dir()
        else 0
    )
    return min(2, os.cpu_count() or 1) if size >= _PARALLEL_FROM_BYTES else 1


def import_offices(
    session: Session,
    path: Path,
    *,
    progress: Progress | None = None,
    remove_missing: bool = True,
    workers: int | None = None,
    refresh_points: bool = True,
) -> ImportReport:
    """Load the DILA directory, in any of its layouts (told apart by content: the 2017 tree,
    the JSON dump or `all_latest.tar.bz2`, the API export, the territorial competence).
    Re-importing the same data changes nothing.

    A large source (2017 tree, or JSON from 5,000 services) is normalised by worker processes
    (2 by default) while this one writes.
    `refresh_points=False` leaves the communes' points as they are (they are recomputed from
    every stored office: seconds, worth skipping for a handful of offices).
    Each run is counted in the operations metrics (`directory_import`, ok or error).
    """
    from allo.ops.metrics import track_run

    with track_run("directory_import"):
        return _import_offices(session, path, progress, remove_missing, workers, refresh_points)


def _import_offices(
    session: Session,
    path: Path,
    progress: Progress | None,
    remove_missing: bool,
    workers: int | None,
    refresh_points: bool,
) -> ImportReport:
    started = time.perf_counter()
    report = ImportReport()

    def read_progress(done: int, total: int) -> None:
        if progress:
            progress("lecture", done, total)

    report.format = detect(path)
    if report.format != TREE_2017:
        source = read_json_source(path, read_progress)
        _store_json_source(
            session, source, report, remove_missing, progress, refresh_points, workers
        )
        report.seconds = time.perf_counter() - started
        return report
    count = _workers_for(path, workers)
    records: Iterable[dict[str, Any]] = (
        _parallel_records(path, report, count, read_progress)
        if count > 1
        else normalise_files(iter_source(path, read_progress), report)
    )
    store_offices(
        session,
        records,
        report,
        source=path.name,
        remove_missing=remove_missing,
        progress=progress,
    )
    if report.changed_anything and refresh_points:
        report.points_updated = refresh_commune_points(session, report.touched_insee)
    report.seconds = time.perf_counter() - started
    return report


def _store_json_source(
    session: Session,
    source: JsonSource,
    report: ImportReport,
    remove_missing: bool,
    progress: Progress | None,
    refresh_points: bool,
    workers: int | None,
) -> None:
    report.files = 1
    report.bad_files.extend(source.problems)
    if source.format != COMPETENCE:
        count = (
            max(1, workers)
            if workers is not None
            else min(2, os.cpu_count() or 1)
            if len(source.services) >= _PARALLEL_FROM_SERVICES
            else 1
        )
        records = (
            _parallel_services(source.services, report, source.name, count)
            if count > 1
            else normalise_services(source.services, report, source.name)
        )
        # Only the bulk dump is the whole publication: an API export is usually a query's
        # answer (one commune, one type), so what it lacks is not withdrawn.
        store_offices(
            session,
            records,
            report,
            source=source.name,
            remove_missing=remove_missing and source.format == DUMP,
            progress=progress,
        )
        if report.changed_anything and refresh_points:
            report.points_updated = refresh_commune_points(session, report.touched_insee)
    if source.has_competence:
        report.competence = store_competence(session, source.competence, source=source.name)


def store_competence(session: Session, rows: list[tuple[str, str, str]], *, source: str) -> int:
    """Replace the territorial competence (a dataset is always published whole)."""
    unique = sorted(set(rows))
    digest = hashlib.sha256("\n".join("\x1f".join(r) for r in unique).encode()).hexdigest()[:32]
    if repo.dataset_token(session, "competence") != digest:
        repo.replace_competence(session, unique)
        repo.touch_dataset(session, "competence", source, len(unique), token=digest)
    return len(unique)


def refresh_commune_points(session: Session, touched: set[str] | None = None) -> int:
    """Give communes the point of their town hall from the offices now stored.

    A point is only replaced by one at least as good (a mairie beats a centroid), so a subset
    of the directory never degrades points computed from the full one.
    """
    communes = repo.commune_rows(session)
    if not communes:
        return 0
    if touched is not None and not touched & {c["insee"] for c in communes}:
        return 0  # no commune has an office that changed
    offices = [
        (o[0], o[1], o[2], o[4], o[5]) for o in repo.office_points(session) if o[4] is not None
    ]
    points = compute_points(communes, offices)
    updates = []
    for c in communes:
        point = points.get((c["insee"], c["kind"]))
        if point is None:
            continue
        lat, lon, source = point
        if (round(lat, 7), round(lon, 7), source) == (
            round(c["latitude"] or 0, 7),
            round(c["longitude"] or 0, 7),
            c["point_source"],
        ):
            continue
        if _POINT_RANK.get(source, 0) < _POINT_RANK.get(c["point_source"], 0):
            continue
        updates.append(
            {
                "insee": c["insee"],
                "kind": c["kind"],
                "latitude": lat,
                "longitude": lon,
                "point_source": source,
            }
        )
    repo.update_commune_points(session, updates)
    if updates:
        repo.touch_dataset(session, "communes", "points des mairies", len(communes))
    return len(updates)


@dataclass
class CommuneReport(ChangeCounts):
    """What an import of the communes did (with their départements and EPCIs)."""

    departements: int = 0
    epcis: int = 0
    without_point: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.change_counts(),
            "departements": self.departements,
            "epcis": self.epcis,
            "without_point": self.without_point,
            "problems": dict(self.problems),
            "seconds": round(self.seconds, 2),
        }


def store_communes(
    session: Session,
    rows: list[dict[str, Any]],
    departements: list[dict[str, Any]],
    epcis: list[dict[str, Any]],
    *,
    source: str,
    compute: bool = True,
) -> CommuneReport:
    """Upsert communes (points from the stored offices, or kept when none can be computed)."""
    started = time.perf_counter()
    report = CommuneReport(departements=len(departements), epcis=len(epcis))
    existing = {(c["insee"], c["kind"]): c for c in repo.commune_rows(session)}
    if compute:
        offices = [
            (o[0], o[1], o[2], o[4], o[5]) for o in repo.office_points(session) if o[4] is not None
        ]
        points = compute_points(rows, offices) if offices else {}
        for row in rows:
            point = points.get((row["insee"], row["kind"]))
            if point is not None:
                row["latitude"], row["longitude"], row["point_source"] = point
    new, changed = [], []
    for row in rows:
        key = (row["insee"], row["kind"])
        old = existing.pop(key, None)
        if row.get("latitude") is None and old is not None and old["latitude"] is not None:
            row["latitude"], row["longitude"] = old["latitude"], old["longitude"]
            row["point_source"] = old["point_source"]
        if old is None:
            new.append(row)
        elif any(old[k] != row.get(k) for k in repo.COMMUNE_COLUMNS):
            changed.append(row)
        else:
            report.unchanged += 1
        if row.get("latitude") is None:
            report.without_point += 1
    repo.insert_communes(session, new)
    repo.update_communes(session, changed)
    repo.delete_communes(session, list(existing))
    if departements:
        repo.replace_departements(session, departements)
    if epcis:
        repo.replace_epcis(session, epcis)
    report.new, report.changed, report.removed = len(new), len(changed), len(existing)
    if new or changed or existing:
        repo.touch_dataset(session, "communes", source, len(rows))
    report.seconds = time.perf_counter() - started
    return report


def import_communes(session: Session, path: Path) -> CommuneReport:
    """Load communes.json(.gz) and its sibling departements / regions / epci files."""
    rows, departements, epcis, problems = load_cog(path)
    report = store_communes(session, rows, departements, epcis, source=path.name)
    report.problems.update(problems)
    return report
