"""The search service other domains call: `get_search_service(runtime).search(...)` / `.suggest(...)`.

Each process builds its engine once (runtime.service), then checks the knowledge base's
version at most every few seconds and applies what changed. Document vectors come from the
database (`search_vector`, computed by the import: allo.search.services); a fiche without one
is ranked as the lexical side ranks it (allo.search.fusion) until its vector is stored — a
worker picks stored vectors up at its next check, and embeds a few itself in a background
thread (a fiche edited in the console), never during a request. Answer passages are loaded
the same way (`search_passage`, stored by the import: allo.search.services.compute_passages);
a fiche without stored passages for its version (a local fiche just published) has them taken
from its body in a background thread and stored for every process, never during a request.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.errors import InvalidInput
from allo.kb.kinds import COMMENT_FAIRE, DOSSIER, RECHERCHE_GUIDEE
from allo.ops.metrics import SEARCH_SECONDS
from allo.runtime import Runtime
from allo.search import analysis_cache
from allo.search.agreements import (
    Agreement,
    AgreementCatalog,
    AgreementQuery,
    default_catalog,
    with_chosen,
)
from allo.search.analysis import FrenchAnalyzer, default_analyzer
from allo.search.articles import (
    ArticleCitations,
    ArticleQuery,
    ArticleSpan,
    CitedArticle,
    citations,
    read_articles,
    watched_articles,
)
from allo.search.dense import DenseIndex
from allo.search.documents import SearchDocument, build_documents
from allo.search.embcache import EmbeddingCache
from allo.search.embedder import Embedder, make_embedder
from allo.search.engine import Change, SearchEngine, per_ordinal
from allo.search.fusion import FusionConfig, fuse
from allo.search.index import DEFAULT_BOOSTS
from allo.search.lexicon import Lexicon, default_lexicon
from allo.search.passage_match import PassageMatch, match
from allo.search.passages import EXTRACTOR, Passage, PassageStore, StoredPassages
from allo.search.query import ParsedQuery, QueryParser, QueryWeights
from allo.search.repository import (
    fiche_hashes,
    knowledge_base_version,
    passage_titles_version,
    searchable_fiches,
    stored_passages,
)
from allo.search.services import PASSAGE_BATCH, compute_passages
from allo.search.suggest import Suggestion
from allo.search.vectorstore import VectorStore, file_layers

log = logging.getLogger("allo.search")

AUDIENCES = ("particuliers", "professionnels", "associations")
MAX_LIMIT = 100
#: A web worker embeds this many missing fiches itself (an edited local fiche); beyond, the
#: import or `allo search reindex` computes them once and workers pick them up from the base.
MAX_WORKER_EMBED = 50


class VectorCache(Protocol):
    """Where document vectors are found and kept (the database, or files in tests and tools)."""

    model: str
    dim: int

    def key(self, text: str) -> bytes: ...

    def lookup(self, keys: Any) -> dict[bytes, np.ndarray]: ...

    def ensure(
        self, texts: Any, embed: Any, batch: int = 64, progress: Any = None
    ) -> dict[bytes, np.ndarray]: ...


@dataclass(frozen=True)
class SearchStatus:
    """What `allo search status` and GET /api/search/status report."""

    fiches: int
    semantic: bool
    model: str | None
    with_vector: int
    #: seconds since the index was built or last brought in step with the base
    index_age_s: float
    built_at: float

    @property
    def coverage(self) -> float:
        return self.with_vector / self.fiches if self.fiches and self.semantic else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "fiches": self.fiches,
            "semantic": self.semantic,
            "model": self.model,
            "with_vector": self.with_vector,
            "coverage": round(self.coverage, 4),
            "index_age_s": round(self.index_age_s, 1),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.built_at)),
        }


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    score: float
    audiences: tuple[str, ...]
    url: str
    kind: str
    source: str
    description: str
    #: the passage of the fiche that answers best (None: no section holds a query word)
    passage: PassageMatch | None = None


@dataclass(frozen=True)
class QueryNotices:
    """What a query names besides the words the fiches are searched with, as shown above them."""

    #: the collective agreement it names (« prime syntec »), or None
    agreement: AgreementQuery | None
    #: the code articles it names (« L1224-1 »), their fiches first
    articles: list[CitedArticle]


@dataclass(frozen=True)
class _Reading:
    """A query read once: the articles and agreement it names, and the text left to search."""

    articles: ArticleQuery | None
    agreement: AgreementQuery | None
    text: str


@dataclass(frozen=True)
class RankingConfig:
    """Everything measured in docs/SEARCH.md, in one place."""

    boosts: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BOOSTS))
    query: QueryWeights = field(default_factory=QueryWeights)
    fusion: FusionConfig = field(default_factory=FusionConfig)
    #: candidates taken from each side before fusion (200: real keyword queries gain on both
    #: topic halves over 100; the development questions are flat between 100 and 400)
    candidates: int = 200
    #: score multiplier per publication kind: a dossier is a hub of links, the fiche under it
    #: answers (× 0.6: real keyword queries gain on both topic halves, lexical and hybrid; the
    #: development questions, which never expect a dossier, are unchanged — docs/SEARCH.md); so
    #: are a « comment faire si » page and a guided search, which walk through the steps of a
    #: situation by linking the fiches that answer each (the same 0.6: both halves gain)
    kind_weights: dict[str, float] = field(
        default_factory=lambda: {DOSSIER: 0.6, COMMENT_FAIRE: 0.6, RECHERCHE_GUIDEE: 0.6}
    )
    #: hybrid only: a lexical candidate matching every typed word (or a stand-in: correction,
    #: completion, lexicon expansion) scores × (1 + this) before fusion. 0: since the body's
    #: exact forms, which favour the fiche writing what was typed, 0.25 loses on both topic
    #: halves and the development questions' MRR (docs/SEARCH.md); kept for the benchmark
    coordination: float = 0.0
    #: two adjacent typed words found side by side in the body count this much more (× BM25):
    #: "mise à pied", "13e mois", "travail le samedi" (measured 0.3–2 on both sets)
    phrase_weight: float = 1.0
    #: the dense model reads the query with accents restored and typos corrected
    dense_rewrite: bool = True
    #: ... and, in a query of at most this many words, the lexicon's acronyms spelt out beside
    #: them (« calcul cp (congés payés) »; 0: never). Measured: real keyword queries gain on
    #: both topic halves; a long question has its context already, and its added words would
    #: cost the model's time where the hybrid's p99 lies — docs/SEARCH.md
    dense_acronyms: int = 6
    #: each field rates a term by (idf where it is most common / its own idf) ** this, so a body
    #: word rare in titles does not outweigh a fiche holding every typed word (allo.search.index;
    #: measured 0 / 0.5 / 1: real keyword queries gain on both topic halves — docs/SEARCH.md)
    idf_blend: float = 0.5
    #: a typed word the body writes as typed (not only its stem) adds this × the body's weight
    #: × its BM25 there (allo.search.index: EXACT_FIELD; measured 0.15–1.5: real keyword queries
    #: gain on both topic halves, lexical and hybrid — docs/SEARCH.md)
    exact_weight: float = 0.7
    #: a fiche whose title or breadcrumb names a public the query does not name (« … dans la
    #: fonction publique »: allo.search.publics) scores × this: the general answer comes first
    #: (measured 0.6–0.9: real keyword queries gain on both topic halves, hit@5 and MRR, and the
    #: development questions' MRR too — docs/SEARCH.md)
    public_weight: float = 0.7
    #: hybrid only: the fused score × (link centrality) ** this: a fiche that many fiches of its
    #: source link to rises a little over a narrow one sharing its words (allo.search.centrality;
    #: measured 0.05–0.3: real keyword queries gain on both topic halves, hit@5 and MRR, and the
    #: development questions' MRR too; the lexical engine alone would lose a development
    #: question's hit@5, so it keeps plain sums — docs/SEARCH.md)
    link_prior: float = 0.1
    #: a query naming a collective agreement (« prime syntec ») searches the fiches without its
    #: name, and those that say an agreement can change the answer score × this
    #: (allo.search.agreements; measured 1.3 / 2 / first of all: real keyword queries naming
    #: an agreement gain; the development questions name none — docs/SEARCH.md)
    agreement_weight: float = 2.0
    #: whether collective agreements are read out of queries at all (off: the benchmark's
    #: baseline)
    agreements: bool = True
    #: whether code articles (« L1224-1 ») are read out of queries: the fiches whose references
    #: cover them come first (allo.search.articles)
    articles: bool = True


#: where a name typed without saying it is an agreement must be rare (allo.search.agreements)
AGREEMENT_TITLE_FIELDS = ("title", "description")
#: everywhere a fiche speaks: where an agreement's name must be absent, and where an ordinary
#: word is counted (`SearchService.is_ordinary_word`)
BASE_FIELDS = ("title", "description", "questions", "body")
#: a word this share of the fiches hold (anywhere) is of the base's ordinary vocabulary
ORDINARY_SHARE = 0.01


class SearchService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        embedder: Embedder | None = None,
        cache: EmbeddingCache | VectorCache | None = None,
        analyzer: FrenchAnalyzer | None = None,
        lexicon: Lexicon | None = None,
        config: RankingConfig | None = None,
        check_interval: float = 2.0,
        query_cache_size: int = 1024,
        embed_missing: bool = True,
        background_embedding: bool = True,
        analysis_path: Path | None = None,
        max_embed: int | None = None,
        write_sessions: sessionmaker[Session] | None = None,
        background_refresh: bool = False,
    ) -> None:
        #: the session factory fiches are read with
        self.sessions = sessions
        #: where missing passages are stored (None: `sessions`)
        self.write_sessions = write_sessions
        self.embedder = embedder
        self.cache = cache
        self.analyzer = analyzer or default_analyzer()
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        #: collective agreements a query may name (official list, shipped with Allo)
        self.agreements: AgreementCatalog = default_catalog()
        self.config = config or RankingConfig()
        #: seconds between checks of the knowledge base's version (one indexed count/max query):
        #: a published local fiche is findable in every worker within about this delay
        self.check_interval = check_interval
        self.query_cache_size = query_cache_size
        #: whether this process embeds the fiches missing from the cache (a server does, in
        #: the background; one-shot commands leave it to `allo search reindex`)
        self.embed_missing = embed_missing
        #: where analysed documents are kept between processes (None: not kept)
        self.analysis_path = analysis_path
        self.background_embedding = background_embedding
        #: beyond this many fiches without a vector, this process does not embed them itself
        #: (None: no limit); the import computes them once and the next check picks them up
        self.max_embed = max_embed
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_lock = threading.Lock()
        #: embeds the query while the lexical side ranks (the model releases the GIL: measured
        #: 20 embeddings beside pure-Python work in 62 % of the serial time on 2 cores)
        self._embedding_pool: tuple[int, ThreadPoolExecutor] | None = None
        self._refresh_lock = threading.Lock()
        #: whether requests leave the version check, and the reload of a changed base (0.56 s
        #: of a worker's CPU on the full corpus), to a background thread (a server does)
        self.background_refresh = background_refresh
        self._refresh_thread: threading.Thread | None = None
        self._refresh_start_lock = threading.Lock()
        self._embed_thread: threading.Thread | None = None
        #: ids of fiches waiting for their vector
        self._pending: set[str] = set()
        self._checked_at = 0.0
        #: wall-clock time of the last build or applied change (status: index age)
        self.updated_at = time.time()
        self._version: str | None = None
        self._titles_version: str | None = None
        self._hashes: dict[str, str] = {}
        #: each fiche's stored passages (search_passage), loaded with the index
        self.passages = PassageStore(self.analyzer)
        #: ids of fiches whose passages are not stored for their version yet
        self._passage_pending: set[str] = set()
        self._passage_thread: threading.Thread | None = None
        self.engine: SearchEngine = self._build()
        self._attach_vectors(self.engine, sorted(self.engine.ords.values()))
        self._load_passages(None)

    # -- building and refreshing -------------------------------------------------------------------
    def _load(self) -> tuple[str, str, dict[str, str], list[SearchDocument]]:
        with self.sessions() as session:
            version = knowledge_base_version(session)
            titles = passage_titles_version(session)
            hashes = fiche_hashes(session)
            documents = build_documents(searchable_fiches(session))
        return version, titles, hashes, documents

    def _build(self) -> SearchEngine:
        version, titles, hashes, documents = self._load()
        dim = self.embedder.dim if self.embedder is not None else 1
        cached = analysis_cache.load(self.analysis_path)
        fingerprints = [d.fingerprint() for d in documents]
        engine = SearchEngine(
            self.analyzer, documents, dim, cached.analyses, cached.counts_for(fingerprints)
        )
        if self.analysis_path and set(engine.analyses) != set(cached.analyses):
            try:
                analysis_cache.save(self.analysis_path, engine.analyses, engine.word_counts)
            except OSError:
                log.warning("search analysis cache not writable")
        self._version, self._hashes, self._checked_at = version, hashes, time.monotonic()
        self._titles_version = titles
        self.updated_at = time.time()
        self._parser = self._make_parser(engine)
        return engine

    def _make_parser(self, engine: SearchEngine) -> QueryParser:
        return QueryParser(
            self.analyzer,
            self.lexicon,
            engine.vocabulary,
            self.config.query,
            term_exists=lambda term: engine.index.doc_freq(term) > 0,
            dense_rewrite=self.config.dense_rewrite,
            dense_acronyms=self.config.dense_acronyms,
        )

    def set_config(self, config: RankingConfig) -> None:
        """Change the ranking settings (benchmarks compare settings on one built index)."""
        self.config = config
        self._parser = self._make_parser(self.engine)

    def rebuild(self) -> SearchEngine:
        """Rebuild everything from the database (`allo search reindex`)."""
        with self._refresh_lock:
            self._pending.clear()
            self.engine = self._build()
            self._attach_vectors(self.engine, sorted(self.engine.ords.values()))
            self.passages = PassageStore(self.analyzer)
            self._load_passages(None)
            return self.engine

    def refresh(self, force: bool = False) -> Change | None:
        """Apply the fiches changed since the last check; None when nothing was checked."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_interval:
            return None
        if not self._refresh_lock.acquire(blocking=force):
            return None  # another thread is refreshing: keep serving the current state
        try:
            self._checked_at = now
            self._adopt_stored_vectors()
            self._take_pending_passages()  # left over if the thread was ending meanwhile
            with self.sessions() as session:
                version = knowledge_base_version(session)
                # section titles arrive with passages, after their fiche (the dense text)
                titles = passage_titles_version(session)
                if version == self._version and titles == self._titles_version and not force:
                    return Change(0, 0, 0)
                hashes = fiche_hashes(session)
            if hashes == self._hashes and titles == self._titles_version:
                self._version = version  # e.g. a non-searchable publication changed
                return Change(0, 0, 0)
            version, titles, hashes, documents = self._load()
            change, fresh = self.engine.apply(documents)
            before = self._hashes
            self._version, self._hashes, self._titles_version = version, hashes, titles
            self.passages.discard(i for i in before if i not in hashes)
            changed = [i for i, h in hashes.items() if before.get(i) != h]
            if changed:
                self._load_passages(changed)
            if change:
                self.updated_at = time.time()
                self._parser = self._make_parser(self.engine)
                self._attach_vectors(self.engine, fresh)
                log.info(
                    "search index updated: %d added, %d updated, %d removed",
                    change.added,
                    change.updated,
                    change.removed,
                )
            return change
        finally:
            self._refresh_lock.release()

    def refresh_if_due(self) -> None:
        """What requests call. Once the check interval has passed, the base is checked and a
        change applied: by this thread, or by a background thread for a server, so that no
        advisor's search waits for the reload; requests meanwhile use the current state."""
        if not self.background_refresh:
            self.refresh()
            return
        if time.monotonic() - self._checked_at < self.check_interval:
            return
        with self._refresh_start_lock:
            thread = self._refresh_thread
            if thread is not None and thread.is_alive():
                return
            thread = threading.Thread(
                target=self._refresh_in_background, name="allo-search-refresh", daemon=True
            )
            self._refresh_thread = thread
            thread.start()

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:  # the next check tries again; requests keep the current state
            log.exception("search index check failed")

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        thread = self._refresh_thread
        if thread is not None:
            thread.join(timeout)

    def _load_passages(self, ids: list[str] | None) -> None:
        """Take the stored passages of these fiches (None: all) for their current version; the
        missing ones are taken from the bodies out of the request path."""
        with self.sessions() as session:
            rows = stored_passages(session, EXTRACTOR, ids)
        hashes = self._hashes
        for fiche_id, (content_hash, analysis, data) in rows.items():
            if hashes.get(fiche_id) == content_hash:
                self.passages.put(fiche_id, StoredPassages(content_hash, analysis, data))
        wanted = hashes if ids is None else ids
        missing = {i for i in wanted if i in hashes and not self.passages.has(i, hashes[i])}
        if not missing:
            return
        self._passage_pending.update(missing)
        self._take_pending_passages()

    def _take_pending_passages(self) -> None:
        if not self._passage_pending:
            return
        if not self.background_embedding:
            self.compute_pending_passages()
        elif self._passage_thread is None or not self._passage_thread.is_alive():
            self._passage_thread = threading.Thread(
                target=self.compute_pending_passages, name="allo-search-passages", daemon=True
            )
            self._passage_thread.start()

    def compute_pending_passages(self) -> int:
        """Take the passages of the fiches that have none stored for their version from their
        bodies, store them for every process and keep them. Returns how many fiches."""
        done = 0
        while self._passage_pending:
            # one transaction per batch: SQLite writers wait for one batch at most
            ids = sorted(self._passage_pending)[:PASSAGE_BATCH]
            self._passage_pending.difference_update(ids)
            try:
                with unit_of_work(self.write_sessions or self.sessions) as session:
                    compute_passages(session, ids)
                    rows = stored_passages(session, EXTRACTOR, ids)
            except Exception:  # a failed store must not stop the worker: no passage meanwhile
                log.exception("search passages not stored")
                return done
            for fiche_id, (content_hash, analysis, data) in rows.items():
                if self._hashes.get(fiche_id) == content_hash:
                    self.passages.put(fiche_id, StoredPassages(content_hash, analysis, data))
                    done += 1
        return done

    def wait_for_passages(self, timeout: float | None = None) -> None:
        thread = self._passage_thread
        if thread is not None:
            thread.join(timeout)

    def _attach_vectors(self, engine: SearchEngine, ords: list[int]) -> None:
        """Give documents their cached vectors; embed the others out of the request path."""
        if self.embedder is None or self.cache is None or not ords:
            return
        docs = [d for d in (engine.docs[o] for o in ords) if d is not None]
        keys = {d.id: self.cache.key(d.embedding_text) for d in docs}
        found = self.cache.lookup(keys.values())
        missing = []
        for o in ords:
            doc = engine.docs[o]
            if doc is None:
                continue
            vector = found.get(keys[doc.id])
            if vector is None:
                missing.append(doc.id)
            else:
                engine.dense.set(o, vector)
        if missing:
            self._pending.update(missing)
            if not self.embed_missing:
                return
            if self.max_embed is not None and len(self._pending) > self.max_embed:
                return
            if self.background_embedding:
                self._start_embedding()
            else:
                self.embed_pending()

    def _adopt_stored_vectors(self) -> int:
        """Take the vectors another process stored meanwhile (the import, a reindex)."""
        if not self._pending or self.cache is None:
            return 0
        if self._embed_thread is not None and self._embed_thread.is_alive():
            return 0
        engine = self.engine
        docs = {
            i: d
            for i in list(self._pending)
            if (o := engine.ords.get(i)) is not None and (d := engine.docs[o]) is not None
        }
        self._pending.intersection_update(docs)
        keys = {i: self.cache.key(d.embedding_text) for i, d in docs.items()}
        found = self.cache.lookup(keys.values())
        adopted = 0
        for doc_id, key in keys.items():
            vector = found.get(key)
            if vector is not None:
                engine.dense.set(engine.ords[doc_id], vector)
                self._pending.discard(doc_id)
                adopted += 1
        return adopted

    def _start_embedding(self) -> None:
        if self._embed_thread is not None and self._embed_thread.is_alive():
            return
        self._embed_thread = threading.Thread(
            target=self.embed_pending, name="allo-search-embed", daemon=True
        )
        self._embed_thread.start()

    def embed_pending(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed the fiches that have no vector yet (cached on disk for every process).

        Works by fiche id against the current engine, so a rebuild meanwhile loses nothing.
        """
        if self.embedder is None or self.cache is None:
            return 0
        done = 0
        while self._pending:
            ids = sorted(self._pending)
            self._pending.difference_update(ids)
            engine = self.engine
            texts = {
                i: d.embedding_text
                for i in ids
                if (o := engine.ords.get(i)) is not None and (d := engine.docs[o]) is not None
            }
            vectors = self.cache.ensure(
                list(texts.values()), self.embedder.embed_documents, progress=progress
            )
            engine = self.engine  # the one in service now
            for doc_id, text in texts.items():
                vector = vectors.get(self.cache.key(text))
                o = engine.ords.get(doc_id)
                doc = engine.docs[o] if o is not None else None
                if vector is not None and doc is not None and doc.embedding_text == text:
                    engine.dense.set(o, vector)  # type: ignore[arg-type]
                    done += 1
        return done

    def use_embedder(
        self, embedder: Embedder | None, cache: EmbeddingCache | VectorCache | None
    ) -> None:
        """Switch the semantic side on (with its vectors, from the cache) or off; the query
        vectors of the previous model are forgotten (another model, another space)."""
        with self._refresh_lock:
            self.embedder, self.cache = embedder, cache
            self.forget_query_vectors()
            engine = self.engine
            engine.dense = DenseIndex(embedder.dim if embedder else 1, len(engine.docs))
            self._pending.clear()
            self._attach_vectors(engine, sorted(engine.ords.values()))

    def missing_vectors(self) -> int:
        """How many searchable fiches have no vector yet."""
        if not self.semantic:
            return 0
        engine = self.engine
        return sum(1 for o in engine.ords.values() if not engine.dense.has(o))

    def status(self) -> SearchStatus:
        engine = self.engine
        live = list(engine.ords.values())
        with_vector = sum(1 for o in live if engine.dense.has(o)) if self.semantic else 0
        return SearchStatus(
            fiches=len(live),
            semantic=self.semantic,
            model=self.embedder.name if self.embedder is not None else None,
            with_vector=with_vector,
            index_age_s=max(0.0, time.time() - self.updated_at),
            built_at=self.updated_at,
        )

    def documents(self) -> list[SearchDocument]:
        return [d for d in self.engine.docs if d is not None]

    def wait_for_embeddings(self, timeout: float | None = None) -> None:
        thread = self._embed_thread
        if thread is not None:
            thread.join(timeout)

    # -- queries ------------------------------------------------------------------------------------
    def parse(self, query: str) -> ParsedQuery:
        return self._parser.parse(query)

    def _cached_vector(self, text: str) -> np.ndarray | None:
        with self._query_lock:
            cached = self._query_vectors.get(text)
            if cached is not None:
                self._query_vectors.move_to_end(text)
            return cached

    def _embed_beside(self, text: str) -> Future[np.ndarray]:
        """The query's vector, computed in the embedding thread while the caller ranks."""
        future: Future[np.ndarray] = Future()
        cached = self._cached_vector(text)
        if cached is not None:
            future.set_result(cached)
            return future
        started = threading.Event()

        def embed() -> np.ndarray:
            started.set()
            return self.query_vector(text)

        future = self._embedding_executor().submit(embed)
        # Hand the interpreter over until the model runs (it releases the GIL): otherwise the
        # thread waits for the next switch interval (5 ms) behind the lexical step. Bounded:
        # the thread may be busy with another request's query.
        started.wait(0.01)
        return future

    def forget_query_vectors(self) -> None:
        """Empty the query-vector cache: its vectors belong to the embedder that made them
        (`use_embedder` calls it)."""
        with self._query_lock:
            self._query_vectors.clear()

    def query_vector(self, text: str) -> np.ndarray:
        """The query's vector; a small LRU cache answers repeated queries (never benchmarks)."""
        assert self.embedder is not None
        cached = self._cached_vector(text)
        if cached is not None:
            return cached
        vector = self.embedder.embed_query(text)
        if self.query_cache_size > 0:
            with self._query_lock:
                self._query_vectors[text] = vector
                while len(self._query_vectors) > self.query_cache_size:
                    self._query_vectors.popitem(last=False)
        return vector

    def _embedding_executor(self) -> ThreadPoolExecutor:
        """One thread per process (the model takes one query at a time); a forked process
        makes its own, its parent's thread does not exist in it."""
        with self._query_lock:
            current = self._embedding_pool
            if current is None or current[0] != os.getpid():
                pool = ThreadPoolExecutor(1, thread_name_prefix="allo-query-embedding")
                self._embedding_pool = current = (os.getpid(), pool)
            return current[1]

    @property
    def semantic(self) -> bool:
        return self.embedder is not None and self.cache is not None

    def search(
        self,
        query: str,
        limit: int = 10,
        audience: str | None = None,
        source: str | None = None,
        *,
        semantic: bool | None = None,
        passages: bool = True,
        idcc: str | None = None,
    ) -> list[SearchHit]:
        """The best fiches for a question, best first; `semantic=False` forces the lexical engine.

        `passages`: each hit carries the passage of its fiche that answers best. `idcc`: the
        caller's collective agreement, chosen from the list (as if the query named it)."""
        validate(query, audience)
        chosen = self.chosen_agreement(idcc)
        limit = max(1, min(int(limit), MAX_LIMIT))
        started = time.perf_counter()
        self.refresh_if_due()
        engine = self.engine
        reading = self._read(engine, query, chosen)
        named, parsed = reading.articles, self._parser.parse(reading.text)
        use_dense = (self.semantic if semantic is None else semantic and self.semantic) and bool(
            engine.dense.present.any()
        )
        reweighted = self.config.public_weight != 1.0 or any(
            w != 1.0 for w in self.config.kind_weights.values()
        )
        cited = reading.agreement is not None and self.config.agreement_weight != 1.0
        # Fusion and weights re-rank candidates; the lexical engine alone needs `limit` only.
        # (kind and public weights only demote: twice `limit` holds the re-weighted top unless
        # more than `limit` dossiers or variants crowd it)
        pending: Future[np.ndarray] | None = None
        if use_dense and parsed.text:
            pending = self._embed_beside(parsed.dense_text or parsed.text)
        k = (
            max(self.config.candidates, limit)
            if use_dense or cited or named is not None
            else limit * (2 if reweighted else 1)
        )
        # at partial vector coverage the blend, coordination included, counts for less
        coverage = engine.coverage() if use_dense else 0.0
        lexical = engine.lexical(
            parsed.terms,
            k,
            self.config.boosts,
            audience,
            source,
            parsed.groups,
            self.config.coordination * self.config.fusion.trust(coverage),
            self.config.phrase_weight,
            self.config.idf_blend,
            parsed.exact,
            self.config.exact_weight,
        )
        if pending is not None:
            vector = pending.result()
            dense = engine.dense.search(vector, k, engine.mask(audience, source))
            ranked = fuse(
                lexical,
                dense,
                self.config.fusion,
                engine.dense.has,
                coverage,
                _once_each(self._weight(engine, parsed) if reweighted else None),
                self._link_prior(engine, coverage),
            )
        else:
            ranked = [(h.ord, h.score) for h in lexical]
        if reweighted and pending is None:  # (the fusion applied them)
            weight = self._weight(engine, parsed)
            ranked = sorted(((o, s * weight(o)) for o, s in ranked), key=lambda item: -item[1])
        if cited:
            ranked = self._agreement_first(engine, ranked)
        if named is not None:
            ranked = self._citing_first(engine, named, ranked, engine.mask(audience, source))
        hits: list[SearchHit] = []
        for ord_, score in ranked:
            doc = engine.document(ord_)
            if doc is None:
                continue
            hits.append(
                SearchHit(
                    id=doc.id,
                    title=doc.title,
                    score=round(float(score), 4),
                    audiences=doc.audiences,
                    url=doc.url,
                    kind=doc.kind,
                    source=doc.source,
                    description=doc.description,
                )
            )
            if len(hits) == limit:
                break
        if passages:
            hits = self.with_passages(parsed, hits)
        mode = "hybrid" if use_dense and parsed.text else "lexical"
        SEARCH_SECONDS.labels(mode).observe(time.perf_counter() - started)
        return hits

    def notices(self, query: str, idcc: str | None = None) -> QueryNotices:
        """What a query names besides its words — a collective agreement (« prime syntec »), code
        articles (« L1224-1 ») — read as `search` reads it, to show above the fiches; `idcc`: the
        agreement chosen from the list, first."""
        chosen = self.chosen_agreement(idcc)
        if not isinstance(query, str) or not query.strip():
            return QueryNotices(None, [])
        self.refresh_if_due()
        engine = self.engine
        reading = self._read(engine, query, chosen)
        named = reading.articles
        articles = [engine.articles.describe(a) for a in named.articles] if named else []
        return QueryNotices(reading.agreement, articles)

    def citations(self, text: str) -> list[ArticleCitations]:
        """Every fiche searched (official and the service's own) citing each article `text` names
        (« L1224-1 »): what the editors' legal watch reviews when a code article changes. Read
        whatever `config.articles` says: this is a lookup, not a search. Refused in French when
        `text` names no article (`watched_articles`)."""
        self.refresh_if_due()
        engine = self.engine
        named = watched_articles(text, engine.articles.codes)
        return [citations(engine.articles, a, engine.document) for a in named.articles]

    def is_ordinary_word(self, word: str) -> bool:
        """Whether the fiches use a typed word as an ordinary word (a stop word, or held by 1 %
        of them at least): such a word rarely names a place or an agreement (« titre »,
        « frais »), where « Lyon » is in 37 of the 4,233 full-corpus fiches."""
        engine = self.engine
        if not self.analyzer.terms(word):
            return True
        return engine.count_holding(word, BASE_FIELDS) >= max(3, ORDINARY_SHARE * engine.size)

    def chosen_agreement(self, idcc: str | None) -> Agreement | None:
        """The agreement of an IDCC chosen from the list (`AgreementCatalog.chosen`)."""
        return self.agreements.chosen(idcc)

    def _read(self, engine: SearchEngine, query: str, chosen: Agreement | None = None) -> _Reading:
        """Code articles first (their pieces are no words), then an agreement in what is left;
        the text searched is what neither took (the query as typed if nothing else is left).
        An agreement chosen from the list comes before any the query names."""
        named = self._articles_in(engine, query)
        text = named.rest if named is not None else query
        agreement = self._agreement_in(engine, text) if text else None
        if agreement is not None and agreement.rest:
            text = agreement.rest
        if chosen is not None:
            agreement = with_chosen(chosen, agreement, text)
        return _Reading(named, agreement, text)

    def _articles_in(self, engine: SearchEngine, query: str) -> ArticleQuery | None:
        if not self.config.articles:
            return None
        return read_articles(query, engine.articles.codes)

    def _citing_first(
        self,
        engine: SearchEngine,
        named: ArticleQuery,
        ranked: list[tuple[int, float]],
        mask: np.ndarray | None,
    ) -> list[tuple[int, float]]:
        """The fiches citing the query's articles, then the others. Among the citing ones the
        rest of the query orders first; then the narrowest reference (the fiche that cites this
        very article before the one citing its whole chapter), the fiche whose references are
        most about that chapter (« Le congé de maternité » for L1225-17, not the fiche on
        internships or the one on posted workers, which cite it among many), the most linked."""
        citing: dict[int, ArticleSpan] = {}
        for article in named.articles:
            for ord_, span in engine.articles.citing(article).items():
                if mask is not None and not per_ordinal(mask, ord_, 0.0):
                    continue
                if ord_ not in citing or span.width < citing[ord_].width:
                    citing[ord_] = span
        if not citing:
            return ranked
        position = {o: i for i, (o, _s) in enumerate(ranked)}
        score = dict(ranked)
        centrality = engine.centrality

        def order(ord_: int) -> tuple[int, int, float, float]:
            span, doc = citing[ord_], engine.document(ord_)
            spans = doc.articles if doc is not None else ()
            chapter = sum(
                1 for o in spans if o.family == span.family and o.first[0] == span.first[0]
            )
            prior = per_ordinal(centrality, ord_, 1.0)
            share = chapter / max(1, len(spans))  # (a fiche removed meanwhile cites nothing)
            return (position.get(ord_, len(ranked)), span.width, -share, -prior)

        first = sorted(citing, key=order)
        others = [(o, s) for o, s in ranked if o not in citing]
        # scores stay in rank order: a citing fiche scores its own plus the best other's
        lift = max((s for _o, s in others), default=0.0)
        return [(o, score.get(o, 0.0) + lift) for o in first] + others

    def _agreement_in(self, engine: SearchEngine, query: str) -> AgreementQuery | None:
        if not self.config.agreements:
            return None
        return self.agreements.detect(
            query,
            lambda text: engine.count_holding(text, AGREEMENT_TITLE_FIELDS),
            lambda text: engine.count_holding(text, BASE_FIELDS),
        )

    def _agreement_first(
        self, engine: SearchEngine, ranked: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """The fiches that say a collective agreement can change the answer, × the weight."""
        cites, weight = engine.cites_agreements, self.config.agreement_weight
        return sorted(
            ((o, s * weight if per_ordinal(cites, o, 0.0) else s) for o, s in ranked),
            key=lambda item: -item[1],
        )

    def _link_prior(self, engine: SearchEngine, coverage: float) -> Callable[[int], float] | None:
        """The blend's multiplier per candidate: its link centrality ** `link_prior`, counted as
        far as the vectors cover the corpus (none at all: the lexical ranking exactly)."""
        exponent = self.config.link_prior * self.config.fusion.trust(coverage)
        if not exponent:
            return None
        centrality = engine.centrality  # (an ordinal added since its last refresh weighs 1)
        return lambda o: per_ordinal(centrality, o, 1.0) ** exponent

    def _weight(self, engine: SearchEngine, parsed: ParsedQuery) -> Callable[[int], float]:
        """Per ordinal, its kind's weight, × the public weight when the fiche names a public
        the query does not (allo.search.publics)."""
        kinds = self.config.kind_weights
        marks, public_weight = engine.publics, self.config.public_weight
        unnamed = ~engine.public_catalog.named_by(t for t, _w in parsed.terms)

        def weight(ord_: int) -> float:
            doc = engine.document(ord_)
            if doc is None:
                return 1.0
            kind = kinds.get(doc.kind, 1.0)
            # (an ordinal added since the marks' last refresh names no public yet)
            mark = int(per_ordinal(marks, ord_, 0.0))
            return kind * public_weight if mark & unnamed else kind

        return weight

    def with_passages(self, query: str | ParsedQuery, hits: list[SearchHit]) -> list[SearchHit]:
        """The hits, each with the passage of its fiche that answers the query best (a page of
        results asks for its own hits only)."""
        if isinstance(query, str):
            # what the fiches were searched with: no article's pieces (« L1224-1 ») nor the
            # agreement's name, which would pick the passages saying « banque » or « 2 »
            parsed = self._parser.parse(self._read(self.engine, query).text)
        else:
            parsed = query
        if not hits or not parsed.terms:
            return hits
        found = self.fiche_passages([h.id for h in hits])
        return [
            dataclasses.replace(h, passage=match(found.get(h.id, []), parsed.terms, self.analyzer))
            for h in hits
        ]

    def fiche_passages(self, ids: list[str]) -> dict[str, list[Passage]]:
        """The stored passages of these fiches for their current version (no body is read)."""
        return self.passages.get(ids, self._hashes)

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Titles and known questions matching what is being typed (lexical, a few hundred µs)."""
        if not prefix or not prefix.strip():
            return []
        limit = max(1, min(int(limit), 20))
        started = time.perf_counter()
        self.refresh_if_due()
        found = self.engine.suggester.suggest(prefix, limit)
        SEARCH_SECONDS.labels("suggest").observe(time.perf_counter() - started)
        return found


def _once_each(factor: Callable[[int], float] | None) -> Callable[[int], float] | None:
    """A per-candidate factor computed once per ordinal for a query: `fuse` asks for a lexical
    candidate's kind weight twice (its score, then the order a fiche without a vector keeps)."""
    return functools.cache(factor) if factor is not None else None


def validate(query: str, audience: str | None = None) -> None:
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("Saisissez au moins un mot à rechercher.")
    if audience is not None and audience not in AUDIENCES:
        raise InvalidInput(
            "Public inconnu : choisissez « particuliers », « professionnels » ou « associations »."
        )


def build_search_service(
    runtime: Runtime, embed_threads: int | None = None, **options: Any
) -> SearchService:
    """A service configured by the settings; vectors from the database (`search_vector`)."""
    embedder = make_embedder(runtime.settings, threads=embed_threads)
    cache = None
    if embedder is not None:
        legacy = runtime.settings.home / "search" / "embeddings"
        cache = VectorStore(
            runtime.sessions,
            embedder.name,
            embedder.dim,
            layers=file_layers(legacy, embedder.name),
        )
    options.setdefault("analysis_path", analysis_cache.cache_path(runtime.settings.home / "search"))
    options.setdefault("max_embed", MAX_WORKER_EMBED)
    options.setdefault("write_sessions", runtime.sessions)
    if isinstance(runtime.sessions.kw.get("bind"), Connection):
        # Sessions joined to one connection (a caller's outer transaction) cannot be used from a
        # second thread: missing passages and vectors are then computed, and changes applied,
        # in the caller's thread.
        options.setdefault("background_embedding", False)
    options.setdefault("background_refresh", options.get("background_embedding", True))
    return SearchService(runtime.read_sessions, embedder=embedder, cache=cache, **options)


def get_search_service(runtime: Runtime) -> SearchService:
    """This process's search service, built on first use."""
    return runtime.service("search", build_search_service)
