"""Queries: typed words, accents restored, typos corrected, lexicon expansions, hostile input."""

from __future__ import annotations

from collections import Counter

import pytest

from allo.search.analysis import default_analyzer
from allo.search.fuzzy import Vocabulary
from allo.search.lexicon import Lexicon, default_lexicon
from allo.search.query import MAX_QUERY_WORDS, QueryParser, normalize_query, query_words

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


def test_lexicon_triggers_read_past_elided_articles(parser: QueryParser) -> None:
    # « caisse d'allocations familiales » is the lexicon's « caisse allocations familiales »
    assert 0 < terms(parser, "caisse d'allocations familiales")["caf"] < 1.0
    assert 0 < terms(parser, "le certificat d’immatriculation")["gris"] < 1.0


def test_query_words_leave_elided_articles_out() -> None:
    # as the lexicon's triggers are read (`words`): « caisse d'allocations » is two words
    assert query_words("Caisse d’allocations jusqu'à lorsqu'il") == [
        "caisse",
        "allocations",
        "à",
        "il",
    ]
    # a letter that is not elided stays, and so does a word cut by an apostrophe
    assert query_words("vitamine d, aujourd'hui") == ["vitamine", "d", "aujourd", "hui"]


def test_an_acronym_triggers_as_written_or_plural_only(parser: QueryParser) -> None:
    assert 0 < terms(parser, "mes cps")["cong"] < 1.0
    assert "caiss" not in terms(parser, "un cafe")  # not CAF, whose light key it shares


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


# -- truncated words and query groups ------------------------------------------------------------
TRUNCATION_VOCABULARY = Vocabulary(
    Counter(
        {
            "rupture": 30,
            "conventionnelle": 20,
            "convention": 40,
            "convocation": 3,
            "allocation": 25,
            "allocations": 10,
            "chômage": 25,
            "mois": 90,
            "moisson": 2,
        }
    )
)


def test_completions_are_learnt_from_the_vocabulary() -> None:
    # the most frequent known words that begin with what was typed, as the fiches write them
    assert TRUNCATION_VOCABULARY.completions("conv", limit=2) == ["convention", "conventionnelle"]
    assert TRUNCATION_VOCABULARY.completions("chom") == ["chômage"]


def test_no_completion_for_a_known_word_a_short_one_or_an_unknown_beginning() -> None:
    assert TRUNCATION_VOCABULARY.completions("mois") == []  # the exact word exists
    assert TRUNCATION_VOCABULARY.completions("co") == []  # too short to mean anything
    assert TRUNCATION_VOCABULARY.completions("zqx") == []  # no known word begins so
    assert TRUNCATION_VOCABULARY.completions("conv4") == []  # not a word


def test_truncated_query_words_are_completed_at_lower_weight() -> None:
    analyzer = default_analyzer()
    known = {analyzer.term(w) for w in TRUNCATION_VOCABULARY.canonical.values()}
    parser = QueryParser(analyzer, None, TRUNCATION_VOCABULARY, term_exists=known.__contains__)
    parsed = parser.parse("rupture conv")
    weights = dict(parsed.terms)
    assert weights[analyzer.term("conventionnelle")] < weights[analyzer.term("rupture")]
    assert "convention" in parsed.corrected["conv"]
    # a word the fiches use is never completed into longer ones
    assert dict(parser.parse("mois").terms) == {analyzer.term("mois"): 1.0}


def test_each_typed_word_is_a_group_with_its_stand_ins(parser: QueryParser) -> None:
    analyzer = default_analyzer()
    groups = parser.parse("licensiement employeur apl").groups
    assert len(groups) == 3
    licenciement, employeur, apl = groups
    assert analyzer.term("licenciement") in licenciement  # the correction stands for the typo
    assert employeur == (analyzer.term("employeur"),)
    # the lexicon's expansion stands for the acronym
    assert analyzer.term("apl") in apl and analyzer.term("logement") in apl


def test_dense_text_restores_accents_and_corrects_typos(parser: QueryParser) -> None:
    # the dense model reads the words as the fiches write them
    assert parser.parse("conge paternite").dense_text == "congé paternité"
    assert parser.parse("licensiement employeur").dense_text == "licenciement employeur"
    assert parser.parse("congé  paternité ").dense_text == "congé paternité"


def test_dense_text_spells_out_acronyms(parser: QueryParser) -> None:
    # the model reads « cp » by its letters: it gets the long form beside it
    assert parser.parse("calcul cp").dense_text == "calcul cp (congés payés)"
    assert parser.parse("licensiement CDI").dense_text == (
        "licenciement CDI (contrat à durée indéterminée)"
    )
    assert parser.parse("les APL").dense_text == "les APL (aide personnalisée au logement)"
    # spelt out already
    assert parser.parse("un prêt à taux zéro (ptz)").dense_text == "un prêt à taux zéro (ptz)"
    # a word typed with its accents is a word, not an acronym (« âme », not AME); nor is one
    # that only shares its light key (« cafe », not CAF)
    assert parser.parse("âme").dense_text == "âme"
    assert "(" not in parser.parse("un cafe").dense_text
    assert parser.parse("mes cps").dense_text == "mes cps (congés payés)"
    assert "(" not in parser.parse("proprio").dense_text  # a one-way rule is not an acronym
    parser.dense_acronyms = 0
    assert parser.parse("calcul cp").dense_text == "calcul cp"


def test_the_lexicon_knows_its_acronyms_long_forms() -> None:
    lexicon = Lexicon.parse(
        "apl, aide personnalisée au logement\n"
        "apl, allocation logement\n"  # the first long form stays
        "proprio => propriétaire\n"
        "salarié, employé\n"
    )
    assert lexicon.long_forms == {"apl": "aide personnalisée au logement"}


def test_dense_text_keeps_truncated_words_and_can_be_turned_off() -> None:
    analyzer = default_analyzer()
    known = {analyzer.term(w) for w in TRUNCATION_VOCABULARY.canonical.values()}
    parser = QueryParser(analyzer, None, TRUNCATION_VOCABULARY, term_exists=known.__contains__)
    # a completion is a guess among several words: the model reads what was typed
    assert parser.parse("rupture conv").dense_text == "rupture conv"
    assert parser.parse("chomage").dense_text == "chômage"
    parser.dense_rewrite = False
    assert parser.parse("chomage").dense_text == "chomage"
