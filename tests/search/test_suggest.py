"""Suggestions as you type, on a handful of titles (the full corpus is in test_ranking.py)."""

from __future__ import annotations

from allo.search.suggest import Suggester, Suggestion

TITLES = {
    "F2258": "Congés payés du salarié dans le secteur privé",
    "F3156": "Congé de paternité et d'accueil de l'enfant",
    "F1050": "Cartes grises : changement d'adresse",
    "F1342": "Carte d'identité : demande et renouvellement",
    "F2405": "Jeux d'argent : interdiction volontaire",
}


def titles(suggester: Suggester, typed: str) -> list[str]:
    return [s.title for s in suggester.suggest(typed)]


def make() -> Suggester:
    return Suggester(Suggestion(id=i, title=t, kind="fiche") for i, t in TITLES.items())


def test_whole_words_match_in_the_singular_or_the_plural() -> None:
    suggester = make()
    assert titles(suggester, "conge paye") == [TITLES["F2258"]]  # typed in the singular
    assert titles(suggester, "carte grise") == [TITLES["F1050"]]
    assert titles(suggester, "jeu argent") == [TITLES["F2405"]]  # plural in -x
    assert titles(suggester, "congés paternité") == [TITLES["F3156"]]  # typed in the plural


def test_every_whole_word_must_still_be_there() -> None:
    suggester = make()
    assert titles(suggester, "conge maternite") == []
    assert titles(suggester, "carte identite ") == [TITLES["F1342"]]
    # The last word may be a beginning; titles starting with the typed text come first.
    assert set(titles(suggester, "carte")) == {TITLES["F1342"], TITLES["F1050"]}
    assert titles(suggester, "demande carte")[0] == TITLES["F1342"]
    assert titles(suggester, "conge pat") == [TITLES["F3156"]]
