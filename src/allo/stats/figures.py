"""The service's figures for a period, computed with SQL aggregates on SQLite and PostgreSQL.

A period selects contacts by arrival (`Contact.created_at`); everything about those contacts
counts, whenever it happened. Definitions (also in docs/STATS.md):

- level-1 resolution rate = contacts closed without any escalation / (those + escalated ones);
  escalation rate = escalated / the same total. Abandoned and still-undecided contacts are out.
- wait (phone, level 1) = first taken - arrival; wait (level 2) = taken from a sector queue -
  entering it; handling = from "taken" to the agent's next step (escalated, closed, released…).
- service level = phone contacts answered within the target wait / phone contacts answered or
  abandoned; abandonment = phone contacts that hung up while waiting / the same denominator.
- written response time = closing - arrival, for web and email contacts.
- satisfaction = ratings whose day lies in the period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from allo.contacts.models import CHANNELS, SECTORS, Contact, ContactEvent
from allo.contacts.service_models import SurveyResponse
from allo.errors import InvalidInput
from allo.stats.sql import distribution, seconds_between, utc_hour

#: Steps that put a contact (back) into a queue: the start of a wait.
ENTERING_KINDS = ("created", "queued", "escalated", "redirected", "returned", "released")
#: Steps that end an agent's handling of a contact.
ENDING_KINDS = ("escalated", "redirected", "returned", "released", "closed", "abandoned")
DEFAULT_TARGET_WAIT = 60
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, with the local days it was asked as."""

    start: datetime
    end: datetime
    label_from: str
    label_to: str

    def as_dict(self) -> dict[str, str]:
        return {
            "from": self.label_from,
            "to": self.label_to,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _parse_bound(raw: str, tz: ZoneInfo, *, upper: bool, name: str) -> datetime:
    text = raw.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if upper:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"« {name} » doit être une date (AAAA-MM-JJ) ou une date et heure ISO 8601."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def parse_period(raw_from: str | None, raw_to: str | None, tz: ZoneInfo, today: date) -> Period:
    """Dates are local days, both included; datetimes are instants (`to` excluded).

    Missing bounds default to today. `from` after `to` → InvalidInput (422).
    """
    label_from = raw_from or raw_to or today.isoformat()
    label_to = raw_to or raw_from or today.isoformat()
    start = _parse_bound(label_from, tz, upper=False, name="from")
    end = _parse_bound(label_to, tz, upper=True, name="to")
    if start >= end:
        raise InvalidInput(
            f"La période est vide ou inversée : « from » ({label_from}) doit précéder "
            f"« to » ({label_to})."
        )
    if end - start > timedelta(days=MAX_PERIOD_DAYS):
        raise InvalidInput(f"La période demandée dépasse {MAX_PERIOD_DAYS} jours.")
    return Period(start=start, end=end, label_from=label_from, label_to=label_to)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute(
    session: Session,
    period: Period,
    tz: ZoneInfo,
    *,
    target_wait_seconds: int = DEFAULT_TARGET_WAIT,
) -> dict[str, Any]:
    if target_wait_seconds < 0:
        raise InvalidInput("L'attente cible doit être un nombre de secondes positif.")
    in_period = and_(Contact.created_at >= period.start, Contact.created_at < period.end)

    def grouped(column: Any, *where: Any) -> dict[str, int]:
        rows = session.execute(
            select(column, func.count()).where(in_period, *where).group_by(column)
        ).all()
        return {str(key): int(n) for key, n in rows if key is not None}

    by_channel = grouped(Contact.channel)
    total = sum(by_channel.values())
    by_sector = grouped(Contact.sector, Contact.sector.is_not(None))
    by_outcome = grouped(Contact.outcome, Contact.outcome.is_not(None))
    still_open = session.scalar(
        select(func.count()).where(in_period, Contact.state.in_(("waiting", "taken")))
    )
    resolved = int(
        session.scalar(
            select(func.count()).where(
                in_period, Contact.state == "closed", Contact.escalations == 0
            )
        )
        or 0
    )
    escalated = int(
        session.scalar(select(func.count()).where(in_period, Contact.escalations > 0)) or 0
    )

    # Arrivals by local hour: bucket by UTC hour in SQL, label in Python.
    by_hour: Counter[int] = Counter()
    for bucket, n in session.execute(
        select(utc_hour(Contact.created_at), func.count())
        .where(in_period)
        .group_by(utc_hour(Contact.created_at))
    ):
        utc_start = datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC)
        by_hour[utc_start.astimezone(tz).hour] += int(n)

    # Phone, level 1: wait, service level, abandonment.
    phone = and_(in_period, Contact.channel == "phone")
    level1_wait = seconds_between(Contact.first_taken_at, Contact.created_at)
    wait_level1 = distribution(
        session, level1_wait, select().where(phone, Contact.first_taken_at.is_not(None))
    )
    answered_within = int(
        session.scalar(
            select(func.count()).where(
                phone,
                Contact.first_taken_at.is_not(None),
                level1_wait <= target_wait_seconds,
            )
        )
        or 0
    )
    answered = int(wait_level1["count"] or 0)
    abandoned = int(
        session.scalar(select(func.count()).where(phone, Contact.state == "abandoned")) or 0
    )
    phone_total = int(by_channel.get("phone", 0))

    # Per handling session, from the steps: wait before it and its length.
    taken = aliased(ContactEvent)
    step = aliased(ContactEvent)
    of_period = select(Contact.id).where(in_period).scalar_subquery()
    entered_at = (
        select(func.max(step.at))
        .where(
            step.contact_id == taken.contact_id,
            step.id < taken.id,
            step.kind.in_(ENTERING_KINDS),
        )
        .scalar_subquery()
    )
    ended_at = (
        select(func.min(step.at))
        .where(step.contact_id == taken.contact_id, step.id > taken.id, step.kind.in_(ENDING_KINDS))
        .scalar_subquery()
    )

    def sessions(level: int) -> Any:
        return select().where(
            taken.kind == "taken", taken.level == level, taken.contact_id.in_(of_period)
        )

    wait_level2 = distribution(session, seconds_between(taken.at, entered_at), sessions(2))
    handling = {
        f"level{level}": distribution(session, seconds_between(ended_at, taken.at), sessions(level))
        for level in (1, 2)
    }
    written = distribution(
        session,
        seconds_between(Contact.closed_at, Contact.created_at),
        select().where(
            in_period, Contact.channel.in_(("web", "email")), Contact.closed_at.is_not(None)
        ),
    )
    return {
        "period": period.as_dict(),
        "timezone": tz.key,
        "contacts": total,
        "by_channel": {c: by_channel.get(c, 0) for c in CHANNELS},
        "by_sector": {s: by_sector.get(s, 0) for s in SECTORS},
        "by_outcome": {**by_outcome, "open": int(still_open or 0)},
        "by_hour": {str(h): by_hour.get(h, 0) for h in range(24)},
        "level1": {
            "resolved": resolved,
            "escalated": escalated,
            "resolution_rate": _rate(resolved, resolved + escalated),
            "escalation_rate": _rate(escalated, resolved + escalated),
        },
        "wait_seconds": {"level1_phone": wait_level1, "level2": wait_level2},
        "handling_seconds": handling,
        "written_response_seconds": written,
        "service_level": {
            "target_seconds": target_wait_seconds,
            "answered_within_target": answered_within,
            "answered": answered,
            "abandoned": abandoned,
            "rate": _rate(answered_within, answered + abandoned),
        },
        "abandonment": {
            "phone_contacts": phone_total,
            "abandoned": abandoned,
            "rate": _rate(abandoned, answered + abandoned),
        },
        "satisfaction": satisfaction(session, period, tz),
    }


def satisfaction(session: Session, period: Period, tz: ZoneInfo) -> dict[str, Any]:
    first = period.start.astimezone(tz).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(tz).date()
    rows = session.execute(
        select(SurveyResponse.rating, func.count())
        .where(SurveyResponse.day >= first, SurveyResponse.day <= last)
        .group_by(SurveyResponse.rating)
    ).all()
    counts = {int(r): int(n) for r, n in rows}
    n = sum(counts.values())
    mean = round(sum(r * c for r, c in counts.items()) / n, 2) if n else None
    return {
        "responses": n,
        "mean": mean,
        "distribution": {str(r): counts.get(r, 0) for r in range(1, 6)},
        "satisfied_rate": _rate(counts.get(4, 0) + counts.get(5, 0), n),
    }


def flatten(figures: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """[("level1.resolution_rate", 0.56), …] for CSV output."""
    rows: list[tuple[str, Any]] = []
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, name + "."))
        else:
            rows.append((name, value))
    return rows
