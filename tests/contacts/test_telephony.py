"""The simulated phone platform drives the flow through the connector interface."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from allo.contacts import agents, repository, services
from allo.contacts.telephony import CallBridge, CallEvent, SimulatedConnector
from allo.db.session import make_session_factory, unit_of_work
from allo.kb.escalation import load_sheets


def kinds(sessions, contact_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return [e.kind for e in repository.events(s, contact_id)]


def contact_of(sessions, call_id: str):  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        contact = repository.contact_by_call(s, call_id)
        assert contact is not None
        return contact


def test_offered_call_becomes_a_phone_contact_and_hang_up_abandons_it(
    committed_engine: Engine,
) -> None:
    sessions = make_session_factory(committed_engine)
    platform = SimulatedConnector()
    CallBridge(platform, sessions)
    call = platform.place_call()
    contact = contact_of(sessions, call)
    assert (contact.channel, contact.queue, contact.state) == ("phone", "niveau1", "waiting")
    assert contact.question == ""  # nothing about the caller: no number, no name
    assert kinds(sessions, contact.id) == ["created", "queued", "offered"]
    platform.caller_hangs_up(call)
    contact = contact_of(sessions, call)
    assert (contact.state, contact.outcome) == ("abandoned", "abandoned")
    assert kinds(sessions, contact.id)[-2:] == ["abandoned", "closed"]


def test_take_connects_escalation_transfers_and_end_is_recorded(committed_engine: Engine) -> None:
    sessions = make_session_factory(committed_engine)
    platform = SimulatedConnector()
    bridge = CallBridge(platform, sessions)
    with unit_of_work(sessions) as s:
        advisor_id = agents.create_agent(s, "conseil", "advisor", "mot-de-passe-de-test").id
        specialist_id = agents.create_agent(
            s, "spe", "specialist", "mot-de-passe-de-test", sectors=["travail"]
        ).id
    call = platform.place_call()

    with unit_of_work(sessions) as s:
        advisor = repository.agent(s, advisor_id)
        contact = services.take_next(s, advisor, "niveau1", calls=bridge)
        assert contact is not None and contact.call_id == call
        # Not yet connected: the command waits for the commit.
        assert platform.calls[call].state == "ringing"
    assert platform.calls[call].state == "connected" and platform.calls[call].agent_ref == str(
        advisor_id
    )

    with unit_of_work(sessions) as s:
        advisor = repository.agent(s, advisor_id)
        contact = repository.contact_by_call(s, call)
        services.update_details(s, advisor, contact.id, question="licenciement contesté")
        services.escalate(
            s,
            advisor,
            contact.id,
            sector="travail",
            answers={"statut": "salarie_prive"},
            note="licenciement oral",
            sheets=load_sheets(),
            calls=bridge,
        )
    assert platform.calls[call].queue == "travail" and platform.calls[call].state == "ringing"

    with unit_of_work(sessions) as s:
        specialist = repository.agent(s, specialist_id)
        services.take_next(s, specialist, "travail", calls=bridge)
    # The caller hangs up during the conversation: recorded, not an abandonment.
    platform.caller_hangs_up(call)
    contact = contact_of(sessions, call)
    assert contact.state == "taken" and contact.outcome is None
    assert kinds(sessions, contact.id) == [
        "created",
        "queued",
        "offered",
        "taken",
        "connected",
        "noted",
        "qualified",
        "escalated",
        "queued",
        "transferred",
        "taken",
        "connected",
        "ended",
    ]


def test_a_rolled_back_step_sends_no_command(committed_engine: Engine) -> None:
    sessions = make_session_factory(committed_engine)
    platform = SimulatedConnector()
    bridge = CallBridge(platform, sessions)
    with unit_of_work(sessions) as s:
        advisor_id = agents.create_agent(s, "conseil", "advisor", "mot-de-passe-de-test").id
    call = platform.place_call()
    session = sessions()
    try:
        advisor = repository.agent(session, advisor_id)
        services.take_next(session, advisor, "niveau1", calls=bridge)
        session.rollback()
    finally:
        session.close()
    assert platform.calls[call].state == "ringing"
    assert contact_of(sessions, call).state == "waiting"


def test_events_for_unknown_calls_are_ignored(committed_engine: Engine) -> None:
    sessions = make_session_factory(committed_engine)
    bridge = CallBridge(SimulatedConnector(), sessions)
    from allo.db.base import utcnow

    bridge.handle(CallEvent("ended", "inconnu", utcnow(), cause="caller"))
    with unit_of_work(sessions) as s:
        assert repository.queue_counts(s) == {}


def test_with_the_service_time_zone_calls_outside_hours_are_refused(
    committed_engine: Engine,
) -> None:
    """The service calendar (default: closed on Sundays) applies to the platform's calls too."""
    paris = ZoneInfo("Europe/Paris")
    now = [datetime(2026, 11, 29, 12, 0, tzinfo=paris)]  # a Sunday
    sessions = make_session_factory(committed_engine)
    platform = SimulatedConnector(clock=lambda: now[0])
    CallBridge(platform, sessions, tz=paris)

    refused = platform.place_call()
    assert platform.calls[refused].state == "ended"  # hung up: the platform says it is closed
    with unit_of_work(sessions) as s:
        assert repository.contact_by_call(s, refused) is None
        assert repository.queue_counts(s) == {}

    now[0] = datetime(2026, 11, 30, 10, 0, tzinfo=paris)  # Monday, 10:00
    taken = platform.place_call()
    assert platform.calls[taken].state == "ringing"
    contact = contact_of(sessions, taken)
    assert (contact.channel, contact.state) == ("phone", "waiting")
