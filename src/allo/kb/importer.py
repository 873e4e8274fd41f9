"""Idempotent import of fiches from DILA exports and the travail-emploi JSON.

How a re-import knows what changed: every source record is stored as a `FicheVariant` keyed by
(fiche ID, feed) with the sha256 of its bytes. Existing hashes are loaded in one query; a record
whose bytes hash to the stored value is not even parsed. A fiche row is rebuilt only when one of
its variants is new, changed or withdrawn, and written with bulk statements.

Withdrawal rule (what "removed" means): only a *complete export* withdraws fiches, and only from
its own feed. Complete exports are DILA's zips named `vosdroits-*.zip` (one audience each, the
audience read from the publications' breadcrumb) and the travail-emploi JSON. After such an
import, a fiche of that feed whose ID was not in the export loses that feed; a fiche left with
no feed at all is deleted. So importing only the associations zip never touches fiches that are
only published for particuliers, and a folder or single XML files (partial updates) never remove
anything. Records of a complete export that could not be read keep their fiche.

The caller owns the transaction: a failed import is rolled back as a whole.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from allo.db.base import utcnow
from allo.db.changes import ChangeCounts
from allo.french import decimal_fr, plural
from allo.kb import repository, stored_html
from allo.kb.changes import FicheChange
from allo.kb.dila import InvalidRecord, parse_publication
from allo.kb.records import AUDIENCES, FEEDS, TRAVAIL, SourceRecord, Variant, digest
from allo.kb.repository import FICHE_FIELDS
from allo.kb.safexml import UnsafeOrInvalidXML
from allo.kb.sources import Input, Problem, open_inputs
from allo.kb.travail import InvalidTravailRecord, parse_travail

FEED_PRIORITY = {feed: index for index, feed in enumerate(FEEDS)}
#: zips with this name prefix are DILA's complete exports (see the module docstring)
COMPLETE_ZIP_PREFIX = "vosdroits-"
#: parsing is CPU-bound: batches of this many records to parse go to worker processes
BATCH = 256


class Progress(Protocol):
    """What an import tells a progress display (the CLI's Rich bar)."""

    def start(self, total: int, description: str) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


@dataclass
class ImportReport(ChangeCounts):
    """What an import did: counts and the origins of what could not be imported."""

    #: source records read (one fiche may have several: one per audience)
    records: int = 0
    #: records or files that could not be imported, by origin
    skipped: list[Problem] = field(default_factory=list)
    #: imported, but with something to look at (unknown element…)
    warnings: list[Problem] = field(default_factory=list)
    #: feeds whose complete export was imported (withdrawals were applied to them)
    complete_feeds: list[str] = field(default_factory=list)
    #: fiches whose body was rendered to HTML and stored (see allo.kb.stored_html)
    rendered: int = 0
    seconds: float = 0.0
    #: per feed: variants held before the import, and variants it withdrew (`allo data sync`
    #: refuses an export that would withdraw too large a share of its feed)
    held_by_feed: dict[str, int] = field(default_factory=dict)
    withdrawn_by_feed: dict[str, int] = field(default_factory=dict)
    #: every fiche added, rewritten or withdrawn, with its state before and after (the change
    #: report's input, see allo.kb.changes)
    fiche_changes: list[FicheChange] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.skipped

    @property
    def written(self) -> int:
        return self.new + self.changed + self.removed

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.change_counts(),
            "records": self.records,
            "skipped": [{"origin": p.origin, "message": p.message} for p in self.skipped],
            "warnings": [{"origin": p.origin, "message": p.message} for p in self.warnings],
            "complete_feeds": self.complete_feeds,
            "rendered": self.rendered,
            "seconds": round(self.seconds, 2),
        }

    def summary(self) -> str:
        """One French sentence for the operator."""
        text = (
            f"{plural(self.new, 'fiche nouvelle', 'fiches nouvelles')}, {plural(self.changed, 'modifiée')}, "
            f"{plural(self.unchanged, 'inchangée')}, {plural(self.removed, 'retirée')} — "
            f"{plural(self.records, 'enregistrement lu', 'enregistrements lus')}"
        )
        if self.skipped:
            text += f", {plural(len(self.skipped), 'ignoré')} en erreur"
        if self.warnings:
            text += f", {plural(len(self.warnings), 'avertissement')}"
        return text + f" en {decimal_fr(self.seconds)} s."


