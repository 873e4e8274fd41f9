"""The audit log records identifiers, never personal data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from allo.errors import InvalidInput
from allo.privacy import audit


def test_entries_are_listed_newest_first_and_filtered(db: Session) -> None:
    audit.record(db, agent_id=7, action="read", object_type="contact", object_id=12)
    audit.record(db, agent_id=7, action="close", object_type="contact", object_id=12)
    audit.record(db, agent_id=8, action="update", object_type="calendar", detail={"days": 6})
    db.flush()
    mine = audit.list_entries(db, audit.AuditQuery(agent_id=7))
    assert [e.action for e in mine] == ["close", "read"]
    assert [e.object_id for e in mine] == ["12", "12"]
    calendar = audit.list_entries(db, audit.AuditQuery(object_type="calendar"))
    assert calendar[0].detail == {"days": 6}
    page = audit.list_entries(db, audit.AuditQuery(agent_id=7, before_id=mine[0].id, limit=1))
    assert [e.action for e in page] == ["read"]


@pytest.mark.parametrize(
    "detail",
    [
        {"question": "Mon voisin M. Martin fait du bruit"},
        {"email": "jean.dupont@example.org"},
        {"note": ["ok", "appelez le 06 12 34 56 78"]},
        {"payload": {"nested": "dict"}},
    ],
)
def test_free_text_is_refused(db: Session, detail: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="audit"):
        audit.record(db, agent_id=1, action="read", object_type="contact", detail=detail)


def test_free_text_in_identifiers_is_refused(db: Session) -> None:
    with pytest.raises(ValueError):
        audit.record(db, agent_id=1, action="read", object_type="contact", object_id="a b@c")


def test_bad_queries_are_refused(db: Session) -> None:
    with pytest.raises(InvalidInput):
        audit.list_entries(db, audit.AuditQuery(limit=0))
    with pytest.raises(InvalidInput):
        audit.list_entries(
            db,
            audit.AuditQuery(
                since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
            ),
        )
