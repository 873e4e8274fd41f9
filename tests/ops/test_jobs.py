"""Background jobs on several nodes: the answer-notice round runs on one node at a time."""

from __future__ import annotations

import dataclasses
import threading
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.contacts import messages
from allo.contacts.models import Contact
from allo.contacts.notifier import MemoryNotifier
from allo.contacts.service_models import WebMessage
from allo.runtime import Runtime
from allo.web.api.jobs import notify_on_one_node


class HeldNotifier(MemoryNotifier):
    """A node caught in the middle of its round: the first notice waits to be released."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = threading.Event()
        self.release = threading.Event()

    def send(self, to: str, subject: str, body: str) -> None:
        self.inside.set()
        assert self.release.wait(30)
        super().send(to, subject, body)


def _answered_question(db: Session, email: str) -> int:
    sent = messages.submit(
        db,
        question="Comment refaire ma carte grise ?",
        commune=None,
        email=email,
        retention_days=90,
        tz=ZoneInfo("Europe/Paris"),
    )
    sent.contact.state = "closed"
    db.commit()
    return sent.contact.id


def test_two_nodes_never_both_send_the_notices(runtime: Runtime, db: Session) -> None:
    contact_id = _answered_question(db, "lectrice@example.org")
    node_a, node_b = runtime, dataclasses.replace(runtime, services={})
    held, other = HeldNotifier(), MemoryNotifier()
    results: dict[str, int | None] = {}
    worker = threading.Thread(target=lambda: results.update(a=notify_on_one_node(node_a, held)))
    worker.start()
    try:
        assert held.inside.wait(30), "node a never reached its first notice"
        # node b's minute comes while node a is sending: it skips the round, sends nothing
        assert notify_on_one_node(node_b, other) is None
        assert other.sent == []
    finally:
        held.release.set()
        worker.join(30)
    assert results["a"] is not None and results["a"] >= 1
    assert "lectrice@example.org" in [to for to, _s, _b in held.sent]
    stored = db.scalars(select(WebMessage).where(WebMessage.contact_id == contact_id)).one()
    db.refresh(stored)
    assert stored.notify_email is None and stored.notified_at is not None
    # once node a is done, node b takes the next round (nothing left to send)
    assert notify_on_one_node(node_b, other) == 0
    assert other.sent == []
    assert db.get(Contact, contact_id) is not None
