"""Escalation sheets as content of the base: initial load, the consoles' published set, the
workflow shared with local fiches, 409 on concurrent saves, diffs, French validation, export →
import round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from allo.cli.main import app
from allo.contacts.models import Agent
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.kb.escalation import BUNDLED_DIR, SHEET_IDS, load_sheets
from allo.kb.local import sheets
from allo.kb.local.workflow import Policy


@pytest.fixture
def loaded(db: Session, tmp_path: Path) -> Path:
    sheets.load_initial(db)  # the test database may already hold them (first start)
    assert {r.id for r in sheets.list_sheets(db)} == set(SHEET_IDS)
    return tmp_path  # an ALLO_HOME without editor copies


def _raw(sheet_id: str) -> dict[str, Any]:
    return json.loads((BUNDLED_DIR / f"{sheet_id}.json").read_text(encoding="utf-8"))


def _publish(db: Session, author: Agent, reviewer: Agent, sheet_id: str, content: Any) -> None:
    row = sheets.get(db, sheet_id)
    sheets.update(db, author, sheet_id, content, row.version, "Définition revue")
    sheets.submit(db, author, sheet_id)
    sheets.publish(db, reviewer, sheet_id, Policy())


def test_first_start_loads_the_files_as_published_sheets(db: Session, loaded: Path) -> None:
    assert sheets.load_initial(db) == []  # once
    rows = sheets.list_sheets(db)
    assert {r.id for r in rows} == set(SHEET_IDS)
    assert all(r.state == "published" and r.published_version == 1 for r in rows)
    assert sheets.versions(db, "justice")[0].author_name == sheets.INITIAL_AUTHOR
    published = sheets.published_set(db, loaded)
    bundled = load_sheets()
    assert published.get("travail") == bundled.get("travail")
    assert published.level1 == bundled.level1
    assert published.sources["justice"] == "base:justice"


def test_the_consoles_see_a_new_version_only_once_published(
    db: Session, loaded: Path, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    raw = _raw("justice")
    raw["definition"] = "Définition revue par la rédaction."
    row = sheets.update(db, editor, "justice", raw, 1, "Définition revue")
    assert (row.version, row.state) == (2, "draft")
    before = sheets.published_set(db, loaded).get("justice").definition
    assert before == load_sheets().get("justice").definition
    sheets.submit(db, editor, "justice")
    with pytest.raises(Forbidden, match="second rédacteur"):
        sheets.publish(db, editor, "justice", policy)
    sheets.approve(db, reviewer, "justice", policy)
    sheets.publish(db, editor, "justice", policy)
    assert sheets.published_set(db, loaded).get("justice").definition == raw["definition"]
    # archiving withdraws the editors' versions: back to the initial file
    sheets.archive(db, reviewer, "justice")
    assert sheets.published_set(db, loaded).get("justice").definition == before
    with pytest.raises(Conflict, match="déjà archivée"):
        sheets.archive(db, reviewer, "justice")


def test_concurrent_saves_the_second_gets_409_with_what_changed(
    db: Session, loaded: Path, editor: Agent, reviewer: Agent
) -> None:
    first = _raw("logement")
    first["definition"] = "Première définition."
    sheets.update(db, editor, "logement", first, 1)
    second = _raw("logement")
    second["keywords"] = [*second["keywords"], "squat"]
    with pytest.raises(Conflict) as caught:
        sheets.update(db, reviewer, "logement", second, 1)
    details = caught.value.details or {}
    assert details["current_version"] == 2
    assert "definition" in details["fields"]
    assert sheets.get(db, "logement").content["definition"] == "Première définition."


def test_diff_between_versions_marks_words_added_and_removed(
    db: Session, loaded: Path, editor: Agent
) -> None:
    raw = _raw("travail")
    raw["questions"][0]["text"] = raw["questions"][0]["text"] + " (précisez la convention)"
    sheets.update(db, editor, "travail", raw, 1)
    diff = sheets.diff_versions(db, "travail", 1, 2)
    assert set(diff) == {"questions"}
    added = [p["text"] for p in diff["questions"].as_json() if p["op"] == "+"]
    assert "convention" in " ".join(added)
    restored = sheets.restore(db, editor, "travail", 1)
    assert restored.version == 3 and restored.content == _raw("travail")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.update(sector="autre"), "ne correspond pas"),
        (lambda raw: raw.pop("definition"), "champ obligatoire manquant 'definition'"),
        (
            lambda raw: raw["questions"][0]["answers"][0].update(leads_to={"sector": "sport"}),
            "secteur inconnu",
        ),
        (lambda raw: raw["questions"][0].update(answers=[]), "n'a pas de réponse"),
        (lambda raw: raw.update(keywords="pas une liste"), "liste de textes"),
        (lambda raw: raw.update(definition="x" * 250_000), "trop longue"),
    ],
)
def test_bad_structures_are_refused_in_french_and_nothing_is_stored(
    db: Session, loaded: Path, editor: Agent, change: Any, message: str
) -> None:
    raw = _raw("fiscalite")
    change(raw)
    with pytest.raises(InvalidInput, match=message):
        sheets.update(db, editor, "fiscalite", raw, 1)
    assert sheets.get(db, "fiscalite").version == 1
    assert len(sheets.versions(db, "fiscalite")) == 1


def test_only_editors_write_and_unknown_ids_are_404(
    db: Session, loaded: Path, make_agent: Any
) -> None:
    advisor = make_agent("advisor")
    with pytest.raises(Forbidden, match="rédacteurs"):
        sheets.update(db, advisor, "justice", _raw("justice"), 1)
    with pytest.raises(NotFound):
        sheets.get(db, "sport")
    with pytest.raises(NotFound, match="inconnue"):
        sheets.create(db, make_agent("editor"), "sport", _raw("justice"))


def test_export_then_import_round_trip(
    db: Session, loaded: Path, editor: Agent, reviewer: Agent, tmp_path: Path
) -> None:
    raw = _raw("consommation")
    raw["label"] = "Consommation et concurrence"
    _publish(db, editor, reviewer, "consommation", raw)
    out = tmp_path / "export"
    written = sheets.export(db, out)
    assert sorted(p.name for p in written) == sorted(f"{s}.json" for s in SHEET_IDS)
    exported = json.loads((out / "consommation.json").read_text(encoding="utf-8"))
    assert exported == raw
    # the export is the initial-set format: the file loader accepts it as it is
    assert load_sheets(out).get("consommation").label == "Consommation et concurrence"

    changed = copy.deepcopy(exported)
    changed["definition"] = "Définition importée."
    (out / "consommation.json").write_text(json.dumps(changed), encoding="utf-8")
    (out / "justice.json").write_text("{pas du json", encoding="utf-8")
    (out / "sport.json").write_text("{}", encoding="utf-8")
    result = sheets.import_files(db, out)
    assert result.changed == ["consommation"]
    assert {name for name, _ in result.skipped} == {"justice.json", "sport.json"}
    assert all(reason for _, reason in result.skipped)
    row = sheets.get(db, "consommation")
    assert (row.state, row.content["definition"]) == ("draft", "Définition importée.")
    assert row.published_content == raw  # the consoles keep the published one
    assert sheets.get(db, "justice").version == 1  # the bad file lost nothing


def test_cli_export_then_import(tmp_path: Path, cli_database: str) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    exported = runner.invoke(app, ["kb", "escalation", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert json.loads((out / "travail.json").read_text(encoding="utf-8")) == _raw("travail")
    raw = _raw("travail")
    raw["label"] = "Travail et emploi"
    (out / "travail.json").write_text(json.dumps(raw), encoding="utf-8")
    (out / "casse.json").write_text("{}", encoding="utf-8")
    imported = runner.invoke(app, ["kb", "escalation", "import", str(out)])
    assert imported.exit_code == 1, imported.output
    assert "casse.json" in imported.output and "1 modifiée (brouillon à relire)" in imported.output
