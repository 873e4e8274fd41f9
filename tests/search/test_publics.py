"""Publics some fiches are written for: the general answer first, unless the query names one."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest

from allo.errors import InvalidInput
from allo.kb.kinds import COMMENT_FAIRE, DOSSIER, RECHERCHE_GUIDEE
from allo.search.documents import SearchDocument
from allo.search.publics import PublicCatalog, default_publics
from allo.search.service import RankingConfig, SearchService
from tests.search.document_helpers import bare_document

# Invented words, so the bundled fiches never compete with the test's own.
RARE = "zorglubienne"

CATALOG = """
# comment
fonction publique: fonction publique, fonctionnaire, agent public, FPE
outre-mer: outre-mer, DOM
"""


def doc(title: str, context: str = "") -> SearchDocument:
    return dataclasses.replace(bare_document(title, title, ""), context=context)


def test_a_public_is_named_in_any_of_its_ways_whatever_the_form() -> None:
    catalog = PublicCatalog.parse(CATALOG)
    assert [p.name for p in catalog.publics] == ["fonction publique", "outre-mer"]
    for text in (
        "Congé de maternité dans la fonction publique",
        "Les fonctionnaires",
        "Agents publics : temps partiel",
        "Indemnité de départ volontaire dans la FPE",
        "FONCTION PUBLIQUE",
    ):
        assert catalog.named_in(text) == 0b01, text
    assert catalog.named_in("Prime pour un fonctionnaire en outre-mer") == 0b11
    # every word of a way must be there: « public » or « fonction » alone names nothing
    for text in ("Lieu public", "Fonction de l'employeur", "Congé de maternité", ""):
        assert catalog.named_in(text) == 0, text


def test_the_maintained_list_names_the_public_services() -> None:
    catalog = default_publics()
    assert catalog.named_in("Congé parental dans la fonction publique") == 1
    assert catalog.named_in("Indemnité de départ volontaire dans la FPH") == 1
    assert catalog.named_in("Congé parental d'un salarié du secteur privé") == 0


def test_a_fiche_is_marked_by_its_title_or_its_breadcrumb() -> None:
    catalog = PublicCatalog.parse(CATALOG)
    docs = [
        doc("Congé de maternité"),
        doc("Congé bonifié", "Travail\nCongés dans la fonction publique"),
        None,
        doc("Prime DOM", "Travail\nRémunération des fonctionnaires"),
    ]
    assert catalog.marks(docs).tolist() == [0, 1, 0, 3]


@pytest.mark.parametrize(
    "text",
    [
        "fonction publique fonctionnaire",  # no colon
        ": fonctionnaire",  # no name
        "fonction publique:",  # no way
        "fonction publique: le, la",  # a way of stop words only
        "\n".join(f"p{i}: mot{i}" for i in range(40)),  # more publics than the marks hold
    ],
)
def test_a_malformed_list_is_refused_in_french(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        PublicCatalog.parse(text)
    assert "publics" in str(raised.value)


def test_the_malformed_line_is_named() -> None:
    with pytest.raises(InvalidInput, match="ligne 3 "):
        PublicCatalog.parse("# publics\n\nfonction publique fonctionnaire\n")


@pytest.fixture
def variants(
    add_fiche: Callable[..., object], search_service: SearchService
) -> Iterator[SearchService]:
    """A general fiche and two variants for the public services (one named in its title, one
    in its breadcrumb), which say the rare word more often."""
    add_fiche("L9101", f"Congé {RARE}", text=f"Le congé {RARE} du salarié.")
    add_fiche(
        "L9102",
        f"Congé {RARE} dans la fonction publique",
        text=f"Le congé {RARE} de l'agent : {RARE}, {RARE}, {RARE}, {RARE}.",
    )
    add_fiche(
        "L9103",
        f"Congé {RARE} prolongé",
        text=f"Le congé {RARE} prolongé : {RARE}, {RARE}, {RARE}, {RARE}.",
        breadcrumb=[{"id": "N9", "title": "Carrière dans la fonction publique"}],
    )
    yield search_service
    search_service.set_config(RankingConfig())


def order(service: SearchService, query: str) -> list[str]:
    return [h.id for h in service.search(query, 50) if h.id.startswith(("L91", "L92"))]


def test_the_general_fiche_comes_before_the_variants_for_a_public(
    variants: SearchService,
) -> None:
    service = variants
    service.set_config(dataclasses.replace(RankingConfig(), public_weight=1.0))
    assert order(service, RARE)[0] == "L9103"  # the words alone: a variant first
    service.set_config(RankingConfig())
    assert order(service, RARE)[0] == "L9101"
    # the variants keep their own order after it, and stay in the list
    assert sorted(order(service, RARE)) == ["L9101", "L9102", "L9103"]


def test_a_query_naming_the_public_is_answered_for_it(variants: SearchService) -> None:
    service = variants
    queries = (f"{RARE} fonctionnaire", f"{RARE} fonction publique", f"{RARE} agents publics")
    shipped = [order(service, q) for q in queries]
    service.set_config(dataclasses.replace(RankingConfig(), public_weight=1.0))
    # nothing is set back: the order is that of the words alone, a variant first
    assert shipped == [order(service, q) for q in queries]
    assert all(o[0] != "L9101" and len(o) == 3 for o in shipped)


@pytest.mark.parametrize("kind", [DOSSIER, COMMENT_FAIRE, RECHERCHE_GUIDEE])
def test_a_page_linking_the_fiches_of_a_situation_comes_after_them(
    kind: str, add_fiche: Callable[..., object], search_service: SearchService
) -> None:
    add_fiche("L9201", f"Démarches {RARE}", kind=kind, text=f"{RARE} : {RARE}, {RARE}.")
    add_fiche("L9202", f"Aide {RARE}", text=f"L'aide {RARE}.")
    assert order(search_service, RARE) == ["L9202", "L9201"]
    try:
        search_service.set_config(dataclasses.replace(RankingConfig(), kind_weights={}))
        assert order(search_service, RARE) == ["L9201", "L9202"]
    finally:
        search_service.set_config(RankingConfig())


def test_fiches_added_since_the_marks_were_made_weigh_as_general(
    variants: SearchService,
) -> None:
    # between the index's commit and the refresh of what is derived from it, a search may meet
    # ordinals the marks do not hold yet: they count as naming no public, never as an error
    assert order(variants, RARE)[0] == "L9101"  # (the service takes in the test's fiches)
    engine = variants.engine
    marks = engine.publics
    try:
        engine.publics = marks[: min(engine.ords["L9102"], engine.ords["L9103"])]
        assert order(variants, RARE)[0] == "L9103"  # as the words alone rank them
    finally:
        engine.publics = marks
    assert order(variants, RARE)[0] == "L9101"
