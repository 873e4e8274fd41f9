"""French analysis: what the index and the queries agree a word is."""

from __future__ import annotations

import pytest

from allo.search.analysis import (
    FrenchAnalyzer,
    default_analyzer,
    fold,
    stop_words,
    surface_words,
    words,
)


@pytest.fixture(scope="module")
def analyzer() -> FrenchAnalyzer:
    return FrenchAnalyzer()


def test_fold_removes_case_accents_and_ligatures() -> None:
    assert fold("ÉCOLE Naïve Œuvre cœur Ça") == "ecole naive oeuvre coeur ca"


def test_fold_turns_symbols_and_emoji_into_separators() -> None:
    assert fold("loyer—charges😀total").split() == ["loyer", "charges", "total"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'employeur", ["employeur"]),
        ("d'identité", ["identite"]),
        ("qu'il", ["il"]),
        ("j'ai", ["ai"]),
        ("n'est", ["est"]),
        ("s'inscrire", ["inscrire"]),
        ("c'est", ["est"]),
        ("m'appelle", ["appelle"]),
        ("t'inquiète", ["inquiete"]),
        ("jusqu'au", ["au"]),
        ("L’État", ["etat"]),  # typographic apostrophe
        ("aujourd'hui", ["aujourd", "hui"]),  # not an elision: both parts stay
    ],
)
def test_elisions(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_surface_words_keep_accents(analyzer: FrenchAnalyzer) -> None:
    assert surface_words("L'Employée d’État") == ["l", "employée", "d", "état"]
    # elided articles are stop words for the index
    assert analyzer.terms("L'Employée d’État jusqu'à lorsqu'il") == ["emploi", "etat"]


def test_stop_words_are_dropped(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.terms("le la les de du des et ou qui que") == []
    assert {"le", "de", "et", "qu"} <= stop_words()
    # meaningful short words are not stop words
    assert analyzer.terms("pas sans") == ["pas", "san"]


def test_accent_folding_meets_unaccented_text(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.terms("CONGÉS") == analyzer.terms("congés") == analyzer.terms("congé")
    assert analyzer.terms("Impôt") == analyzer.terms("impôts") == ["impot"]


def test_stemming_joins_inflections(analyzer: FrenchAnalyzer) -> None:
    assert len(set(analyzer.terms("calculée calculé calculer calcul"))) == 1
    assert len(set(analyzer.terms("licencier licenciement licenciés"))) == 1
    assert analyzer.terms("enfants") == analyzer.terms("enfant")


def test_numbers_and_codes_are_kept_whole(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.terms("le 1er mai 2024, article L1225-35, 10 000 €") == [
        "1er",
        "mai",
        "2024",
        "articl",
        "l1225",
        "35",
        "10",
        "000",
    ]


def test_garbage_is_harmless(analyzer: FrenchAnalyzer) -> None:
    assert analyzer.terms("\x00\x07😀🇫🇷 \u200b") == []
    assert analyzer.terms("x" * 500) == []  # not a word: longer than any word
    assert analyzer.terms("Москва") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13e mois", ["13e", "mois"]),
        ("13eme mois", ["13e", "mois"]),
        ("13ème mois", ["13e", "mois"]),
        ("13 ème mois", ["13e", "mois"]),
        ("14 IEME mois", ["14e", "mois"]),
        ("1er janvier", ["1er", "janvi"]),
        ("la 1ère fois", ["1er", "fois"]),
        ("article 13 et suivants", ["articl", "13", "suiv"]),
        ("L1225-4", ["l1225", "4"]),
    ],
)
def test_ordinals_are_one_term_however_typed(typed: str, expected: list[str]) -> None:
    assert default_analyzer().terms(typed) == expected
