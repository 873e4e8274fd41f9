"""The escalation sheets: six real sectors, questions that lead to a sector or an outside body."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from allo.errors import InvalidInput
from allo.kb.escalation import BUNDLED_DIR, SECTORS, load_sheets


def test_six_sectors_with_definition_questions_and_vocabulary() -> None:
    sheets = load_sheets()
    assert tuple(sheets.sheets) == SECTORS
    for sheet in sheets.sheets.values():
        assert len(sheet.definition) > 80
        assert len(sheet.subjects) == 10  # the seed's table: ten subjects per sector
        assert sheet.questions and sheet.keywords and sheet.fiche_themes
        for question in sheet.questions:
            assert len({a.value for a in question.answers}) == len(question.answers)
    assert sheets.level1.sector == "aucun"


def _leads(sector: str, question: str, value: str) -> dict[str, object]:
    q = next(q for q in load_sheets().get(sector).questions if q.id == question)
    answer = q.answer(value)
    assert answer is not None
    return answer.leads_to


def test_qualifying_questions_lead_to_sector_or_outside_body() -> None:
    # A dispute with a professional → consommation; with a neighbour → conciliateur de justice.
    assert _leads("consommation", "parties", "professionnel") == {"sector": "consommation"}
    assert "Conciliateur de justice" in str(_leads("consommation", "parties", "voisin")["body"])
    # A labour question from a civil servant → the employer's HR, not the travail sector.
    civil_servant = _leads("travail", "statut", "agent_public")
    assert "sector" not in civil_servant and "ressources humaines" in str(civil_servant["body"])
    assert _leads("travail", "statut", "salarie_prive") == {"sector": "travail"}


def test_answers_are_validated_against_the_sheet() -> None:
    sheet = load_sheets().get("logement")
    sheet.validate_answers({"relation": "prive"})
    with pytest.raises(InvalidInput, match="pas de question"):
        sheet.validate_answers({"couleur": "bleu"})
    with pytest.raises(InvalidInput, match="choix possibles"):
        sheet.validate_answers({"relation": "chateau"})
    with pytest.raises(InvalidInput, match="Secteur inconnu"):
        load_sheets().get("sport")


def test_an_editor_copy_replaces_the_bundled_sheet(tmp_path: Path) -> None:
    override = tmp_path / "escalation"
    override.mkdir()
    raw = json.loads((BUNDLED_DIR / "justice.json").read_text())
    raw["definition"] = "Définition revue par la rédaction : " + raw["definition"]
    (override / "justice.json").write_text(json.dumps(raw, ensure_ascii=False))
    sheets = load_sheets(override)
    assert sheets.get("justice").definition.startswith("Définition revue")
    assert sheets.sources["justice"].startswith(str(override))
    assert sheets.get("travail").definition == load_sheets().get("travail").definition


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.update(sector="autre"), "ne correspond pas"),
        (
            lambda raw: raw["questions"][0]["answers"][0].update(leads_to={"sector": "sport"}),
            "secteur inconnu",
        ),
        (
            lambda raw: raw["questions"][0]["answers"][0].update(leads_to={"note": "x"}),
            "nulle part",
        ),
        (lambda raw: raw.pop("definition"), "definition"),
    ],
)
def test_malformed_sheets_are_refused_in_french(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    override = tmp_path / "escalation"
    override.mkdir()
    raw = json.loads((BUNDLED_DIR / "travail.json").read_text())
    change(raw)
    (override / "travail.json").write_text(json.dumps(raw))
    with pytest.raises(InvalidInput, match=message):
        load_sheets(override)


def test_unreadable_sheet(tmp_path: Path) -> None:
    override = tmp_path / "escalation"
    shutil.copytree(BUNDLED_DIR, override)
    (override / "fiscalite.json").write_text("{pas du json")
    with pytest.raises(InvalidInput, match="illisible"):
        load_sheets(override)
