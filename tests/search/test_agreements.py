"""Collective agreements named in a query (« prime syntec »): read from the official list,
taken out of the fiche search, the fiches that cite agreements first; ordinary words are not."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from allo.errors import InvalidInput
from allo.kb.render.dsfr import layout
from allo.kb.stored_html import RENDERER
from allo.search.agreements import AgreementCatalog, default_catalog
from allo.search.service import SearchService


def never(_text: str) -> int:
    return 0


def everywhere(_text: str) -> int:
    return 50


@pytest.fixture(scope="module")
def catalog() -> AgreementCatalog:
    return default_catalog()


def test_the_vendored_list_holds_the_agreements_with_their_idcc_and_legifrance_text(
    catalog: AgreementCatalog,
) -> None:
    assert len(catalog.agreements) >= 40
    assert len({a.idcc for a in catalog.agreements}) == len(catalog.agreements)
    assert all(a.url.startswith("https://www.legifrance.gouv.fr/") for a in catalog.agreements)
    syntec = catalog.by_idcc["1486"]
    assert "bureaux d'études techniques" in syntec.title
    # names: an acronym of the official title, runs of the short title's words, a one-word title
    assert catalog.names[("syntec",)].agreements == (syntec,)
    assert catalog.names[("restauration", "rapid")].agreements[0].idcc == "1501"
    assert catalog.names[("banqu",)].kind == "word"
    # no roman numeral of « Tome III » becomes a name
    assert ("iii",) not in catalog.names


def test_a_named_agreement_is_taken_out_of_the_query(catalog: AgreementCatalog) -> None:
    found = catalog.detect("prime de vacances syntec", never, never)
    assert found is not None
    assert [a.idcc for a in found.agreements] == ["1486"]
    assert (found.name_text, found.rest) == ("syntec", "prime de vacances")
    several = catalog.detect("prime Bâtiment Ouvriers (Jusqu'À 10 Salariés)", never, never)
    assert several is not None and {a.idcc for a in several.agreements} == {"1596", "1597"}
    alone = catalog.detect("syntec", never, never)
    assert alone is not None and alone.rest == ""  # nothing else typed: searched as typed


def test_a_name_the_base_uses_is_an_ordinary_phrase_unless_the_query_says_agreement(
    catalog: AgreementCatalog,
) -> None:
    # « pass sport », « crédit immobilier »: the base speaks of sport and of property
    assert catalog.detect("pass sport", never, everywhere) is None
    assert catalog.detect("crédit immobilier", never, everywhere) is None
    assert catalog.detect("prime syntec", everywhere, never) is None
    # saying it is an agreement is enough, and the cue words stay in the fiche search
    cued = catalog.detect("convention collective banque prime diplome", everywhere, everywhere)
    assert cued is not None and cued.agreements[0].idcc == "2120"
    assert cued.rest == "convention collective prime diplome"
    # « rupture conventionnelle » is no cue
    assert catalog.detect("rupture conventionnelle banque", everywhere, everywhere) is None


def test_a_name_is_not_an_agreement_where_the_base_holds_it_with_the_rest_of_the_query(
    catalog: AgreementCatalog,
) -> None:
    query = "transport aérien retard indemnisation"

    def holds(text: str) -> int:
        return 3 if text == query else 0  # a fiche on flight delays speaks of air transport

    assert catalog.detect(query, never, holds) is None
    found = catalog.detect("prime transport aérien", never, holds)
    assert found is not None and found.agreements[0].idcc == "0275"


def test_an_idcc_number_names_its_agreement_only_beside_a_cue(catalog: AgreementCatalog) -> None:
    found = catalog.detect("idcc 1486 préavis démission", everywhere, everywhere)
    assert found is not None and found.agreements[0].idcc == "1486"
    assert found.rest == "idcc préavis démission"
    assert catalog.detect("1486 préavis démission", never, never) is None
    assert catalog.detect("convention 99999 préavis", never, never) is None


@pytest.mark.parametrize(
    "query", ["", "   ", "de la", "é" * 5000, " ".join(["prime"] * 500), "\x00 syntec \u202e"]
)
def test_odd_queries_name_nothing_or_stay_well_formed(
    catalog: AgreementCatalog, query: str
) -> None:
    found = catalog.detect(query, never, never)
    if found is not None:
        assert found.agreements and found.name_text in query


def test_the_fiches_that_cite_agreements_come_first_and_the_name_leaves_the_search(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche(
        "L9301",
        "Prime zorgluboise des familles",
        text="La prime zorgluboise des familles est versée par la caisse.",
    )
    add_fiche(
        "L9302",
        "Prime zorgluboise du salarié",
        text="La prime zorgluboise du salarié est prévue par la convention collective.",
    )
    service = make_service(embedder=None)
    assert service.engine.cites_agreements[service.engine.ords["L9302"]]
    assert not service.engine.cites_agreements[service.engine.ords["L9301"]]
    plain = {h.id: h.score for h in service.search("prime zorgluboise", semantic=False)}

    found = service.notices("prime zorgluboise syntec").agreement
    assert found is not None and found.agreements[0].idcc == "1486"
    named = service.search("prime zorgluboise syntec", semantic=False)
    assert named[0].id == "L9302"  # the agreement's question first
    scores = {h.id: h.score for h in named}
    assert scores["L9302"] == pytest.approx(2 * plain["L9302"], rel=1e-3)
    assert scores["L9301"] == pytest.approx(plain["L9301"], rel=1e-3)
    # with the weight at 1 the name still leaves the search: the ranking of « prime zorgluboise »
    service.set_config(dataclasses.replace(service.config, agreement_weight=1.0))
    flat = service.search("prime zorgluboise syntec", semantic=False)
    assert {h.id: h.score for h in flat} == plain
    # an ordinary query is untouched
    assert service.notices("prime zorgluboise").agreement is None
    # not reading agreements: the query searched whole, no agreement shown
    service.set_config(dataclasses.replace(service.config, agreements=False))
    assert service.notices("prime zorgluboise syntec").agreement is None
    whole = service.search("prime zorgluboise syntec", semantic=False)
    assert {h.id: h.score for h in whole} == plain  # « syntec » matches nothing, nothing × 2


def test_a_base_that_speaks_of_the_name_with_the_rest_keeps_the_query_whole(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche(
        "L9303",
        "Prime d'équipe",
        text="La prime d'équipe des bureaux d'études (Syntec) se calcule sur le salaire de base.",
    )
    service = make_service(embedder=None)
    assert service.notices("prime syntec").agreement is None
    assert service.search("prime syntec", semantic=False)[0].id == "L9303"
    assert service.notices("").agreement is None


def test_the_agreement_s_name_chooses_no_passage(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    body = """
<section class="allo-chapitre" id="section-1"><h2>Montant</h2>
<p>La prime zorgluboise est versée chaque année.</p></section>
<section class="allo-chapitre" id="section-2"><h2>Selon l'employeur</h2>
<p>Dans la banque, la prime zorgluboise est versée par la banque à ses salariés de banque,
comme le prévoit l'accord de la banque.</p></section>
"""
    add_fiche(
        "L9304",
        "Prime zorgluboise",
        text="prime zorgluboise montant",
        html=layout(body),
        html_renderer=RENDERER,
    )
    service = make_service(embedder=None)
    query = "convention collective banque prime zorgluboise"
    assert service.notices(query).agreement is not None
    hits = service.search(query, semantic=False, passages=False)
    (chosen,) = [h.passage for h in service.with_passages(query, hits) if h.id == "L9304"]
    assert chosen is not None and chosen.anchor == "section-1"
    (in_search,) = [h.passage for h in service.search(query, semantic=False) if h.id == "L9304"]
    assert in_search == chosen  # the portal's page and the API choose alike
    whole = service.with_passages("prime zorgluboise banque", hits)  # no agreement named
    assert [h.passage.anchor for h in whole if h.id == "L9304" and h.passage] == ["section-2"]


def test_an_idcc_chosen_from_the_list_is_found_with_or_without_its_zeros(
    catalog: AgreementCatalog,
) -> None:
    found = catalog.get("44")
    assert found is not None and found.idcc == "0044"
    assert catalog.get(" 0044 ") == found and catalog.get("1486") == catalog.get("01486")
    assert catalog.get("9999") is None and catalog.get("abc") is None and catalog.get("") is None
    assert catalog.get("0") is None and catalog.get("-44") is None


def test_the_picker_lists_every_agreement_by_title_accents_aside(catalog: AgreementCatalog) -> None:
    choices = catalog.choices()
    assert sorted(a.idcc for a in choices) == sorted(a.idcc for a in catalog.agreements)
    titles = [a.short_title for a in choices]
    assert titles[0].startswith("Aide") and titles[-1].startswith("Travaux publics")

    def place(start: str) -> int:
        return next(i for i, t in enumerate(titles) if t.startswith(start))

    # « Éducation… » among the E (after « Coiffure », before « Entreprises »), not after « T »
    assert place("Coiffure") < place("Éducation") < place("Entreprises de la publicité")


def test_an_agreement_chosen_from_the_list_weighs_as_a_named_one(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche(
        "L9305",
        "Prime zorgluboise des familles",
        text="La prime zorgluboise des familles est versée par la caisse.",
    )
    add_fiche(
        "L9306",
        "Prime zorgluboise du salarié",
        text="La prime zorgluboise du salarié est prévue par la convention collective.",
    )
    service = make_service(embedder=None)
    plain = {h.id: h.score for h in service.search("prime zorgluboise", semantic=False)}
    assert plain["L9305"] > plain["L9306"]  # (the family's fiche first when nothing is chosen)

    chosen = service.search("prime zorgluboise", semantic=False, idcc="2120")
    assert chosen[0].id == "L9306"
    scores = {h.id: h.score for h in chosen}
    assert scores["L9306"] == pytest.approx(2 * plain["L9306"], rel=1e-3)
    assert scores["L9305"] == pytest.approx(plain["L9305"], rel=1e-3)
    notice = service.notices("prime zorgluboise", idcc=" 02120 ").agreement
    assert notice is not None and [a.idcc for a in notice.agreements] == ["2120"]
    assert notice.name_text == ""  # nothing typed named it

    # chosen and named: the chosen one first, the named one beside it, its name not searched
    both = service.notices("prime zorgluboise syntec", idcc="2120").agreement
    assert both is not None and [a.idcc for a in both.agreements] == ["2120", "1486"]
    assert both.name_text == "syntec"
    named = service.search("prime zorgluboise syntec", semantic=False, idcc="2120")
    assert {h.id: h.score for h in named} == scores
    again = service.notices("prime zorgluboise syntec", idcc="1486").agreement
    assert again is not None and [a.idcc for a in again.agreements] == ["1486"]

    # a choice is not a guess: reading agreements out of queries off, it still counts
    service.set_config(dataclasses.replace(service.config, agreements=False))
    off = service.search("prime zorgluboise", semantic=False, idcc="2120")
    assert {h.id: h.score for h in off} == scores

    for wrong in ("9999", "abc", "1486; drop table"):
        with pytest.raises(InvalidInput, match="Convention collective inconnue"):
            service.search("prime zorgluboise", semantic=False, idcc=wrong)
        with pytest.raises(InvalidInput, match="Convention collective inconnue"):
            service.notices("prime zorgluboise", idcc=wrong)
    assert service.notices("prime zorgluboise", idcc="").agreement is None
