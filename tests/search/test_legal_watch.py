"""The legal watch's order: the service's own fiches citing the article (drafts included, read
from their current text), then the official ones by how much the service relies on them, then
the others in the search's order."""

from __future__ import annotations

from allo.kb.local.models import LocalFiche
from allo.kb.watch import Reliance
from allo.search.articles import Article, ArticleCitations, CitedArticle, CitingFiche
from allo.search.legal_watch import review

ARTICLE = Article("L", (9995, 2))


def _official(fiche_id: str, source: str = "dila", width: int = 1) -> CitingFiche:
    reference = "Code du travail : article L9995-2"
    return CitingFiche(fiche_id, f"Fiche {fiche_id}", source, reference, width)


def _own(fiche_id: str, state: str, published: int | None, *references: str) -> LocalFiche:
    return LocalFiche(
        id=fiche_id,
        title=f"Fiche du service {fiche_id}",
        state=state,
        published_version=published,
        sites=[{"title": r, "url": ""} for r in references],
    )


def test_the_service_s_own_first_then_what_it_relies_on_then_the_others() -> None:
    found = ArticleCitations(
        CitedArticle("L9995-2", "Code du travail", "https://legifrance.test/x", 5),
        (
            _official("F1"),  # the search's order: narrowest reference, then title
            _official("F2"),
            _official("L1", source="local"),  # the index's copy of a published local fiche
            _official("T1", source="travail", width=3),
            _official("F3", width=4),
        ),
        ARTICLE,
    )
    own = [
        _own("L1", "published", 1, "Code du travail : articles L9995-1 à L9995-3"),
        _own("L2", "draft", None, "Code du travail : article L9995-2"),
        _own("L3", "review", 2, "Code du travail : article L9995-9"),  # another article
        _own("L4", "draft", 1, "Code civil : article 1240", "Code du travail : art. L9995-2"),
    ]
    relied = Reliance(adapted={"T1": ["L7 « x »"]}, consulted={"F3": 4, "F2": 2})
    (result,) = review([found], own, relied)
    assert [f.id for f in result.fiches] == ["L1", "L2", "L4", "T1", "F3", "F2", "F1"]
    first, second, fourth = result.fiches[0], result.fiches[1], result.fiches[2]
    assert first.reference == "Code du travail : articles L9995-1 à L9995-3"
    assert (first.local, first.state, first.published) == (True, "published", True)
    assert (second.state, second.published) == ("draft", False)
    assert (fourth.state, fourth.published) == ("draft", True)  # edited: its version still live
    assert [r.kind for r in result.fiches[3].reasons] == ["adapted"]
    assert [r.kind for r in result.fiches[4].reasons] == ["consulted"]
    assert result.fiches[-1].reasons == () and result.fiches[-1].published
    assert (result.local, result.relied) == (3, 3)
    assert result.article.label == "L9995-2"
