"""Telephony: Allo is the information system beside a phone platform, linked by a small CTI API.

The connector interface follows existing computer-telephony integration APIs (TAPI / CSTA call
events, Twilio-style status callbacks): the platform reports *events* on calls (offered,
answered, transferred, ended) and Allo sends *commands* (answer = put the call through to an
agent, transfer = move it to another queue, hang up). Allo never receives or stores the caller's
number: a call is known only by the platform's opaque call id.

`CallBridge` joins a connector to the contact flow:
- offered → a phone contact is created in the level-1 queue; with the service's time zone, outside
  the service calendar's hours the call is refused instead: no contact, and a `hang_up` command
  (the platform plays its closed message);
- a contact taken by an agent → `answer` command; escalated / redirected / returned → `transfer`
  to the new queue, both sent only after the step's transaction has committed;
- ended while the contact waits → the contact is abandoned; otherwise the end is recorded.

`SimulatedConnector` is an in-memory platform for the tests and the demo: callers place calls
and hang up; commands change the call's state and echo the platform's events.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, sessionmaker

from allo.contacts import calendar, services
from allo.contacts import repository as repo
from allo.db.base import utcnow
from allo.db.session import unit_of_work

log = logging.getLogger("allo.telephony")

CallEventKind = Literal["offered", "answered", "transferred", "ended"]


@dataclass(frozen=True)
class CallEvent:
    """What the platform reports about a call."""

    kind: CallEventKind
    call_id: str
    at: datetime
    #: transferred: the queue the call now waits in
    queue: str | None = None
    #: answered: the agent the call was put through to (Allo's agent id, as text)
    agent_ref: str | None = None
    #: ended: who ended it ("caller", "agent" or "platform")
    cause: str | None = None


CallHandler = Callable[[CallEvent], None]


class TelephonyConnector(Protocol):
    """The CTI link to a phone platform (a real one wraps the vendor's API)."""

    def subscribe(self, handler: CallHandler) -> None:
        """Receive every call event from now on."""

    def answer(self, call_id: str, agent_ref: str) -> None:
        """Put the waiting call through to this agent's phone."""

    def transfer(self, call_id: str, queue: str) -> None:
        """Move the call, without hanging up, to another queue (a sector's, or level 1)."""

    def hang_up(self, call_id: str) -> None:
        """End the call from the agent's side."""


@dataclass
class SimulatedCall:
    call_id: str
    #: ringing (waiting in a queue) / connected / ended
    state: str
    queue: str
    agent_ref: str | None = None


class SimulatedConnector:
    """An in-memory phone platform: place calls, hang up as the caller; commands echo events."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._handlers: list[CallHandler] = []
        self._ids = itertools.count(1)
        # Call ids are unique across platform instances (several demo runs on one database).
        self._prefix = secrets.token_hex(4)
        self._lock = threading.Lock()
        self.calls: dict[str, SimulatedCall] = {}

    def subscribe(self, handler: CallHandler) -> None:
        self._handlers.append(handler)

    def _emit(self, event: CallEvent) -> None:
        for handler in list(self._handlers):
            handler(event)

    # --- what callers do --------------------------------------------------------------------

    def place_call(self) -> str:
        """A caller dials the service: the call waits in the level-1 queue."""
        with self._lock:
            call_id = f"sim-{self._prefix}-{next(self._ids):06d}"
            self.calls[call_id] = SimulatedCall(call_id, "ringing", "niveau1")
        self._emit(CallEvent("offered", call_id, self._clock(), queue="niveau1"))
        return call_id

    def caller_hangs_up(self, call_id: str) -> None:
        call = self.calls[call_id]
        if call.state == "ended":
            return
        call.state = "ended"
        self._emit(CallEvent("ended", call_id, self._clock(), cause="caller"))

    # --- commands from Allo -------------------------------------------------------------------

    def answer(self, call_id: str, agent_ref: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.state == "ended":
            return
        call.state, call.agent_ref = "connected", agent_ref
        self._emit(CallEvent("answered", call_id, self._clock(), agent_ref=agent_ref))

    def transfer(self, call_id: str, queue: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.state == "ended":
            return
        call.state, call.queue, call.agent_ref = "ringing", queue, None
        self._emit(CallEvent("transferred", call_id, self._clock(), queue=queue))

    def hang_up(self, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.state == "ended":
            return
        call.state = "ended"
        self._emit(CallEvent("ended", call_id, self._clock(), cause="agent"))


class CallBridge:
    """Joins a connector to the contact flow; also the flow's CallControl (services.CallControl)."""

    def __init__(
        self,
        connector: TelephonyConnector,
        sessions: sessionmaker[Session],
        tz: ZoneInfo | None = None,
    ) -> None:
        self.connector = connector
        self.sessions = sessions
        #: the service's time zone: when given, the service calendar applies to offered calls
        #: (None: every call is taken, as `allo demo-calls` does to fill the demo at any hour)
        self.tz = tz
        #: calls refused outside hours, until the platform reports their end
        self._refused: set[str] = set()
        self._refused_lock = threading.Lock()
        connector.subscribe(self.handle)

    # --- events from the platform ---------------------------------------------------------------

    def handle(self, event: CallEvent) -> None:
        if event.kind == "offered":
            self._offered(event)
            return
        with self._refused_lock:
            if event.call_id in self._refused:
                if event.kind == "ended":
                    self._refused.discard(event.call_id)
                return
        with unit_of_work(self.sessions) as session:
            contact = repo.contact_by_call(session, event.call_id, for_update=True)
            if contact is None:
                log.warning("call event %s for an unknown call", event.kind)
                return
            if event.kind == "answered":
                services.record_call_event(
                    session, contact, "connected", now=event.at, agent_ref=event.agent_ref
                )
            elif event.kind == "transferred":
                services.record_call_event(
                    session, contact, "transferred", now=event.at, to=event.queue
                )
            elif event.kind == "ended" and not services.abandon(session, contact, now=event.at):
                services.record_call_event(
                    session, contact, "ended", now=event.at, cause=event.cause
                )

    def _offered(self, event: CallEvent) -> None:
        try:
            with unit_of_work(self.sessions) as session:
                contact = services.create_contact(
                    session, channel="phone", call_id=event.call_id, now=event.at, tz=self.tz
                )
                services.record_call_event(session, contact, "offered", now=event.at)
        except calendar.ServiceClosed:
            log.info("call refused: the service is closed")
            with self._refused_lock:
                self._refused.add(event.call_id)
            self.connector.hang_up(event.call_id)

    # --- commands, once the step is committed ----------------------------------------------------

    def answer(self, session: Session, call_id: str, agent_id: int) -> None:
        _after_commit(session, lambda: self.connector.answer(call_id, str(agent_id)))

    def transfer(self, session: Session, call_id: str, queue: str) -> None:
        _after_commit(session, lambda: self.connector.transfer(call_id, queue))


def _after_commit(session: Session, command: Callable[[], None]) -> None:
    """Run `command` once this session's transaction has committed (never after a rollback)."""

    def _run(_session: Session) -> None:
        try:
            command()
        except Exception:
            # The step is committed; a failed phone command must not undo it. The platform's
            # own events will tell what really happened to the call.
            log.exception("telephony command failed")

    sa_event.listen(session, "after_commit", _run, once=True)
