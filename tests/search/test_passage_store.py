"""Answer passages stored by the import and loaded with the index: no request reads a body."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from allo import parallel
from allo.kb.render.dsfr import layout
from allo.kb.stored_html import RENDERER
from allo.runtime import Runtime
from allo.search import passages as passage_lib
from allo.search import repository, services
from allo.search.models import SearchPassages
from allo.search.service import SearchService
from allo.search.services import compute_passages, compute_passages_in_batches, extract_passages

RARE = "zorglubette"
BODY = """
<section class="allo-chapitre" id="section-1"><h2>Qui est concerné ?</h2>
<p>Tout titulaire d'un bail.</p></section>
<section class="allo-chapitre" id="section-2"><h2>Dépôt de garantie</h2>
<section class="allo-situation" aria-labelledby="situation-1">
<h3 id="situation-1" class="allo-situation__titre">Logement vide</h3>
<p>Le dépôt de garantie vaut un mois de loyer.</p></section>
<section class="allo-situation" aria-labelledby="situation-2">
<h3 id="situation-2" class="allo-situation__titre">Logement meublé</h3>
<p>Le dépôt de garantie vaut deux mois de loyer meublé.</p></section></section>
"""


@pytest.fixture
def fiche(add_fiche: Callable[..., Any]) -> Callable[..., Any]:
    def _add(html: str = BODY, fiche_id: str = "L9401") -> Any:
        return add_fiche(
            fiche_id,
            f"Bail {RARE} : le dépôt de garantie",
            text=f"{RARE} dépôt garantie logement vide meublé loyer",
            html=layout(html),
            html_renderer=RENDERER,
        )

    return _add


def _row(db: Session, fiche_id: str) -> SearchPassages | None:
    db.expire_all()
    return db.scalar(select(SearchPassages).where(SearchPassages.fiche_id == fiche_id))


def _no_body_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a fiche body was read")

    monkeypatch.setattr(repository, "fiche_bodies", refuse)
    monkeypatch.setattr(services.repository, "fiche_bodies", refuse)


def test_passages_are_stored_once_then_only_for_changed_fiches(
    db: Session, fiche: Callable[..., Any], remove_fiche: Callable[[str], None]
) -> None:
    fiche()
    first = compute_passages(db)
    assert first.extracted >= 1
    row = _row(db, "L9401")
    assert row is not None and row.extractor == passage_lib.EXTRACTOR
    stored = passage_lib.decode(row.data)
    assert [p.anchor for p in stored] == ["section-1", "section-2", "situation-1", "situation-2"]
    assert stored[3].path_label == "Dépôt de garantie › Logement meublé"
    assert compute_passages(db).extracted == 0  # nothing changed: no body read again
    fiche(BODY.replace("Logement meublé", "Logement garni"))
    assert compute_passages(db).extracted == 1
    assert passage_lib.decode(_row(db, "L9401").data)[3].title == "Logement garni"  # type: ignore[union-attr]
    remove_fiche("L9401")
    assert compute_passages(db).removed == 1
    assert _row(db, "L9401") is None


def test_section_titles_are_stored_and_read_by_the_dense_model(
    db: Session, fiche: Callable[..., Any], make_service: Callable[..., SearchService]
) -> None:
    fiche()
    service = make_service()  # the fiche is indexed before its passages are taken
    assert service.engine.docs[service.engine.ords["L9401"]].sections == ""  # type: ignore[union-attr]
    compute_passages(db)
    db.commit()
    row = _row(db, "L9401")
    assert row is not None
    assert row.titles == "Qui est concerné ? ; Dépôt de garantie ; Logement vide ; Logement meublé"
    # the worker sees the titles arrive (no fiche changed) and its document reads them
    service.refresh(force=True)
    doc = service.engine.docs[service.engine.ords["L9401"]]
    assert doc is not None and doc.sections == row.titles
    assert doc.embedding_text.endswith("Logement vide ; Logement meublé")
    sources = {i: s for i, _t, _d, s, _links in repository.embedding_sources(db)}
    assert sources["L9401"] == row.titles  # what the import embeds: the same text


def test_section_titles_are_chapters_and_situations_once_and_bounded() -> None:
    passages = [
        passage_lib.Passage("a", "Démarche", ("Démarche",), ""),
        passage_lib.Passage("b", "Vous êtes salarié", ("Démarche", "Vous êtes salarié"), ""),
        passage_lib.Passage("c", "En CDI", ("Démarche", "Vous êtes salarié", "En CDI"), ""),
        passage_lib.Passage("d", "Démarche", ("Démarche",), ""),
    ]
    assert passage_lib.section_titles(passages) == "Démarche ; Vous êtes salarié"
    long = [passage_lib.Passage(str(i), "x" * 50 + str(i), ("t",), "") for i in range(30)]
    assert len(passage_lib.section_titles(long)) == passage_lib.SECTION_TITLES_CHARS


def test_a_worker_loads_stored_passages_and_never_reads_a_body(
    db: Session,
    fiche: Callable[..., Any],
    make_service: Callable[..., SearchService],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fiche()
    compute_passages(db)
    db.commit()
    _no_body_reads(monkeypatch)
    service = make_service()
    hit = next(h for h in service.search(f"{RARE} meublé", 20) if h.id == "L9401")
    assert hit.passage is not None and hit.passage.anchor == "situation-2"
    assert "<mark>meublé</mark>" in hit.passage.snippet_html


def test_terms_of_another_analysis_are_recomputed_from_the_stored_text(
    db: Session,
    fiche: Callable[..., Any],
    make_service: Callable[..., SearchService],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fiche()
    compute_passages(db)
    # as if stored by an older analysis, with terms that match nothing
    old = passage_lib.decode(_row(db, "L9401").data)  # type: ignore[union-attr]
    emptied = [passage_lib.Passage(p.anchor, p.title, p.path, p.text) for p in old]
    db.execute(
        update(SearchPassages)
        .where(SearchPassages.fiche_id == "L9401")
        .values(analysis="older", data=passage_lib.encode(emptied))
    )
    db.commit()
    _no_body_reads(monkeypatch)
    hit = next(h for h in make_service().search(f"{RARE} meublé", 20) if h.id == "L9401")
    assert hit.passage is not None and hit.passage.anchor == "situation-2"


def test_terms_of_another_analysis_are_stored_again_by_the_next_import(
    db: Session, fiche: Callable[..., Any]
) -> None:
    fiche()
    fiche(BODY, fiche_id="L9402")
    compute_passages(db)
    db.execute(
        update(SearchPassages).where(SearchPassages.fiche_id == "L9401").values(analysis="older")
    )
    db.commit()
    assert services.plan_passages(db) == (["L9401"], set())
    assert compute_passages(db).extracted == 1  # that one only
    row = _row(db, "L9401")
    assert row is not None and row.analysis == passage_lib.ANALYSIS
    assert compute_passages(db).extracted == 0


def test_a_fiche_without_stored_passages_gets_them_out_of_the_request_and_stored(
    db: Session, fiche: Callable[..., Any], make_service: Callable[..., SearchService]
) -> None:
    service = make_service()
    fiche()  # e.g. a local fiche just published: no import ran
    service.refresh(force=True)
    assert _row(db, "L9401") is not None  # stored for every other process
    hit = next(h for h in service.search(f"{RARE} vide", 20) if h.id == "L9401")
    assert hit.passage is not None and hit.passage.anchor == "situation-1"


def test_a_worker_takes_missing_passages_in_a_background_thread(
    db: Session, fiche: Callable[..., Any], runtime: Runtime
) -> None:
    fiche()
    service = SearchService(runtime.read_sessions, check_interval=0.0)
    service.wait_for_passages(30)
    assert service.passages.has("L9401", repository.fiche_hashes(db)["L9401"])


def test_parallel_extraction_gives_the_same_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = {f"F{i}": layout(BODY.replace("meublé", f"meublé{i}")) for i in range(6)}
    one = extract_passages(bodies, workers=1)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    assert extract_passages(bodies, workers=2) == one
    data, titles = one["F5"]
    assert "meublé5" in passage_lib.decode(data)[3].text
    assert titles == passage_lib.section_titles(passage_lib.decode(data))


def test_the_command_commits_each_batch(
    runtime: Runtime, db: Session, fiche: Callable[..., Any]
) -> None:
    fiche()
    report = compute_passages_in_batches(runtime.sessions)
    assert report.extracted == 1 and report.fiches >= 1
    assert _row(db, "L9401") is not None
    assert "1 fiche analysée," in report.summary()
    many = dataclasses.replace(report, extracted=4233, removed=2)
    assert "4\u202f233 fiches analysées, 2 périmées supprimées" in many.summary()


def test_packed_terms_answer_like_the_counter_they_pack() -> None:
    counts = {"depot": 3, "garanti": 1, "loy": 12, "12e": 2}
    packed = passage_lib.PackedTerms.of(counts)
    assert dict(packed) == counts and len(packed) == 4
    assert packed.get("loy") == 12 and packed["12e"] == 2
    assert "depot" in packed and "depo" not in packed and "epot" not in packed
    assert packed.get("absent", 0) == 0
    with pytest.raises(KeyError):
        packed["absent"]


def test_sessions_joined_to_one_connection_compute_in_the_callers_thread(
    runtime: Runtime, engine: Any
) -> None:
    """A connection cannot serve two threads: joined sessions (a caller's outer transaction)
    get no background thread; sessions of an engine (a served worker) do."""
    from allo.db.session import make_session_factory
    from allo.search.service import build_search_service

    joined = build_search_service(runtime)
    assert joined.background_embedding is False
    own = Runtime(
        settings=runtime.settings,
        engine=engine,
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine, readonly=True),
    )
    assert build_search_service(own).background_embedding is True
