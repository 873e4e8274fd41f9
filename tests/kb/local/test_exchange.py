"""Local fiches as files: export → import round trip, bad files reported while the rest imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from allo.cli.main import app
from allo.contacts.models import Agent
from allo.kb.local import exchange, repository, services
from tests.kb.local.conftest import CARTE_GRISE, content


def test_export_then_import_round_trip(db: Session, editor: Agent, tmp_path: Path) -> None:
    body = "## Démarche\n\n::: situation Vous êtes majeur\nTexte « guillemets » et \\n.\n:::\n"
    written = services.create(db, editor, content(body=body, review_by="2027-06-30"))
    adapted = services.adapt(db, editor, CARTE_GRISE)
    before = {f.id: services.snapshot(f) for f in (written, adapted)}
    assert exchange.export_all(db, tmp_path).written >= 2
    text = (tmp_path / f"{written.id}.md").read_text(encoding="utf-8")
    assert text.startswith("---\nid: ") and '\ntitle: "Carte grise perdue' in text and body in text
    # importing the same files changes nothing
    again = exchange.import_folder(db, tmp_path)
    assert written.id in again.unchanged and again.problems == []
    # into a base that lost them: recreated with their ids, content and source reference
    for fiche in (written, adapted):
        db.delete(fiche)
    db.flush()
    report = exchange.import_folder(db, tmp_path)
    assert {written.id, adapted.id} <= set(report.created)
    for fiche_id, snapshot in before.items():
        restored = services.get(db, fiche_id)
        assert services.snapshot(restored) == snapshot and restored.state == "draft"
    restored = services.get(db, adapted.id)
    assert restored.source_id == CARTE_GRISE
    assert services.source_status(db, restored).state == "ok"  # type: ignore[union-attr]


def test_an_edited_file_becomes_a_new_version(db: Session, editor: Agent, tmp_path: Path) -> None:
    fiche = services.create(db, editor, content())
    exchange.export_all(db, tmp_path)
    path = tmp_path / f"{fiche.id}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nParagraphe ajouté.\n", encoding="utf-8")
    report = exchange.import_folder(db, path)
    assert report.updated == [fiche.id] and fiche.version == 2
    assert "Paragraphe ajouté." in fiche.body
    assert services.versions(db, fiche.id)[0].author_name.startswith("Import (")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pas de métadonnées\n", "commencer par une ligne"),
        ('---\ntitle: "Sans fin"\n', "pas fermées"),
        ("---\ntitle: Carte grise\n---\nTexte\n", "valeur illisible"),
        ('---\ntitle: "X"\nrelated: ["F999999999"]\n---\nTexte\n', "Fiche inconnue"),
        ('---\nid: "X12"\ntitle: "X"\n---\nTexte\n', "Identifiant de fiche du service invalide"),
        ('---\ntitle: ""\n---\nTexte\n', "obligatoire"),
    ],
)
def test_a_bad_file_is_reported_and_the_others_imported(
    db: Session, tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "a-mauvais.md").write_text(text, encoding="utf-8")
    (tmp_path / "b-bon.md").write_text('---\ntitle: "Fiche correcte"\n---\nTexte.\n', "utf-8")
    report = exchange.import_folder(db, tmp_path)
    assert [name for name, _ in report.problems] == ["a-mauvais.md"]
    assert message in report.problems[0][1]
    assert len(report.created) == 1
    assert repository.get(db, report.created[0]).title == "Fiche correcte"  # type: ignore[union-attr]


def test_not_utf8_is_reported(db: Session, tmp_path: Path) -> None:
    (tmp_path / "latin1.md").write_bytes('---\ntitle: "Été"\n---\n'.encode("latin-1"))
    report = exchange.import_folder(db, tmp_path)
    assert report.problems == [("latin1.md", "le fichier n'est pas en UTF-8.")]


def test_cli_import_then_export(tmp_path: Path, cli_database: str) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "L7.md").write_text(
        '---\nid: "L7"\ntitle: "Fiche partagée"\naudiences: ["particuliers"]\n---\nTexte.\n',
        encoding="utf-8",
    )
    (source / "casse.md").write_text("rien\n", encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(app, ["kb", "local", "import", str(source)])
    assert imported.exit_code == 1, imported.output
    assert "casse.md" in imported.output and "1 créée," in imported.output
    exported = runner.invoke(app, ["kb", "local", "export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    text = (tmp_path / "out" / "L7.md").read_text(encoding="utf-8")
    assert 'title: "Fiche partagée"' in text and text.endswith("Texte.\n")
    for kind in ("local", "escalation"):  # a folder that is not there: bad input, exit 2
        missing = runner.invoke(app, ["kb", kind, "import", str(tmp_path / "absent")])
        assert missing.exit_code == 2 and "n'existe pas" in missing.output, missing.output
