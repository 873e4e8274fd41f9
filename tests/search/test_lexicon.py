"""The maintained lexicon: acronyms, official names, and the words citizens use."""

from __future__ import annotations

import pytest

from allo.search.analysis import default_analyzer
from allo.search.lexicon import Lexicon, default_lexicon, light_keys


def expansions(text: str) -> set[str]:
    return {t for _p, rule in default_lexicon().expansions(light_keys(text)) for t in rule.terms}


def terms(text: str) -> set[str]:
    return set(default_analyzer().terms(text))


@pytest.mark.parametrize(
    ("acronym", "name"),
    [
        ("APL", "aide personnalisée au logement"),
        ("RSA", "revenu de solidarité active"),
        ("CAF", "caisse d'allocations familiales"),
        ("CPAM", "caisse primaire d'assurance maladie"),
        ("ARE", "aide au retour à l'emploi"),
        ("CDD", "contrat à durée déterminée"),
        ("CDI", "contrat à durée indéterminée"),
        ("CPF", "compte personnel de formation"),
        ("CSE", "comité social et économique"),
        ("Pacs", "pacte civil de solidarité"),
        ("IFI", "impôt sur la fortune immobilière"),
        ("PTZ", "prêt à taux zéro"),
        ("HLM", "habitation à loyer modéré"),
        ("SMIC", "salaire minimum interprofessionnel de croissance"),
        ("TVA", "taxe sur la valeur ajoutée"),
        ("CNI", "carte nationale d'identité"),
    ],
)
def test_acronyms_expand_both_ways(acronym: str, name: str) -> None:
    assert terms(name) <= expansions(acronym)
    assert terms(acronym) <= expansions(name)


def test_carte_grise_and_certificat_d_immatriculation() -> None:
    assert terms("certificat d'immatriculation") <= expansions("ma carte grise")
    assert terms("carte grise") <= expansions("le certificat d'immatriculation")


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("mon patron veut me virer", "employeur licenciement"),
        ("je me suis fait virer", "licenciement"),
        ("mon boulot", "travail"),
        ("mon proprio", "propriétaire"),
        ("les proprios", "propriétaire"),
    ],
)
def test_colloquial_words_lead_to_official_ones(said: str, written: str) -> None:
    assert terms(written) <= expansions(said)


def test_one_way_rules_do_not_go_back() -> None:
    assert "vir" not in expansions("licenciement")
    assert not expansions("virement bancaire")  # "virer" is not "virement"


def test_triggers_use_stop_words() -> None:
    assert "conjoint" in expansions("ajouter ma femme sur la carte grise")
    assert "conjoint" not in expansions("une femme enceinte")


def test_malformed_lexicon_lines_are_reported_with_their_number() -> None:
    with pytest.raises(ValueError, match="ligne 2"):
        Lexicon.parse("apl, aide personnalisée au logement\nvirer =>\n")


def test_colloquial_marker() -> None:
    lexicon = Lexicon.parse("boulot => travail (familier)\ntravailler => travail\nrsa, revenu")
    rules = {r.trigger: r for r in lexicon.rules}
    assert rules[("boulot",)].colloquial and not rules[("boulot",)].symmetric
    assert not rules[("travaill",)].colloquial
    assert rules[("rsa",)].symmetric
