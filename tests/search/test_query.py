"""Queries: typed words, accents restored, typos corrected, lexicon expansions, hostile input."""

from __future__ import annotations

from collections import Counter

import pytest

from allo.search.analysis import default_analyzer
from allo.search.fuzzy import Vocabulary
from allo.search.lexicon import default_lexicon
from allo.search.query import MAX_QUERY_WORDS, QueryParser, normalize_query

# Document frequencies of words as the fiches write them (a tiny real-looking corpus).
VOCABULARY = Vocabulary(
    Counter(
        {
            "congé": 40,
            "paternité": 12,
            "licenciement": 30,
            "employeur": 50,
            "allocation": 25,
            "logement": 30,
            "virement": 5,
            "bancaire": 5,
            "propriétaire": 10,
        }
    )
)


@pytest.fixture
def parser() -> QueryParser:
    analyzer = default_analyzer()
    known = {analyzer.term(w) for w in VOCABULARY.canonical.values()}
    return QueryParser(analyzer, default_lexicon(), VOCABULARY, term_exists=known.__contains__)


def terms(parser: QueryParser, text: str) -> dict[str, float]:
    return dict(parser.parse(text).terms)


def test_missing_accents_are_restored(parser: QueryParser) -> None:
    assert terms(parser, "conge paternite") == terms(parser, "congé paternité")


def test_typos_are_corrected_to_known_words(parser: QueryParser) -> None:
    parsed = parser.parse("licensiement")
    assert parsed.corrected == {"licensiement": ["licenciement"]}
    assert terms(parser, "licenciement").keys() <= dict(parsed.terms).keys()


def test_known_words_are_not_corrected(parser: QueryParser) -> None:
    assert parser.parse("virement bancaire").corrected == {}


def test_corrections_weigh_less_than_typed_words(parser: QueryParser) -> None:
    weights = terms(parser, "aloccation logement")
    analyzer = default_analyzer()
    assert weights[analyzer.term("allocation")] < weights[analyzer.term("logement")]


def test_lexicon_expansions_weigh_less_than_typed_words(parser: QueryParser) -> None:
    weights = terms(parser, "apl")
    assert weights["apl"] == 1.0
    assert 0 < weights["personnalis"] < 1.0


def test_colloquial_words_count_less_than_their_translation(parser: QueryParser) -> None:
    weights = terms(parser, "mon patron veut me virer")
    assert weights["licenci"] == 1.0
    assert weights["employeur"] == 1.0
    assert weights["vir"] < weights["licenci"]


@pytest.mark.parametrize(
    "text",
    [
        '" * ( ) : - ^ NEAR AND',
        'titre:"carte grise" AND (apl OR rsa)^2 -chômage NEAR/3 *',
        "😀🙃 carte 🇫🇷 grise",
        "carte\x00grise\x1b[31m\r\n\t",
        "",
        "   ",
    ],
)
def test_query_syntax_and_junk_become_plain_terms(parser: QueryParser, text: str) -> None:
    for term, weight in parser.parse(text).terms:
        assert term.isalnum() and term.isascii()
        assert 0 < weight <= 1.0


def test_huge_query_is_capped(parser: QueryParser) -> None:
    text = " ".join(f"mot{i} carte" for i in range(5000))  # ~50,000 characters
    parsed = parser.parse(text)
    assert len(parsed.text) <= 1000
    assert len([t for t, w in parsed.terms if w == 1.0]) <= MAX_QUERY_WORDS


def test_normalize_query_removes_control_characters() -> None:
    assert normalize_query("carte\x00grise\n\t  perdue\x7f") == "carte grise perdue"
