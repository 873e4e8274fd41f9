"""The legal watch's list, composed once for the page, the API and the CLI: the service's own
fiches from their current text (drafts included), then the official ones it relies on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from allo.backlog.articles import reviews
from allo.cli.main import app
from allo.contacts.models import Agent
from allo.errors import InvalidInput
from allo.kb.local import services
from allo.runtime import Runtime
from tests.web.test_redaction_articles import TRANSFER, _content

SITE = {"title": "Code du travail : article L1224-1", "url": "https://legifrance.test/a"}


def test_a_draft_comes_first_then_the_official_fiche_the_service_adapted(
    runtime: Runtime, db: Session, make_agent: Callable[..., Agent]
) -> None:
    editor = make_agent("editor")
    draft = services.create(db, editor, _content(title="Transfert : brouillon", sites=[SITE]))
    services.adapt(db, editor, TRANSFER)  # the labour fiche citing L1224-1, now relied on
    db.flush()
    (found,) = reviews(runtime, db, "L1224-1")
    first = found.fiches[0]
    assert (first.id, first.state, first.published) == (draft.id, "draft", False)
    assert first.state_label == "Brouillon" and first.reference == SITE["title"]
    official = next(f for f in found.fiches if f.id == TRANSFER)
    assert official.state_label == "" and [r.kind for r in official.reasons] == ["adapted"]
    assert found.local >= 1 and found.relied >= 1
    with pytest.raises(InvalidInput, match="Aucun article de code reconnu"):
        reviews(runtime, db, "licenciement")


def test_the_cli_lists_the_drafts_as_the_page_does(tmp_path: Path, cli_database: str) -> None:
    source = tmp_path / "in"
    source.mkdir()
    front = {"id": "L9", "title": "Reprise d'entreprise", "audiences": ["particuliers"]}
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()]
    lines.append(f"sites: {json.dumps([SITE], ensure_ascii=False)}")
    (source / "L9.md").write_text("---\n" + "\n".join(lines) + "\n---\nTexte.\n", encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(app, ["kb", "local", "import", str(source)])
    assert imported.exit_code == 0, imported.output  # imported as a draft, never published
    listed = runner.invoke(app, ["search", "articles", "L1224-1", "--json"])
    assert listed.exit_code == 0, listed.output
    (article,) = json.loads(listed.output)
    assert article["article"] == "L1224-1"
    assert article["fiches"] == [
        {
            "id": "L9",
            "title": "Reprise d'entreprise",
            "source": "local",
            "reference": SITE["title"],
            "state": "draft",
            "published": False,
            "reasons": [],
        }
    ]
    table = runner.invoke(app, ["search", "articles", "L1224-1"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "1 fiche, dont 1 du service et 0 officielle" in table.output
    assert "Brouillon" in table.output
