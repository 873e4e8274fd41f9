"""Work on the search data that a command owns the transaction of: computing the fiches' vectors
and taking their answer passages from their bodies.

`compute_missing_vectors(session, embedder)` (in the caller's transaction) or
`compute_missing_vectors_in_batches(sessions, embedder)` (a long command: one commit per batch)
is what `allo kb import`, `allo search reindex` and any other import (`allo data sync`) call once
the fiches are written, so the base is complete when the command returns and no web worker has
to embed anything when it starts. `compute_passages(session)` /
`compute_passages_in_batches(sessions)` do the same for the passages (allo.search.passages):
every import calls them, so no worker ever reads a fiche's body to show its passage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.french import decimal_fr, number_fr, plural
from allo.parallel import fork_map
from allo.search import passages as passage_lib
from allo.search import repository
from allo.search.analysis import default_analyzer
from allo.search.documents import embedding_text, linked_titles
from allo.search.embcache import read_npz, text_key
from allo.search.embedder import Embedder
from allo.search.vectorstore import encode

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class VectorReport:
    #: searchable fiches (distinct embedding texts)
    texts: int
    #: vectors that were missing when the call started
    missing: int
    #: copied from the shipped sample's vectors or an older file cache (no model run)
    copied: int
    #: computed by the model in this call
    computed: int
    #: vectors of this model no fiche uses any more (removed when nothing is left to compute)
    removed: int
    #: still missing after this call (when `limit` stopped it)
    remaining: int
    seconds: float

    def summary(self) -> str:
        """One French line for the CLI."""
        return (
            f"Vecteurs sémantiques : {plural(self.computed, 'calculé')}, "
            f"{number_fr(self.copied)} repris, {number_fr(self.texts - self.remaining)} / "
            f"{plural(self.texts, 'fiche couverte', 'fiches couvertes')}, "
            f"{plural(self.removed, 'périmé supprimé', 'périmés supprimés')}, "
            f"en {self.seconds:.0f} s."
        )


@dataclass
class VectorPlan:
    """What a vector computation has to do, read in one short read-only transaction."""

    model: str
    dim: int
    #: hex key → embedding text, for every searchable fiche
    texts: dict[str, str]
    #: keys of this model already stored
    stored: set[str]
    #: keys to store, in fiche order
    missing: list[str]
    #: of those, the vectors found in the file layers (copied, not computed)
    copied: dict[str, bytes]

    @property
    def to_compute(self) -> list[str]:
        return [k for k in self.missing if k not in self.copied]

    @property
    def stale(self) -> set[str]:
        return self.stored - set(self.texts)


def plan_vectors(session: Session, embedder: Embedder, layers: Sequence[Path] = ()) -> VectorPlan:
    model = embedder.name
    texts: dict[str, str] = {}
    sources = repository.embedding_sources(session)
    own_title = {fiche_id: title for fiche_id, title, *_ in sources}
    for fiche_id, title, description, sections, links in sources:
        questions, _related = linked_titles(fiche_id, links, own_title)
        text = embedding_text(title, description, sections, "\n".join(questions))
        texts.setdefault(text_key(model, text).hex(), text)
    stored = repository.stored_keys(session, model)
    missing = [k for k in texts if k not in stored]
    copied: dict[str, bytes] = {}
    if missing and layers:
        layer: dict[bytes, np.ndarray] = {}
        for path in layers:
            for raw_key, v in read_npz(path).items():
                if v.shape == (embedder.dim,):
                    layer.setdefault(raw_key, v)
        for k in missing:
            vector = layer.get(bytes.fromhex(k))
            if vector is not None:
                copied[k] = encode(vector)
    return VectorPlan(model, embedder.dim, texts, stored, missing, copied)


def embed_batches(
    plan: VectorPlan,
    embedder: Embedder,
    keys: Sequence[str],
    batch: int,
    progress: Progress | None = None,
) -> Iterator[dict[str, bytes]]:
    """The vectors of `keys`, `batch` at a time (no database work: callers store each batch)."""
    done = 0
    for offset in range(0, len(keys), batch):
        chunk = keys[offset : offset + batch]
        vectors = embedder.embed_documents([plan.texts[k] for k in chunk])
        done += len(chunk)
        yield {k: encode(vectors[i]) for i, k in enumerate(chunk)}
        if progress is not None:
            progress(done, len(keys))


def compute_missing_vectors(
    session: Session,
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    limit: int | None = None,
    batch: int = 32,
    layers: Sequence[Path] = (),
) -> VectorReport:
    """Store the vectors of the searchable fiches that have none for this model, in `session`.

    Vectors found in `layers` (npz files: the shipped sample, an older file cache) are copied;
    the others are computed, `batch` texts at a time, at most `limit` of them. Stale vectors of
    this model are removed once nothing is left to compute. Flushes, never commits. For a long
    run on SQLite, `compute_missing_vectors_in_batches` keeps the write lock only while storing.
    """
    start = time.perf_counter()
    plan = plan_vectors(session, embedder, layers)
    repository.add_vectors(session, plan.model, plan.dim, plan.copied)
    todo = plan.to_compute
    total = len(todo)
    if limit is not None:
        todo = todo[: max(0, limit)]

    def counted(done: int, _n: int) -> None:
        if progress is not None:
            progress(done, total)

    for entries in embed_batches(plan, embedder, todo, batch, counted):
        repository.add_vectors(session, plan.model, plan.dim, entries)
        session.flush()
    remaining = total - len(todo)
    removed = repository.delete_vectors(session, plan.stale) if remaining == 0 else 0
    return VectorReport(
        texts=len(plan.texts),
        missing=len(plan.missing),
        copied=len(plan.copied),
        computed=len(todo),
        removed=removed,
        remaining=remaining,
        seconds=time.perf_counter() - start,
    )


def compute_missing_vectors_in_batches(
    sessions: sessionmaker[Session],
    embedder: Embedder,
    progress: Progress | None = None,
    *,
    batch: int = 32,
    layers: Sequence[Path] = (),
) -> VectorReport:
    """The same, for a command: reads in one short transaction, embeds outside any transaction,
    and commits each batch, so an interrupted run keeps its work and SQLite writers (the web
    app) are never blocked for longer than one batch's insert."""
    start = time.perf_counter()
    with sessions() as session:
        plan = plan_vectors(session, embedder, layers)
    with unit_of_work(sessions) as session:
        repository.add_vectors(session, plan.model, plan.dim, plan.copied)
    todo = plan.to_compute
    for entries in embed_batches(plan, embedder, todo, batch, progress):
        with unit_of_work(sessions) as session:
            repository.add_vectors(session, plan.model, plan.dim, entries)
    with unit_of_work(sessions) as session:
        removed = repository.delete_vectors(session, plan.stale)
    return VectorReport(
        texts=len(plan.texts),
        missing=len(plan.missing),
        copied=len(plan.copied),
        computed=len(todo),
        removed=removed,
        remaining=0,
        seconds=time.perf_counter() - start,
    )


