"""Satisfaction: an anonymous rating (1–5) and an optional comment after a contact.

A rating keeps what the contact was (channel, last sector, whether it was escalated, outcome)
and the local day, never the contact itself, an agent or a time of day: `SurveyResponse` has a
random key and no link to the contact. `SurveyReceipt` only says "this contact was rated", so
each contact is rated once. Comments are redacted like every free text.

The campaign view is the yearly survey of the seed: ratings over a period aggregated by sector,
channel and outcome, with the comments.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from allo.contacts.models import Contact
from allo.contacts.service_models import SurveyReceipt, SurveyResponse
from allo.db.base import utcnow
from allo.errors import Conflict, InvalidInput
from allo.privacy.redaction import redact

MAX_COMMENT = 2000
RATINGS = range(1, 6)
#: Label of "level 1 kept it" in the by-sector view.
NO_SECTOR = "aucun"
MAX_COMMENTS = 500


def submit(
    session: Session, contact: Contact, *, rating: int, comment: str, tz: ZoneInfo
) -> SurveyResponse:
    """Record one anonymous rating for a finished contact (once per contact)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidInput("La note doit être un nombre entier de 1 à 5.")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"Le commentaire ne doit pas dépasser {MAX_COMMENT} caractères.")
    if contact.state != "closed":
        raise Conflict(
            "Ce contact n'est pas encore terminé : vous pourrez donner votre avis une fois la "
            "réponse apportée."
        )
    try:
        with session.begin_nested():
            session.add(SurveyReceipt(contact_id=contact.id))
            session.flush()
    except IntegrityError:
        raise Conflict("Un avis a déjà été donné pour ce contact. Merci !") from None
    cleaned = redact(text)
    response = SurveyResponse(
        id=uuid.uuid4().hex,
        day=utcnow().astimezone(tz).date(),
        channel=contact.channel,
        sector=contact.sector,
        escalated=contact.escalations > 0,
        outcome=contact.outcome or "answered",
        rating=rating,
        comment=cleaned.text,
        comment_redactions=cleaned.as_list(),
    )
    session.add(response)
    session.flush()
    return response


def already_rated(session: Session, contact_id: int) -> bool:
    return session.get(SurveyReceipt, contact_id) is not None


def _summaries(session: Session, key: Any | None, where: Any) -> dict[str, dict[str, Any]]:
    """count, mean, distribution and share of 4–5 per value of `key` (one "all" row if None)."""
    columns = [key] if key is not None else []
    stmt = select(
        *columns,
        func.count(),
        func.avg(SurveyResponse.rating),
        *(func.sum(case((SurveyResponse.rating == r, 1), else_=0)) for r in RATINGS),
    ).where(where)
    if key is not None:
        stmt = stmt.group_by(key)
    rows = [tuple(row) if key is not None else ("all", *row) for row in session.execute(stmt)]
    out: dict[str, dict[str, Any]] = {}
    for name, n, mean, *counts in rows:
        if not n:
            continue
        if isinstance(name, bool):
            label = "escalated" if name else "level1"
        else:
            label = NO_SECTOR if name is None else str(name)
        dist = {str(r): int(c or 0) for r, c in zip(RATINGS, counts, strict=True)}
        out[label] = {
            "responses": int(n),
            "mean": round(float(mean), 2),
            "distribution": dist,
            "satisfied_rate": round((dist["4"] + dist["5"]) / n, 4),
        }
    return out


def campaign(
    session: Session, first: date, last: date, *, comments_limit: int = 100
) -> dict[str, Any]:
    """Ratings whose day lies in [first, last], by sector, channel, outcome and level."""
    if first > last:
        raise InvalidInput("La date de début doit précéder la date de fin.")
    if not 0 <= comments_limit <= MAX_COMMENTS:
        raise InvalidInput(f"Le nombre de commentaires doit être entre 0 et {MAX_COMMENTS}.")
    where = and_(SurveyResponse.day >= first, SurveyResponse.day <= last)
    overall = _summaries(session, None, where).get("all") or {
        "responses": 0,
        "mean": None,
        "distribution": {str(r): 0 for r in RATINGS},
        "satisfied_rate": None,
    }
    comments = session.execute(
        select(
            SurveyResponse.day,
            SurveyResponse.channel,
            SurveyResponse.sector,
            SurveyResponse.outcome,
            SurveyResponse.rating,
            SurveyResponse.comment,
        )
        .where(where, SurveyResponse.comment != "")
        .order_by(SurveyResponse.day.desc(), SurveyResponse.rating, SurveyResponse.id)
        .limit(comments_limit)
    ).all()
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "overall": overall,
        "by_sector": _summaries(session, SurveyResponse.sector, where),
        "by_channel": _summaries(session, SurveyResponse.channel, where),
        "by_outcome": _summaries(session, SurveyResponse.outcome, where),
        "by_level": _summaries(session, SurveyResponse.escalated, where),
        "comments": [
            {
                "day": day.isoformat(),
                "channel": channel,
                "sector": sector or NO_SECTOR,
                "outcome": outcome,
                "rating": rating,
                "comment": text,
            }
            for day, channel, sector, outcome, rating, text in comments
        ],
    }
