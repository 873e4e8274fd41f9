"""Personal data is removed before storage; ordinary administrative text is left alone."""

from __future__ import annotations

import pytest

from allo.privacy.redaction import PLACEHOLDERS, redact


def kinds(text: str) -> list[str]:
    return [r.kind for r in redact(text).redactions]


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "0033 1 44 55 66 77",
        "01 44 55 66 77",
        "0690 12 34 56",  # Guadeloupe mobile, national form
        "0594 30 12 34",  # Guyane landline
        "0262 21 23 45",  # La Réunion landline
        "0696 12 34 56",  # Martinique mobile
        "0639 01 23 45",  # Mayotte mobile
        "+590 690 12 34 56",
        "+262 692 12 34 56",
        "+687 28 12 34",  # Nouvelle-Calédonie, international form
        "+689 87 12 34 56",  # Polynésie française
        "+681 72 12 34",  # Wallis-et-Futuna
    ],
)
def test_phone_numbers_metropolitan_and_overseas(number: str) -> None:
    result = redact(f"rappelez-moi au {number} demain")
    assert result.text == "rappelez-moi au [téléphone] demain"
    assert result.kinds == ["phone"]


def test_email() -> None:
    assert redact("écrivez à jean.dupont+caf@exemple.fr svp").text == "écrivez à [courriel] svp"


def test_nir_with_valid_key_only() -> None:
    # 1 85 05 78 006 084 + key 91 (97 - n mod 97): a structurally valid NIR.
    assert kinds("mon numéro de sécu est le 1 85 05 78 006 084 91") == ["nir"]
    # Same digits with a wrong key: not a NIR, and not anything else either.
    assert kinds("référence 1 85 05 78 006 084 36") == []


def test_iban_checksum_and_not_the_following_words() -> None:
    result = redact("virement sur FR76 3000 6000 0112 3456 7890 189 merci beaucoup")
    assert result.text == "virement sur [IBAN] merci beaucoup"
    # One digit changed: the checksum fails and nothing is removed.
    assert kinds("virement sur FR76 3000 6000 0112 3456 7890 188 merci") == []


def test_card_numbers_need_luhn() -> None:
    assert redact("ma carte 4970 1012 3456 7893 a été débitée").kinds == ["card"]
    assert kinds("ma carte 4970 1012 3456 7894 a été débitée") == []


def test_names_from_the_model_and_honorifics() -> None:
    result = redact("Bonjour, je m'appelle Marie Dupont et mon voisin M. Bernard fait du bruit.")
    assert result.text == "Bonjour, je m'appelle [nom] et mon voisin M. [nom] fait du bruit."
    assert result.kinds == ["name"]
    # The honorific stays: the agent still knows a person was named.
    assert redact("Madame Nguyen a appelé.").text.startswith("Madame [nom]")


@pytest.mark.parametrize(
    "text",
    [
        "J'ai payé 1 500 € le 12/03/2024, SMIC à 1 766,92 € brut",
        "article L. 1234-5 du Code du travail et article R. 4624-10",
        "loi n° 2016-1088 du 8 août 2016, décret n° 2019-1234",
        "code postal 69003, département 971, commune 97105",
        "un loyer de 250 000 euros ? non, 850 € par mois depuis le 01 02 2023",
        "formulaire cerfa 12345*03, dossier 2024-000123, numéro fiscal 1234567890123",
        "appelez le 3939 ou le 17, horaires 8h30-18h30",
        "le conseil de prud'hommes de Lyon et la CAF de Seine-Saint-Denis",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert redact(text).text == text


def test_spans_point_at_placeholders_and_hold_no_values() -> None:
    text = "Je suis Paul Martin, 06 12 34 56 78, paul.martin@exemple.fr"
    result = redact(text)
    for r in result.redactions:
        assert result.text[r.start : r.end] == PLACEHOLDERS[r.kind]
        assert set(r.as_dict()) == {"kind", "start", "end"}
    assert "Martin" not in result.text and "06 12" not in result.text
    assert result.kinds == ["name", "phone", "email"]
    assert result.summary() == (
        "3 éléments masqués : nom de personne, numéro de téléphone, adresse électronique."
    )


def test_empty_and_clean_text() -> None:
    assert redact("").redactions == ()
    clean = redact("comment refaire une carte grise perdue")
    assert clean.text == "comment refaire une carte grise perdue" and clean.summary() == ""


@pytest.mark.parametrize(
    "text",
    [
        "Rappel demandé par l'usager pour son dossier.",
        "Rappel souhaité demain matin.",
        "Merci. Rappel prévu lundi.",
        "Dossier transmis. Rappel la semaine prochaine.",
    ],
)
def test_a_common_word_opening_a_sentence_is_not_a_name(text: str) -> None:
    """The small model reads « Rappel » there as a person (PER); the lexicon and the tagger say
    it is a noun."""
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Martin a appelé hier pour sa fille.", "[nom] a appelé hier pour sa fille."),
        ("Bonjour, Martin voudrait savoir.", "Bonjour, [nom] voudrait savoir."),
        ("David demande un rendez-vous.", "[nom] demande un rendez-vous."),
        ("Je suis Paul Martin, mon patron refuse.", "Je suis [nom], mon patron refuse."),
        ("Rappel demandé. Sophie a appelé.", "Rappel demandé. [nom] a appelé."),
        ("Rappeler Mme Durand demain.", "Rappeler Mme [nom] demain."),
    ],
)
def test_names_that_are_also_words_are_still_masked(text: str, expected: str) -> None:
    assert redact(text).text == expected