class _NoProgress:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


def parse_record(record: SourceRecord, feed_hint: str | None = None) -> Variant:
    if record.format == "travail":
        return parse_travail(record.data)
    return parse_publication(record.data, feed_hint=feed_hint)


def _parse_or_error(args: tuple[SourceRecord, str | None]) -> Variant | str:
    """Worker entry point: errors come back as their French message."""
    record, feed_hint = args
    try:
        variant = parse_record(record, feed_hint)
    except (UnsafeOrInvalidXML, InvalidRecord, InvalidTravailRecord) as exc:
        return str(exc)
    variant.raw = b""  # the caller holds the bytes: do not send them back between processes
    return variant


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _is_complete(source: Input) -> bool:
    if source.kind == "travail":
        return source.complete
    return source.complete and Path(source.origin).name.lower().startswith(COMPLETE_ZIP_PREFIX)


def merge_variants(variants: Iterable[Variant]) -> dict[str, Any]:
    """One fiche row from its variants: the first feed's content, every feed's links."""
    ordered = sorted(variants, key=lambda v: FEED_PRIORITY.get(v.feed, 99))
    primary = ordered[0]
    row = dict(primary.fields)
    audiences: set[str] = set()
    for variant in ordered:
        if variant.feed in AUDIENCES:
            audiences.add(variant.feed)
        audiences.update(variant.declared_audiences)
    row["audiences"] = sorted(audiences)
    keys = {
        "related": lambda i: (i["id"], i["rel"]),
        "services": lambda i: i.get("id") or i.get("url") or i.get("title"),
        "contacts": lambda i: i.get("id") or i.get("title"),
        "references": lambda i: i.get("url") or i.get("title"),
    }
    for name, key in keys.items():
        items = list(row[name])
        seen = {key(i) for i in items}
        for variant in ordered[1:]:
            for item in variant.fields[name]:
                if key(item) not in seen:
                    seen.add(key(item))
                    items.append(item)
        row[name] = items
    pivots = list(row["pivots"])
    for variant in ordered[1:]:
        pivots.extend(p for p in variant.fields["pivots"] if p not in pivots)
    row["pivots"] = pivots
    row["content_hash"] = digest(
        "|".join(
            f"{v.feed}:{v.content_hash}" for v in sorted(ordered, key=lambda v: v.feed)
        ).encode()
    )
    return row


