"""Every query of the staffing package: the recorded history it forecasts from, and the roster.

History is read with aggregates (arrivals counted per UTC half-hour in the database, durations
averaged there), so weeks of 8,000 contacts a day cost a few thousand rows, not millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from allo.contacts.models import SECTORS, Contact, ContactEvent
from allo.db.session import rows_touched
from allo.stats.figures import ENDING_KINDS, ENTERING_KINDS
from allo.stats.sql import seconds_between, utc_half_hour
from allo.stats.staffing.models import RosterImport, Shift


@dataclass
class QueueFacts:
    """What the recorded contacts say about one queue over a window."""

    handled: int = 0
    #: mean handling time (taken → the agent's next step), seconds; None without history
    aht_s: float | None = None
    abandoned: int = 0
    #: total seconds callers spent waiting, answered or not (the patience estimate's exposure)
    waiting_s: float = 0.0

    @property
    def patience_s(self) -> float | None:
        """Exponential patience by maximum likelihood with censoring: waiting time / hang-ups."""
        if self.abandoned == 0 or self.waiting_s <= 0:
            return None
        return self.waiting_s / self.abandoned


@dataclass
class History:
    """Level-1 phone arrivals per UTC half-hour, and each queue's facts, over [start, end)."""

    start: datetime
    end: datetime
    #: UTC half-hour start → arrivals
    arrivals: dict[datetime, int] = field(default_factory=dict)
    queues: dict[str, QueueFacts] = field(default_factory=dict)
    #: level-1 phone contacts answered at level 1 (the escalation rates' denominator)
    answered_level1: int = 0
    escalated: dict[str, int] = field(default_factory=dict)
    #: mean seconds from arrival to the transfer to a sector
    transfer_delay_s: float | None = None


def _bucket(raw: str) -> datetime:
    return datetime.strptime(raw, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def load_history(
    session: Session, start: datetime, end: datetime, channel: str = "phone"
) -> History:
    """Contacts of one channel that arrived in [start, end): the forecast's only input."""
    history = History(start=start, end=end)
    in_window = (
        Contact.channel == channel,
        Contact.created_at >= start,
        Contact.created_at < end,
    )
    bucket = utc_half_hour(Contact.created_at)
    for raw, count in session.execute(
        select(bucket, func.count()).where(*in_window).group_by(bucket)
    ):
        history.arrivals[_bucket(raw)] = int(count)
    if not history.arrivals:
        return history

    # Handling per queue: each "taken" step to the same agent's next step.
    taken = aliased(ContactEvent)
    step = aliased(ContactEvent)
    ended_at = (
        select(func.min(step.at))
        .where(step.contact_id == taken.contact_id, step.id > taken.id, step.kind.in_(ENDING_KINDS))
        .scalar_subquery()
    )
    entered_at = (
        select(func.max(step.at))
        .where(
            step.contact_id == taken.contact_id,
            step.id < taken.id,
            step.kind.in_(ENTERING_KINDS),
        )
        .scalar_subquery()
    )
    phone_ids = select(Contact.id).where(*in_window).scalar_subquery()
    sessions = (
        select(
            taken.queue,
            func.count(),
            func.avg(seconds_between(ended_at, taken.at)),
            func.sum(seconds_between(taken.at, entered_at)),
        )
        .where(taken.kind == "taken", taken.contact_id.in_(phone_ids))
        .group_by(taken.queue)
    )
    for queue, count, aht, waited in session.execute(sessions):
        facts = history.queues.setdefault(queue, QueueFacts())
        facts.handled = int(count)
        facts.aht_s = float(aht) if aht is not None else None
        facts.waiting_s += float(waited or 0.0)
    # Hang-ups: the wait of those who gave up, in the queue they gave up in.
    hangups = (
        select(
            Contact.queue,
            func.count(),
            func.sum(seconds_between(Contact.closed_at, Contact.queued_at)),
        )
        .where(*in_window, Contact.outcome == "abandoned")
        .group_by(Contact.queue)
    )
    for queue, count, waited in session.execute(hangups):
        facts = history.queues.setdefault(queue, QueueFacts())
        facts.abandoned = int(count)
        facts.waiting_s += float(waited or 0.0)

    history.answered_level1 = int(
        session.execute(
            select(func.count()).where(*in_window, Contact.first_taken_at.is_not(None))
        ).scalar_one()
    )
    first_escalation = (
        select(ContactEvent.contact_id, func.min(ContactEvent.at).label("at"))
        .where(ContactEvent.kind == "escalated", ContactEvent.contact_id.in_(phone_ids))
        .group_by(ContactEvent.contact_id)
        .subquery()
    )
    delay = session.execute(
        select(func.avg(seconds_between(first_escalation.c.at, Contact.created_at))).join(
            first_escalation, first_escalation.c.contact_id == Contact.id
        )
    ).scalar_one()
    history.transfer_delay_s = float(delay) if delay is not None else None
    for sector, count in session.execute(
        select(Contact.sector, func.count())
        .where(*in_window, Contact.escalations > 0, Contact.sector.in_(SECTORS))
        .group_by(Contact.sector)
    ):
        if sector is not None:
            history.escalated[sector] = int(count)
    return history


# --- roster -----------------------------------------------------------------------------------


def add_import(session: Session, record: RosterImport, shifts: Sequence[Shift]) -> RosterImport:
    session.add(record)
    session.flush()
    for shift in shifts:
        shift.import_id = record.id
        session.add(shift)
    session.flush()
    return record


def shifts_between(session: Session, start: datetime, end: datetime) -> list[Shift]:
    """Shifts that overlap [start, end)."""
    return list(
        session.scalars(
            select(Shift)
            .where(Shift.start < end, Shift.end > start)
            .order_by(Shift.start, Shift.id)
        )
    )


def agent_shifts_between(
    session: Session, agents: Sequence[str], start: datetime, end: datetime
) -> list[Shift]:
    """Named agents' shifts overlapping [start, end): the overlap check of an import."""
    if not agents:
        return []
    return list(
        session.scalars(
            select(Shift).where(Shift.agent.in_(list(agents)), Shift.start < end, Shift.end > start)
        )
    )


def imports(session: Session, limit: int = 20) -> list[RosterImport]:
    return list(session.scalars(select(RosterImport).order_by(RosterImport.id.desc()).limit(limit)))


def delete_import(session: Session, import_id: int) -> int:
    return rows_touched(session, delete(Shift).where(Shift.import_id == import_id))
