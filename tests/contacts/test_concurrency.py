"""Take-next is atomic: agents taking at the same moment, in real threads on a real committed
database (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: serialised write transactions)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import Engine

from allo.contacts import agents, repository, services
from allo.db.session import make_session_factory, unit_of_work

AGENTS = 8
CONTACTS = 160


def test_concurrent_takers_never_share_a_contact(committed_engine: Engine) -> None:
    sessions = make_session_factory(committed_engine)
    with unit_of_work(sessions) as s:
        agent_ids = [
            agents.create_agent(s, f"conseil{i}", "advisor", "mot-de-passe-de-test").id
            for i in range(AGENTS)
        ]
        for i in range(CONTACTS):
            services.create_contact(s, channel="phone", question=f"question {i}")

    taken: dict[int, list[int]] = {a: [] for a in agent_ids}
    errors: list[BaseException] = []
    start = threading.Barrier(AGENTS)

    def work(agent_id: int) -> None:
        try:
            start.wait()
            while True:
                with unit_of_work(sessions) as s:
                    agent = repository.agent(s, agent_id)
                    assert agent is not None
                    contact = services.take_next(s, agent, "niveau1")
                    if contact is None:
                        return
                    taken[agent_id].append(contact.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(a,)) for a in agent_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    all_taken = [c for ids in taken.values() for c in ids]
    duplicates = [c for c, n in Counter(all_taken).items() if n > 1]
    assert duplicates == []
    assert len(all_taken) == CONTACTS
    # More than one agent really took part (the test exercised concurrency).
    assert sum(1 for ids in taken.values() if ids) > 1
    with unit_of_work(sessions) as s:
        counts = repository.queue_counts(s)
        assert counts == {("niveau1", "taken"): CONTACTS}
        # Each contact's holder is the agent that received it.
        for agent_id, ids in taken.items():
            for cid in ids:
                contact = repository.contact(s, cid)
                assert contact is not None and contact.agent_id == agent_id
