"""Local fiches: versions, workflow, four-eyes, concurrent saves, publication into the base."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from allo.contacts.models import Agent
from allo.directory.services import get_directory
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.kb import services as kb
from allo.kb.local import services
from allo.kb.local.services import Policy
from allo.kb.where import where_for_fiche
from allo.runtime import Runtime
from tests.kb.local.conftest import CARTE_GRISE, content

#: the service's day the tests publish on
TODAY = date(2026, 12, 4)


def _published(db: Session, editor: Agent, reviewer: Agent, policy: Policy, **data: object):
    fiche = services.create(db, editor, content(**data))
    services.submit(db, editor, fiche.id)
    return services.publish(db, reviewer, fiche.id, policy, today=TODAY)


def test_every_save_is_a_version_with_author_and_comment(db: Session, editor: Agent) -> None:
    fiche = services.create(db, editor, content())
    assert fiche.id == f"L{fiche.number}" and fiche.state == "draft" and fiche.version == 1
    services.update(db, editor, fiche.id, content(title="Carte grise perdue"), 1, "Titre court")
    history = services.versions(db, fiche.id)
    assert [v.number for v in history] == [2, 1]
    assert history[0].comment == "Titre court"
    assert history[0].author_id == editor.id
    assert history[0].content["title"] == "Carte grise perdue"
    assert history[1].content["title"].startswith("Carte grise perdue :")


def test_saving_the_same_content_makes_no_empty_version(db: Session, editor: Agent) -> None:
    fiche = services.create(db, editor, content())
    services.update(db, editor, fiche.id, content(), 1)
    assert fiche.version == 1


def test_a_save_based_on_an_old_version_is_refused_with_what_changed(
    db: Session, editor: Agent, reviewer: Agent
) -> None:
    fiche = services.create(db, editor, content())
    services.update(db, reviewer, fiche.id, content(summary="Résumé revu par la relecture."), 1)
    with pytest.raises(Conflict) as caught:
        services.update(db, editor, fiche.id, content(summary="Ma version."), 1)
    details = caught.value.details
    assert details["current_version"] == 2
    assert [v["version"] for v in details["versions"]] == [2]
    added = [r["text"] for r in details["fields"]["summary"] if r["op"] == "+"]
    assert "revu" in " ".join(added)
    assert services.get(db, fiche.id).summary == "Résumé revu par la relecture."


def test_workflow_draft_review_published_archived(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    fiche = services.create(db, editor, content())
    with pytest.raises(Conflict):
        services.publish(db, reviewer, fiche.id, policy, today=TODAY)  # a draft is submitted first
    services.submit(db, editor, fiche.id)
    assert fiche.state == "review"
    with pytest.raises(Conflict):
        services.submit(db, editor, fiche.id)
    services.publish(db, reviewer, fiche.id, policy, today=TODAY)
    assert fiche.state == "published" and fiche.published_version == 1
    assert fiche.review_by is not None and fiche.review_by > date(2026, 1, 1)
    row = kb.get_fiche(db, fiche.id)
    assert row.source == "local" and row.kind == services.INTERNAL_KIND
    assert row.pivots == ["prefecture"]
    assert "Demander d'abord" not in row.text + row.body  # the advisor note stays out
    services.archive(db, editor, fiche.id)
    assert fiche.state == "archived"
    with pytest.raises(NotFound):
        kb.get_fiche(db, fiche.id)


def test_four_eyes_the_last_author_cannot_publish_alone(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    fiche = services.create(db, editor, content())
    services.submit(db, editor, fiche.id)
    with pytest.raises(Forbidden):
        services.publish(db, editor, fiche.id, policy, today=TODAY)
    with pytest.raises(Forbidden):
        services.approve(db, editor, fiche.id, policy)
    services.approve(db, reviewer, fiche.id, policy)
    services.publish(db, editor, fiche.id, policy, today=TODAY)  # approved by a second editor
    assert fiche.state == "published"


def test_a_small_team_may_relax_four_eyes(db: Session, editor: Agent) -> None:
    fiche = services.create(db, editor, content(public=True))
    services.publish(db, editor, fiche.id, Policy(four_eyes=False), today=TODAY)
    assert kb.get_fiche(db, fiche.id).kind == "fiche"  # public: a fiche the portal lists


def test_editing_a_published_fiche_keeps_the_published_version_live(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    fiche = _published(db, editor, reviewer, policy)
    services.update(db, editor, fiche.id, content(title="Nouveau titre en cours"), 1)
    assert fiche.state == "draft" and fiche.published_version == 1
    assert kb.get_fiche(db, fiche.id).title.startswith("Carte grise perdue :")


def test_restore_makes_a_new_draft(db: Session, editor: Agent) -> None:
    fiche = services.create(db, editor, content())
    services.update(db, editor, fiche.id, content(title="Deuxième titre"), 1)
    services.restore(db, editor, fiche.id, 1)
    assert fiche.version == 3 and fiche.state == "draft"
    assert fiche.title.startswith("Carte grise perdue :")
    assert services.versions(db, fiche.id)[0].comment == "Restauration de la version 1"


def test_diff_marks_words_added_and_removed(db: Session, editor: Agent) -> None:
    fiche = services.create(db, editor, content())
    body = "## Démarche\n\nLa demande se fait en ligne sur le site de l'ANTS.\n"
    services.update(db, editor, fiche.id, content(body=body), 1)
    diff = services.diff_versions(db, fiche.id, 1, 2)
    assert set(diff) == {"body"}
    assert diff["body"].added == 2 and diff["body"].removed == 0
    assert '<ins class="allo-diff__ins">en ligne </ins>' in diff["body"].html()


def test_only_editors_write(db: Session, make_agent) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        services.create(db, make_agent("advisor"), content())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "obligatoire"),
        ("body", "x" * 1_048_576, "trop long"),
        ("related", ["F999999999"], "Fiche inconnue"),
        ("body", "Voir [ici](fiche:F999999999).", "Fiche inconnue"),
        ("pivots", ["bureau-des-licornes"], "Type d'organisme inconnu"),
        ("sites", [{"title": "x", "url": "javascript:alert(1)"}], "adresse refusée"),
        ("services", [{"title": "x", "url": "data:text/html,<script>"}], "adresse refusée"),
        ("audiences", ["martiens"], "Public inconnu"),
        ("review_by", "demain", "AAAA-MM-JJ"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_lost(
    db: Session, editor: Agent, field: str, value: object, message: str
) -> None:
    fiche = services.create(db, editor, content())
    with pytest.raises(InvalidInput) as caught:
        services.update(db, editor, fiche.id, content(**{field: value}), 1)
    assert message in caught.value.message
    assert fiche.version == 1 and len(services.versions(db, fiche.id)) == 1


def test_adapting_an_official_fiche_remembers_its_version(db: Session, editor: Agent) -> None:
    official = kb.get_fiche(db, CARTE_GRISE)
    fiche = services.adapt(db, editor, CARTE_GRISE)
    assert fiche.source_id == CARTE_GRISE and fiche.source_hash == official.content_hash
    assert fiche.source_text == official.text and fiche.related == [CARTE_GRISE]
    assert fiche.title == official.title and "duplicata" in fiche.body
    assert services.source_status(db, fiche).state == "ok"  # type: ignore[union-attr]
    # a later import changes the official fiche: the adaptation is flagged, with the source diff
    official.text = official.text.replace("duplicata", "nouveau titre", 1)
    official.content_hash = "0" * 64
    db.flush()
    status = services.source_status(db, fiche, with_diff=True)
    assert status is not None and status.state == "changed" and status.diff is not None
    assert status.diff.added >= 2 and status.diff.removed >= 1
    assert [f.id for f, _ in services.dashboard(db, TODAY).source_changed] == [fiche.id]
    services.acknowledge_source(db, editor, fiche.id)
    assert services.source_status(db, fiche).state == "ok"  # type: ignore[union-attr]
    db.delete(official)
    db.flush()
    assert services.source_status(db, fiche).state == "withdrawn"  # type: ignore[union-attr]


def test_adapting_an_unknown_fiche_is_a_french_404(db: Session, editor: Agent) -> None:
    with pytest.raises(NotFound):
        services.adapt(db, editor, "F0")


def test_dashboard_lists_reviews_overdue_and_broken_links(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    waiting = services.create(db, editor, content())
    services.submit(db, editor, waiting.id)
    late = _published(db, editor, reviewer, policy, review_by="2020-01-01")
    board = services.dashboard(db, TODAY)
    assert waiting in board.to_review and late in board.overdue
    db.delete(kb.get_fiche(db, CARTE_GRISE))  # the linked official fiche is withdrawn
    db.flush()
    broken = dict(services.dashboard(db, TODAY).broken_links)
    assert broken[waiting] == [CARTE_GRISE]


def test_broken_links_include_the_fiche_links_of_the_body(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    """A `[…](fiche:…)` link in the body to a fiche later withdrawn (official, or a local
    fiche archived) is a broken link too, not only the « fiches liées » list."""
    target = _published(db, editor, reviewer, policy, related=[], title="Fiche cible")
    body = f"Voir [la fiche du service](fiche:{target.id}) et [l'officielle](fiche:F1726).\n"
    linking = services.create(db, editor, content(related=[], body=body))
    assert linking.id not in {f.id for f, _ in services.dashboard(db, TODAY).broken_links}
    services.archive(db, editor, target.id)
    assert dict(services.dashboard(db, TODAY).broken_links)[linking] == [target.id]
    db.delete(kb.get_fiche(db, CARTE_GRISE))  # the official fiche is withdrawn by an import
    db.flush()
    assert dict(services.dashboard(db, TODAY).broken_links)[linking] == [target.id, CARTE_GRISE]


def test_advisor_note_is_that_of_the_published_version(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy
) -> None:
    fiche = _published(db, editor, reviewer, policy)
    services.update(db, editor, fiche.id, content(advisor_note="Brouillon de note."), 1)
    assert services.advisor_note(db, fiche.id) == content()["advisor_note"]


def test_a_published_fiche_names_its_offices_like_an_official_one(
    db: Session, editor: Agent, reviewer: Agent, policy: Policy, runtime: Runtime
) -> None:
    fiche = _published(db, editor, reviewer, policy)
    result = where_for_fiche(get_directory(runtime), db, fiche.id, "42000")
    found = [t for t in result["types"] if t["type"] == "prefecture"]
    assert found and found[0]["offices"], result
