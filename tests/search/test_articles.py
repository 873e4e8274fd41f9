"""Code articles named in a query (« L1224-1 »): read from the fiches' references, the fiches
citing them first (the narrowest reference, then the rest of the query), ordinary numbers not."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from allo.errors import InvalidInput
from allo.search.articles import (
    Article,
    ArticleIndex,
    ArticleSpan,
    cited_spans,
    read_articles,
)
from allo.search.service import SearchService

TRAVAIL = "code du travail"


def ref(title: str, url: str = "") -> dict[str, str]:
    return {"title": title, "url": url}


def test_a_code_reference_gives_its_articles_ranges_and_lists() -> None:
    spans = cited_spans(
        [
            ref("Code du travail : articles L1225-16 à L1225-28", "https://legifrance.test/a"),
            ref("Code du travail : article L1224-3-1"),
            ref("Code de la sécurité sociale : articles L313-1 et L313-2"),
            ref("Code du travail : articles R3231-4 à D3231-6"),  # R and D: one numbering
            ref("Code civil : articles 371 a 381"),  # « a » without its accent is still a range
            ref("Loi n°65-557 du 10 juillet 1965 : article 22"),  # a law's numbers: not read
            ref("Allergènes alimentaires"),
        ]
    )
    by_code = [(s.code, s.family, s.first, s.last) for s in spans]
    assert by_code == [
        (TRAVAIL, "L", (1225, 16), (1225, 28)),
        (TRAVAIL, "L", (1224, 3, 1), (1224, 3, 1)),
        ("code de la securite sociale", "L", (313, 1), (313, 1)),
        ("code de la securite sociale", "L", (313, 2), (313, 2)),
        (TRAVAIL, "R", (3231, 4), (3231, 6)),
        ("code civil", "", (371,), (381,)),
    ]
    assert spans[0].url == "https://legifrance.test/a"
    assert spans[0].code_name == "Code du travail"
    assert [s.width for s in spans[:2]] == [13, 1]


def test_a_range_covers_the_articles_between_its_ends_in_the_codes_order() -> None:
    (span,) = cited_spans([ref("Code du travail : articles L1225-16 à L1225-28")])
    assert span.covers(Article("L", (1225, 17)))
    assert span.covers(Article("L", (1225, 16, 1)))  # inserted later, between 16 and 17
    assert span.covers(Article("L", (1225, 28, 1)))
    assert span.covers(Article("L", (1225, 20), TRAVAIL))
    assert not span.covers(Article("L", (1225, 29)))
    assert not span.covers(Article("L", (1225, 15)))
    assert not span.covers(Article("R", (1225, 17)))  # the regulatory part is another article
    assert not span.covers(Article("L", (1225, 17), "code civil"))  # the query named a code
    (single,) = cited_spans([ref("Code du travail : article L1224-1")])
    assert single.covers(Article("L", (1224, 1)))
    assert not single.covers(Article("L", (1224, 1, 1)))  # another article


@pytest.mark.parametrize(
    ("query", "articles", "rest"),
    [
        ("L1224-1", [("L", (1224, 1))], ""),
        ("l 1242-8", [("L", (1242, 8))], ""),
        ("R.4624-10 visite", [("R", (4624, 10))], "visite"),
        ("D. 3231-6", [("R", (3231, 6))], ""),
        ("article L1237-19 rupture", [("L", (1237, 19))], "rupture"),
        ("articles L1234-1 et L1234-9", [("L", (1234, 1)), ("L", (1234, 9))], "et"),
        ("L3121-27 L3121-27", [("L", (3121, 27))], ""),
    ],
)
def test_a_query_names_articles_by_their_letter_and_number(
    query: str, articles: list[tuple[str, tuple[int, ...]]], rest: str
) -> None:
    found = read_articles(query)
    assert found is not None
    assert [(a.family, a.numbers) for a in found.articles] == articles
    assert found.rest == rest and found.code == ""


def test_a_named_code_narrows_the_articles_and_leaves_the_query() -> None:
    codes = [TRAVAIL, "code civil", "code de la securite sociale"]
    found = read_articles("article 1240 du Code civil", codes)
    assert found is not None
    assert found.articles == (Article("", (1240,), "code civil"),)
    assert (found.code, found.rest) == ("code civil", "du")
    typed = read_articles("L1237-19 code du travail", codes)
    assert typed is not None and typed.articles[0].code == TRAVAIL and typed.rest == ""
    assert typed.articles[0].label == "L1237-19"
    # a number without a letter is an article only of a code the query names
    assert read_articles("article 1240", codes) is None
    assert read_articles("article 12 de mon contrat de travail", codes) is None
    # a code the base never cites is left in the query
    other = read_articles("L123-4 code minier", codes)
    assert other is not None and other.code == "" and other.rest == "code minier"


@pytest.mark.parametrize(
    "query",
    [
        "13eme mois",
        "à 3-4 jours de préavis",  # « à », not an article A
        "a 123-4",
        "carte grise 2024-2025",  # numbers without a letter or « article »
        "prime 1240",
        "L1",  # too short to be an article of a code
        "L1224-1 L1224-2 L1224-3 L1224-4 L1224-5 L1224-6",  # a pasted list, not a question
        "",
        "   ",
        "XL1224-1",
        "L1224-1X",
    ],
)
def test_ordinary_numbers_and_odd_queries_name_no_article(query: str) -> None:
    assert read_articles(query) is None


def test_the_index_gives_each_citing_fiche_its_narrowest_reference() -> None:
    chapter = ArticleSpan(TRAVAIL, "L", (1224, 1), (1224, 4))
    exact = ArticleSpan(TRAVAIL, "L", (1224, 1), (1224, 1), "https://legifrance.test/L1224-1")
    wide = ArticleSpan(TRAVAIL, "L", (1220, 1), (1226, 3))  # across several first parts
    index = ArticleIndex([(0, [chapter, exact]), (1, [chapter]), (2, [wide]), (3, [])])
    citing = index.citing(Article("L", (1224, 1)))
    assert citing == {0: exact, 1: chapter, 2: wide}
    assert index.citing(Article("L", (1224, 9))) == {2: wide}
    assert index.citing(Article("L", (1230, 1))) == {}
    assert index.codes == {TRAVAIL}
    shown = index.describe(Article("L", (1224, 1)))
    assert (shown.label, shown.url, shown.fiches) == ("L1224-1", exact.url, 3)


def test_an_article_several_codes_share_is_shown_without_code_or_address() -> None:
    a = ArticleSpan(TRAVAIL, "L", (313, 1), (313, 1), "https://a.test", "Code du travail")
    b = ArticleSpan("code civil", "L", (313, 1), (313, 1), "https://b.test", "Code civil")
    shown = ArticleIndex([(0, [a]), (1, [b])]).describe(Article("L", (313, 1)))
    assert (shown.code_name, shown.url, shown.fiches) == ("", "", 2)


def test_the_fiches_citing_an_article_come_first_the_narrowest_reference_first(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche(
        "L9401",
        "Zorglub : le chapitre entier",
        text="Le zorglub et ses règles.",
        references=[ref("Code du travail : articles L9999-1 à L9999-5")],
    )
    add_fiche(
        "L9402",
        "Transfert du contrat",
        text="Le transfert du contrat de travail.",
        references=[ref("Code du travail : article L9999-3", "https://legifrance.test/L9999-3")],
    )
    add_fiche(
        "L9403",
        "Zorglub des professionnels",
        audiences=["professionnels"],
        references=[ref("Code du travail : article L9999-3")],
    )
    service = make_service(embedder=None)
    # the article alone: the fiche citing this very article before the one citing its chapter
    ids = [h.id for h in service.search("L9999-3", semantic=False)]
    assert ids[:2] in (["L9402", "L9403"], ["L9403", "L9402"]) and ids[2] == "L9401"
    assert len(ids) == 3  # nothing else: the number's pieces match no other fiche
    # with other words, they order the citing fiches
    ranked = [h.id for h in service.search("L9999-3 zorglub", semantic=False)]
    assert ranked[0] == "L9401"
    # the audience filter holds for them too
    private = service.search("L9999-3", audience="particuliers", semantic=False)
    assert "L9403" not in [h.id for h in private]
    shown = service.notices("article L9999-3 du code du travail").articles
    assert [(a.label, a.code_name, a.url, a.fiches) for a in shown] == [
        ("L9999-3", "Code du travail", "https://legifrance.test/L9999-3", 3)
    ]
    # an article nobody cites: no fiche rather than fiches matching its pieces
    assert service.search("L9999-9", semantic=False) == []
    assert [a.fiches for a in service.notices("L9999-9").articles] == [0]
    # not reading articles: the query is searched as typed, nothing shown
    service.set_config(dataclasses.replace(service.config, articles=False))
    assert service.notices("L9999-3").articles == []
    assert [h.id for h in service.search("L9999-3", semantic=False)][:1] != ["L9402"]


def test_a_changed_reference_reaches_the_index(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche("L9404", "Zorglub", references=[ref("Code du travail : article L9998-1")])
    service = make_service(embedder=None)
    assert [h.id for h in service.search("L9998-1", semantic=False)] == ["L9404"]
    add_fiche("L9404", "Zorglub", references=[ref("Code du travail : article L9998-2")])
    service.refresh(force=True)
    assert service.search("L9998-1", semantic=False) == []
    assert [h.id for h in service.search("L9998-2", semantic=False)] == ["L9404"]


def test_on_the_bundled_labour_fiches_an_article_finds_the_fiche_resting_on_it(
    search_service: SearchService,
) -> None:
    hits = search_service.search("L1224-1", semantic=False)
    assert (
        hits[0].id == "article100989"
    )  # « Le changement de la situation juridique de l'employeur »
    (shown,) = search_service.notices("L1224-1").articles
    assert shown.code_name == "Code du travail"
    assert shown.url.startswith("https://www.legifrance.gouv.fr/")
    maternity = search_service.search("article L1225-17 du code du travail", semantic=False)
    assert "congé de maternité" in maternity[0].title.lower()


def test_the_article_s_pieces_choose_no_passage(search_service: SearchService) -> None:
    query = "R1234-2 un quart de mois"  # « 2 » would pick the passage of « 2 000 € »
    hits = search_service.search(query, semantic=False, passages=False)
    with_article = search_service.with_passages(query, hits)
    plain = search_service.with_passages("un quart de mois", hits)
    assert any(h.passage is not None for h in plain)
    assert [h.passage for h in with_article] == [h.passage for h in plain]
    assert not any(
        "<mark>2</mark>" in (h.passage.snippet_html if h.passage else "") for h in with_article
    )


def test_a_query_naming_an_article_and_an_agreement_shows_both(
    search_service: SearchService,
) -> None:
    notices = search_service.notices("L1224-1 prime de vacances syntec")
    assert notices.agreement is not None and notices.agreement.agreements[0].idcc == "1486"
    assert notices.agreement.rest == "prime de vacances"
    assert [a.label for a in notices.articles] == ["L1224-1"]
    assert search_service.notices("prime de vacances") == type(notices)(None, [])


def test_the_legal_watch_lists_every_fiche_citing_an_article_with_its_reference(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche(
        "L9411",
        "Zorglub : le chapitre entier",
        references=[ref("Code du travail :  articles L9997-1 à L9997-5")],
    )
    add_fiche(
        "L9412",
        "Azur, transfert du contrat",
        references=[ref("Code du travail : article L9997-3", "https://legifrance.test/L9997-3")],
    )
    add_fiche("L9413", "Ballon", references=[ref("Code du travail : article L9997-3")])
    service = make_service(embedder=None)
    # not a search: read whatever the queries' settings say, every citing fiche listed
    service.set_config(dataclasses.replace(service.config, articles=False))
    (found,) = service.citations("article L9997-3 du code du travail")
    assert (found.article.label, found.article.code_name, found.article.fiches) == (
        "L9997-3",
        "Code du travail",
        3,
    )
    assert found.article.url == "https://legifrance.test/L9997-3"
    # this very article first (by title), then the fiche citing its chapter
    assert [(f.id, f.width) for f in found.fiches] == [("L9412", 1), ("L9413", 1), ("L9411", 5)]
    assert found.fiches[2].reference == "Code du travail : articles L9997-1 à L9997-5"
    assert {f.source for f in found.fiches} == {"local"}
    two = service.citations("L9997-1 et L9997-9")
    assert [(c.article.label, [f.id for f in c.fiches]) for c in two] == [
        ("L9997-1", ["L9411"]),
        ("L9997-9", []),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Saisissez un article de code"),
        ("   ", "Saisissez un article de code"),
        ("licenciement", "Aucun article de code reconnu"),
        ("article 12 de mon contrat", "Aucun article de code reconnu"),
        (" ".join(f"L{n}-1" for n in range(1200, 1206)), "5 au plus"),  # six: a pasted list
        ("L1224-1 " + "x" * 300, "300 caractères au plus"),
        (None, "Saisissez un article de code"),
    ],
)
def test_the_legal_watch_refuses_what_names_no_article_in_french(
    search_service: SearchService, text: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        search_service.citations(text)  # type: ignore[arg-type]


def test_on_the_bundled_data_the_watch_finds_the_labour_fiche_on_transfers(
    search_service: SearchService,
) -> None:
    (found,) = search_service.citations("L1224-1")
    ids = [f.id for f in found.fiches]
    assert "article100989" in ids  # « Le changement de la situation juridique de l'employeur »
    fiche = found.fiches[ids.index("article100989")]
    assert "L1224-1" in fiche.reference and fiche.source == "travail"
    assert found.article.fiches == len(found.fiches)


def test_an_index_of_references_gives_each_its_narrowest_printed_reference() -> None:
    """The legal watch indexes the service's drafts (not in the search) the same way."""
    drafts = [
        ("L1", [ref("Code du travail : articles L9996-1 à L9996-9")]),
        ("L2", [ref("Code du travail : article L9996-2"), ref("Code civil : article 1240")]),
        ("L3", [ref("Site du ministère")]),
        ("L4", []),
    ]
    index = ArticleIndex((i, cited_spans(refs)) for i, (_id, refs) in enumerate(drafts))

    def citing_references(article: Article) -> dict[str, ArticleSpan]:
        return {drafts[i][0]: span for i, span in index.citing(article).items()}

    found = citing_references(Article("L", (9996, 2)))
    assert {k: (s.first, s.last) for k, s in found.items()} == {
        "L1": ((9996, 1), (9996, 9)),
        "L2": ((9996, 2), (9996, 2)),
    }
    assert found["L2"].reference == "Code du travail : article L9996-2"
    assert citing_references(Article("L", (9996, 2), "code civil")) == {}
