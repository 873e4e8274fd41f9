"""The content-gap backlog: built from contacts, escalation notes and the portal's counts,
grouped by similar wording, most frequent first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.backlog import gaps, repository
from allo.db.base import utcnow
from allo.errors import Forbidden, InvalidInput


@pytest.mark.parametrize(
    ("note", "no_answer"),
    [
        ("Pas de fiche sur ce cas précis", True),
        ("Rien trouvé dans la base", True),
        ("aucune réponse dans la base pour les frontaliers", True),
        ("Fiche manquante pour ce cas", True),
        ("La base ne traite pas les SCI", True),
        ("Litige complexe avec l'employeur, à voir par le secteur", False),
        ("Fiche lue, le cas relève du conseil de prud'hommes", False),
    ],
)
def test_escalation_notes_that_say_the_base_had_no_answer(note: str, no_answer: bool) -> None:
    assert gaps.says_no_answer(note) is no_answer


def test_gaps_group_similar_wordings_from_every_source_most_frequent_first(
    db: Session, make_agent: Callable[..., Any], make_contact: Callable[..., Any]
) -> None:
    editor = make_agent("editor")
    make_contact("J'ai perdu ma carte grise", theme="Papiers")
    make_contact("carte grise perdue", outcome="answered", sector="interieur")
    make_contact("Carte grise perdue !", outcome=None, escalation_note="Pas de fiche là-dessus")
    make_contact("prime de noël chômeur", escalation_note="Rien dans la base", sector="travail")
    # contacts that had a fiche, and an escalation for another reason, are no gap
    make_contact("carte grise perdue", fiches=["F1726"])
    make_contact(
        "licenciement économique", outcome=None, escalation_note="Cas complexe", fiches=["F1726"]
    )
    # too old for the period
    make_contact("carte grise perdue", days_ago=40)
    today = utcnow().date()
    repository.add_query_counts(
        db,
        [
            {"day": today, "wording": "carte grise perdue", "searches": 5, "empty": 0, "opened": 3},
            {
                "day": today,
                "wording": "prime de noel chomeur",
                "searches": 4,
                "empty": 4,
                "opened": 0,
            },
            {"day": today, "wording": "passeport", "searches": 9, "empty": 0, "opened": 9},
        ],
    )
    found = gaps.gaps(db, editor, days=30)
    summary = [(g.wording, g.count, dict(g.by_source)) for g in found]
    assert summary == [
        (
            "carte grise perdue",
            5,
            {"contact_sans_fiche": 2, "escalade_sans_reponse": 1, "portail_sans_ouverture": 2},
        ),
        (
            "prime de noel chomeur",
            5,
            {"escalade_sans_reponse": 1, "portail_sans_resultat": 4},
        ),
    ]
    first = found[0].as_dict()
    assert {v["wording"] for v in first["variants"]} >= {"J'ai perdu ma carte grise"}
    assert first["themes"] == ["Papiers"] and first["sectors"] == ["interieur"]
    assert len(first["contact_ids"]) == 3
    # one source only
    portal = gaps.gaps(db, editor, source="portail_sans_resultat")
    assert [(g.wording, g.count) for g in portal] == [("prime de noel chomeur", 4)]
    # the old contact counts with a longer period
    assert gaps.gaps(db, editor, days=60)[0].by_source["contact_sans_fiche"] == 3


def test_the_backlog_is_for_editors_and_checks_its_filters(
    db: Session, make_agent: Callable[..., Any]
) -> None:
    with pytest.raises(Forbidden):
        gaps.gaps(db, make_agent("advisor"))
    editor = make_agent("editor")
    for kwargs in ({"days": 0}, {"days": 400}, {"limit": 0}, {"source": "inconnue"}):
        with pytest.raises(InvalidInput):
            gaps.gaps(db, editor, **kwargs)


def test_grouping_keeps_different_subjects_apart() -> None:
    day = utcnow().date() - timedelta(days=1)
    items = [
        gaps._Item(w, n, "contact_sans_fiche", day)
        for w, n in [
            ("carte grise perdue", 3),
            ("perte de la carte grise", 1),
            ("carte vitale perdue", 2),
            ("passeport", 1),
        ]
    ]
    grouped = gaps.group(items)
    assert [(g.wording, g.count) for g in grouped] == [
        ("carte grise perdue", 4),
        ("carte vitale perdue", 2),
        ("passeport", 1),
    ]