class _Run:
    def __init__(self, session: Session, progress: Progress | None, workers: int) -> None:
        self.session = session
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.progress = progress or _NoProgress()
        self.report = ImportReport()
        repository.lock_for_import(session)
        self.existing = repository.variant_hashes(session)
        self.existing_ids = repository.fiche_ids(session)
        #: variants of this import that are new or changed, parsed
        self.parsed: dict[tuple[str, str], Variant] = {}
        #: every (ID, feed) this import holds, changed or not
        self.seen: dict[tuple[str, str], str] = {}
        #: feed → IDs that a complete export of that feed holds (or could not read)
        self.complete: dict[str, set[str]] = {}

    def run(self, paths: list[Path]) -> ImportReport:
        started = time.perf_counter()
        inputs, problems = open_inputs(paths)
        self.report.skipped.extend(problems)
        total = sum(i.count for i in inputs)
        self.progress.start(total, "Import des fiches")
        try:
            for source in inputs:
                self.read(source)
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        self.apply()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def read(self, source: Input) -> None:
        feeds: Counter[str] = Counter()
        ids_by_feed: dict[str, set[str]] = {}
        feed_guess = TRAVAIL if source.kind == "travail" else None
        pending: list[SourceRecord] = []

        def seen(key: tuple[str, str]) -> None:
            feeds[key[1]] += 1
            ids_by_feed.setdefault(key[1], set()).add(key[0])

        def handle(item: SourceRecord, result: Variant | str) -> tuple[str, str] | None:
            self.progress.advance()
            if isinstance(result, str):
                if item.id_hint:
                    source.protected_ids.add(item.id_hint)
                self.report.skipped.append(Problem(item.origin, result))
                return None
            if not result.raw:
                result.raw = item.data
            key = (result.fiche_id, result.feed)
            for message in result.warnings:
                self.report.warnings.append(Problem(item.origin, message))
            self.keep(key, result, item.origin)
            seen(key)
            return key

        for item in source.records():
            if isinstance(item, Problem):
                self.progress.advance()
                self.report.skipped.append(item)
                continue
            self.report.records += 1
            key = self.fast_path(item, feed_guess)
            if key is not None:
                self.progress.advance()
                seen(key)
            elif feed_guess is None:
                # the first record tells the export's feed, which the fast path needs
                key = handle(item, _parse_or_error((item, None)))
                if key is not None:
                    feed_guess = key[1]
            else:
                pending.append(item)
                if len(pending) >= BATCH:
                    self.parse_batch(pending, feed_guess, handle)
                    pending = []
        self.parse_batch(pending, feed_guess, handle)
        if _is_complete(source) and feeds:
            feed = feeds.most_common(1)[0][0]
            held = self.complete.setdefault(feed, set())
            held.update(ids_by_feed.get(feed, set()))
            held.update(source.protected_ids)
            if feed not in self.report.complete_feeds:
                self.report.complete_feeds.append(feed)

    def parse_batch(
        self,
        items: list[SourceRecord],
        feed_hint: str | None,
        handle: Any,
    ) -> None:
        if not items:
            return
        args = [(item, feed_hint) for item in items]
        if (
            self.pool is None
            and self.workers > 1
            and len(items) >= BATCH
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            # fork: the workers start at once with the parser already imported
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        if self.pool is not None:
            results = self.pool.map(_parse_or_error, args, chunksize=16)
        else:
            results = map(_parse_or_error, args)
        for item, result in zip(items, results, strict=True):
            handle(item, result)

    def fast_path(self, item: SourceRecord, feed: str | None) -> tuple[str, str] | None:
        """An unchanged record is recognised by its hash alone, without parsing."""
        if item.id_hint is None or feed is None:
            return None
        key = (item.id_hint, feed)
        stored = self.existing.get(key)
        if stored is None or stored != digest(item.data):
            return None
        self.note_duplicate(key, stored, item.origin)
        self.seen[key] = stored
        self.parsed.pop(key, None)  # the last occurrence wins: here, the stored version
        return key

    def note_duplicate(self, key: tuple[str, str], content_hash: str, origin: str) -> None:
        previous = self.seen.get(key)
        if previous is not None and previous != content_hash:
            self.report.warnings.append(
                Problem(
                    origin,
                    f"{key[0]} ({key[1]}) présent deux fois : la dernière version est gardée",
                )
            )

    def keep(self, key: tuple[str, str], variant: Variant, origin: str) -> None:
        self.note_duplicate(key, variant.content_hash, origin)
        self.seen[key] = variant.content_hash
        if self.existing.get(key) == variant.content_hash:
            self.parsed.pop(key, None)
        else:
            self.parsed[key] = variant

    def apply(self) -> None:
        # held by no complete export of its feed, and not brought by any other input either
        withdrawn = [
            key
            for key in self.existing
            if key[1] in self.complete
            and key[0] not in self.complete[key[1]]
            and key not in self.seen
        ]
        self.report.held_by_feed = dict(Counter(feed for _id, feed in self.existing))
        self.report.withdrawn_by_feed = dict(Counter(feed for _id, feed in withdrawn))
        final: dict[str, dict[str, str]] = {}
        for (fiche_id, feed), stored in self.existing.items():
            final.setdefault(fiche_id, {})[feed] = stored
        for fiche_id, feed in withdrawn:
            del final[fiche_id][feed]
        for (fiche_id, feed), variant in self.parsed.items():
            final.setdefault(fiche_id, {})[feed] = variant.content_hash
        affected = {k[0] for k in self.parsed} | {k[0] for k in withdrawn}
        # variants kept from the database that a changed fiche needs to be rebuilt
        needed = [
            (fiche_id, feed)
            for fiche_id in affected
            for feed in final.get(fiche_id, {})
            if (fiche_id, feed) not in self.parsed
        ]
        stored_variants = self.load_stored(needed)
        now = utcnow()
        inserts, updates, deleted = [], [], []
        for fiche_id in sorted(affected):
            feeds = final.get(fiche_id, {})
            if not feeds:
                if fiche_id in self.existing_ids:
                    deleted.append(fiche_id)
                continue
            variants = [
                self.parsed.get((fiche_id, feed)) or stored_variants.get((fiche_id, feed))
                for feed in feeds
            ]
            usable = [v for v in variants if v is not None]
            if not usable:
                continue
            row = merge_variants(usable)
            row["updated_at"] = now
            if fiche_id in self.existing_ids:
                updates.append(row)
            else:
                row["imported_at"] = now
                inserts.append(row)
        written = {r["id"] for r in inserts} | {r["id"] for r in updates}
        variant_rows = [
            {
                "fiche_id": fiche_id,
                "feed": feed,
                "content_hash": variant.content_hash,
                "source": zlib.compress(variant.raw, 1),
                "imported_at": now,
            }
            for (fiche_id, feed), variant in self.parsed.items()
            if fiche_id in written
        ]
        new_variants = [r for r in variant_rows if (r["fiche_id"], r["feed"]) not in self.existing]
        changed_variants = [r for r in variant_rows if (r["fiche_id"], r["feed"]) in self.existing]
        # before the writes: the change report needs the former state of what is rewritten
        self.report.fiche_changes = self.changes(inserts, updates, deleted)
        # before the writes: it compares the titles being written with the stored ones
        self.report.rendered = stored_html.refresh(
            self.session, inserts + updates, deleted, workers=self.workers
        )
        repository.delete_variants(self.session, withdrawn)
        repository.delete_fiches(self.session, deleted)
        repository.insert_fiches(self.session, inserts)
        repository.update_fiches(self.session, updates)
        repository.insert_variants(self.session, new_variants)
        repository.update_variants(self.session, changed_variants)
        self.report.new = len(inserts)
        self.report.changed = len(updates)
        self.report.removed = len(deleted)
        touched = {k[0] for k in self.seen}
        self.report.unchanged = len(touched - affected)

    def changes(
        self, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], deleted: list[str]
    ) -> list[FicheChange]:
        before = repository.fiche_states(self.session, [r["id"] for r in updates] + deleted)

        def state(row: dict[str, Any]) -> dict[str, Any]:
            return {name: row.get(name) for name in FICHE_FIELDS}

        out = [FicheChange(r["id"], None, state(r)) for r in inserts]
        out += [FicheChange(r["id"], before.get(r["id"], {}), state(r)) for r in updates]
        out += [FicheChange(i, before.get(i, {"title": ""}), None) for i in deleted]
        return out

    def load_stored(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Variant]:
        out: dict[tuple[str, str], Variant] = {}
        if not keys:
            return out
        for key, blob in repository.variant_sources(self.session, keys).items():
            fmt = "travail" if key[1] == TRAVAIL else "dila"
            record = SourceRecord(f"base:{key[0]}", zlib.decompress(blob), fmt, key[1], key[0])
            out[key] = parse_record(record, key[1])
        return out


def import_paths(
    session: Session,
    paths: Iterable[Path | str],
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> ImportReport:
    """Import files into the knowledge base (the caller commits). See the module docstring.

    `workers` parsing processes are used for large imports (default: up to 2, the cores here).
    """
    run = _Run(session, progress, default_workers() if workers is None else max(1, workers))
    return run.run([Path(p) for p in paths])