# -- answer passages -------------------------------------------------------------------------------
#: fiches read, extracted and stored per transaction
PASSAGE_BATCH = 200


@dataclass(frozen=True)
class PassageReport:
    #: searchable fiches
    fiches: int
    #: fiches whose passages were taken from their body in this call
    extracted: int
    #: stored passages of fiches that are no longer searchable, removed
    removed: int
    seconds: float

    def summary(self) -> str:
        """One French line for the CLI."""
        return (
            f"Passages de réponse : {plural(self.extracted, 'fiche analysée', 'fiches analysées')}, "
            f"{plural(self.removed, 'périmée supprimée', 'périmées supprimées')}, "
            f"en {decimal_fr(self.seconds)} s."
        )


def plan_passages(session: Session, ids: Sequence[str] | None = None) -> tuple[list[str], set[str]]:
    """(searchable fiches whose passages are missing or stale, stored ones of other fiches).
    Terms of another analysis are stale too: a result shows them recomputed, but every process
    would recompute them at each decode until they are stored again."""
    hashes = repository.fiche_hashes(session)
    states = repository.passage_states(session)
    wanted = sorted(hashes) if ids is None else sorted(set(ids) & set(hashes))
    current = (passage_lib.EXTRACTOR, passage_lib.ANALYSIS)
    todo = [i for i in wanted if states.get(i) != (hashes[i], *current)]
    return todo, set(states) - set(hashes)


def _extract_job(item: tuple[str, str]) -> tuple[str, tuple[bytes, str]]:
    fiche_id, html = item
    found = passage_lib.extract(html, default_analyzer())
    return fiche_id, (passage_lib.encode(found), passage_lib.section_titles(found))


def extract_passages(bodies: dict[str, str], workers: int = 1) -> dict[str, tuple[bytes, str]]:
    """Each body's passages, encoded, with its section titles (what the dense model reads); in
    `workers` forked processes when many."""
    return dict(fork_map(_extract_job, sorted(bodies.items()), workers))


def _store_passages(session: Session, ids: Sequence[str], workers: int) -> int:
    hashes = repository.fiche_hashes_of(session, ids)
    encoded = extract_passages(repository.fiche_bodies(session, ids), workers)
    entries = {i: (hashes[i], data, titles) for i, (data, titles) in encoded.items() if i in hashes}
    return repository.put_passages(session, passage_lib.EXTRACTOR, passage_lib.ANALYSIS, entries)


def compute_passages(
    session: Session,
    ids: Sequence[str] | None = None,
    *,
    workers: int = 1,
    progress: Progress | None = None,
) -> PassageReport:
    """Store the passages of the searchable fiches (of `ids`, None: all) that have none for
    their current version, in `session` (flushes, never commits)."""
    start = time.perf_counter()
    todo, stale = plan_passages(session, ids)
    for offset in range(0, len(todo), PASSAGE_BATCH * max(1, workers)):
        _store_passages(session, todo[offset : offset + PASSAGE_BATCH * max(1, workers)], workers)
        session.flush()
        if progress is not None:
            progress(min(len(todo), offset + PASSAGE_BATCH * max(1, workers)), len(todo))
    removed = repository.delete_passages(session, stale) if ids is None else 0
    return PassageReport(
        len(repository.fiche_hashes(session)), len(todo), removed, time.perf_counter() - start
    )


def compute_passages_in_batches(
    sessions: sessionmaker[Session], *, workers: int = 1, progress: Progress | None = None
) -> PassageReport:
    """The same for a command: one commit per batch (an interrupted run keeps its work, SQLite
    writers wait for one batch at most)."""
    start = time.perf_counter()
    with sessions() as session:
        todo, stale = plan_passages(session)
        fiches = len(repository.fiche_hashes(session))
    step = PASSAGE_BATCH * max(1, workers)
    for offset in range(0, len(todo), step):
        with unit_of_work(sessions) as session:
            _store_passages(session, todo[offset : offset + step], workers)
        if progress is not None:
            progress(min(len(todo), offset + step), len(todo))
    with unit_of_work(sessions) as session:
        removed = repository.delete_passages(session, stale)
    return PassageReport(fiches, len(todo), removed, time.perf_counter() - start)
