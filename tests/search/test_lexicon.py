"""The maintained lexicon: acronyms, official names, and the words citizens use."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from allo.search.analysis import default_analyzer
from allo.search.lexicon import (
    Lexicon,
    acronym_entries,
    default_lexicon,
    labour_acronyms,
    not_redefining,
    spells_acronym,
)
from allo.search.query import query_words
from allo.search.service import SearchService


def expansions(text: str, lexicon: Lexicon | None = None) -> set[str]:
    lexicon = lexicon or default_lexicon()
    keys = [lexicon.key(w) for w in query_words(text)]
    return {t for _p, rule in lexicon.expansions(keys) for t in rule.terms}


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
        # labour law's, from the Code du travail numérique's list
        ("CP", "congés payés"),
        ("DPAE", "déclaration préalable à l'embauche"),
        ("RI", "règlement intérieur"),
        ("DIF", "droit individuel de la formation"),
        ("PSE", "plan de sauvegarde de l'emploi"),
        ("EPI", "équipement de protection individuelle"),
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


# -- the acronyms of labour law (the Code du travail numérique's synonym list) ---------------------


@pytest.mark.parametrize(
    ("short", "long", "spelt"),
    [
        ("cdd", "contrat de travail à durée déterminée", True),
        ("sicav", "actions de sociétés d'investissement à capital variable", True),
        ("RI", "règlement intérieur", True),
        ("deuil", "décès", False),  # one word is a synonym, not an acronym
        ("patron", "employeur", False),
        ("covid", "covid 19", False),  # a word of the long form is not its acronym
        ("moment", "à quel moment", False),
        ("quand", "à quel moment", False),
        ("abcdefghi", "a b c d e f g h i", False),  # longer than an acronym
        ("cp", "", False),
    ],
)
def test_an_acronym_spells_its_long_form(short: str, long: str, spelt: bool) -> None:
    assert spells_acronym(short, long) is spelt


def test_only_entries_spelling_an_acronym_are_read() -> None:
    entries = [
        "comité d'entreprise, ce => c_e",  # « ce » is a stop word: nothing left to pair
        "aide au chômeur créant ou reprenant une entreprise, accre/acre",
        "salarié, employé",
        "quand, à quel moment",
        "mi-temps thérapeutique => temps partiel thérapeutique",
        "chiffre d'affaires, ca => c_a",  # « ça »
        "compte épargne temps, cet",
        "titre emploi service entreprise, tese",  # its light key is « tes », not its trigger
        "système d'inspection du travail, sit",  # its term is « site »'s
    ]
    assert acronym_entries(entries, default_analyzer()) == [
        "aide au chômeur créant ou reprenant une entreprise, accre, acre",
        "titre emploi service entreprise, tese",
    ]


def test_the_labour_site_s_other_synonyms_are_not_read() -> None:
    assert "employ" not in expansions("salarié du particulier employeur")
    assert not terms("moment") & expansions("quand partir à la retraite")
    assert not terms("comité entreprise") & expansions("ce que dit la loi")
    # acronyms that are ordinary words: « site » (SIT), « due » (DUE)
    assert not expansions("créer un site internet")
    assert not expansions("la somme due")


def test_the_maintained_lexicon_keeps_its_acronyms_meaning() -> None:
    known = Lexicon.parse(
        "cfe, cotisation foncière des entreprises\ncdd, contrat à durée déterminée"
    ).long_forms
    lines = [
        "syndicat confédération française de l'encadrement, cfe",
        "congés payés, cp",
        "contrat de travail à durée déterminée, cdd",  # the same meaning, one word more
    ]
    assert not_redefining(lines, known) == lines[1:]
    # the vendored list swaps SIREN and SIRET, and CFE is a union there
    assert not terms("établissements") & expansions("numéro siren")
    assert terms("répertoire des établissements") <= expansions("siret")
    assert not terms("syndicat encadrement") & expansions("cfe")
    assert terms("cotisation foncière") <= expansions("cfe")
    assert terms("congés payés") <= expansions("cp")  # what it does not define is read


@pytest.mark.parametrize(
    ("typed", "acronym"),
    [("tes droits", "tese"), ("un café", "caf"), ("un cafe", "caf"), ("ante", "ants")],
)
def test_a_word_sharing_an_acronym_s_light_key_is_not_it(typed: str, acronym: str) -> None:
    long_form = default_lexicon().long_forms[acronym]
    assert not terms(long_form) & expansions(typed)
    assert terms(long_form) <= expansions(acronym)
    assert terms(long_form) <= expansions(acronym.upper() + "s")  # its plural is it
    assert len(labour_acronyms()) >= 100  # the vendored list is read


def test_labour_acronyms_find_their_fiches(
    add_fiche: Callable[..., object], make_service: Callable[..., SearchService]
) -> None:
    add_fiche("L9502", "Inscription en cours préparatoire (CP)", text="L'entrée au CP.")
    service = make_service(embedder=None)
    cp = [h.id for h in service.search("calcul cp", semantic=False)]
    assert "F2258" in cp[:3] and "L9502" in cp[:3]  # « Congés payés », and still the school's CP
    maintained_only = make_service(embedder=None, lexicon=Lexicon.load())
    assert "F2258" not in [h.id for h in maintained_only.search("calcul cp", semantic=False)]
