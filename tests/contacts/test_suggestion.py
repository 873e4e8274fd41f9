"""Sector suggestion: generic behaviour of the model built from the sheets (not the dev set)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from allo.contacts.suggestion import FicheThemes, SectorModel, stems, suggest_sector
from allo.kb.escalation import load_sheets


@pytest.mark.parametrize(
    ("question", "sector"),
    [
        ("j'ai été licencié pour faute grave, ai-je droit à une indemnité", "travail"),
        ("renouveler mon passeport avant un voyage", "interieur"),
        ("le site de vente en ligne refuse de me rembourser ma commande", "consommation"),
        ("comment obtenir le divorce par consentement mutuel", "justice"),
        ("taxe foncière sur une résidence secondaire", "fiscalite"),
        ("mon propriétaire garde le dépôt de garantie", "logement"),
        ("comment toucher les allocations familiales de la CAF", "aucun"),
    ],
)
def test_words_point_to_the_sector(question: str, sector: str) -> None:
    assert suggest_sector(question).sector == sector


def test_nothing_recognised_stays_at_level1() -> None:
    suggestion = suggest_sector("bonjour, j'ai une question")
    assert suggestion.sector == "aucun" and suggestion.confidence == 0.0


def test_fiche_themes_decide_when_words_are_silent() -> None:
    question = "que dois-je faire dans ma situation"
    assert suggest_sector(question).sector == "aucun"
    fiche = FicheThemes(
        id="F1", subject="Argent", breadcrumb=("Argent", "Impôt sur le revenu : calcul et paiement")
    )
    suggestion = suggest_sector(question, [fiche])
    assert suggestion.sector == "fiscalite"
    assert any("F1" in r for r in suggestion.reasons)


def test_reasons_and_scores_are_reported() -> None:
    suggestion = suggest_sector("rupture conventionnelle et préavis avec mon employeur")
    assert suggestion.sector == "travail"
    assert "rupture conventionnelle" in suggestion.reasons
    assert set(suggestion.scores) == {
        "interieur",
        "travail",
        "consommation",
        "justice",
        "fiscalite",
        "logement",
        "aucun",
    }
    assert 0 < suggestion.confidence <= 1


def test_stems_fold_accents_and_drop_stop_words() -> None:
    assert stems("Les Impôts de l'été") == stems("les impots de l ete")
    assert "les" not in stems("les impôts")


def test_model_follows_the_sheets() -> None:
    # A model built from the same sheets gives the same answer (the model is data-driven).
    model = SectorModel(load_sheets())
    assert model.suggest("carte grise").sector == "interieur"


def test_fiche_themes_from_the_database(db: Session) -> None:
    from allo.contacts import reading
    from allo.kb.models import Fiche

    db.add(
        Fiche(
            id="Ztest1",
            source="local",
            kind="fiche",
            title="Fiche de test",
            subject="Logement",
            breadcrumb=[
                {"id": "Particuliers", "title": "Accueil particuliers"},
                {"id": "N19808", "title": "Logement"},
                {"id": "N1", "title": "Location immobilière : loyer"},
                {"id": "Ztest1", "title": "Fiche de test"},
            ],
            content_hash="0" * 64,
        )
    )
    db.flush()
    themes = reading.fiche_themes(db, ["Ztest1", "inconnue"])
    assert [t.id for t in themes] == ["Ztest1"]
    assert themes[0].breadcrumb == ("Logement", "Location immobilière : loyer")
    assert suggest_sector("que faire", themes).sector == "logement"
