"""Roster import (CSV of planned shifts) and coverage: rostered people vs required per half-hour.

One row per shift, `;` or `,` separated, header names in English or French:

    agent;queue;date;start;end;breaks          (a named agent)
    count;queue;date;start;end;breaks          (a head count: « 4 people on travail »)

`queue` (or `file`, `skill`, `competence`) is a queue code (niveau1, interieur, …) or its French
label; `date` is AAAA-MM-JJ and `start`/`end` HH:MM local time (an `end` at or before `start`
ends the next day only when written 24:00 or later is impossible, so it is refused as reversed);
without a `date` column, `start`/`end` are full local date-times (AAAA-MM-JJ HH:MM).
`breaks` lists HH:MM-HH:MM spans separated by `|` or a space.

Bad rows (unknown queue, reversed or too long shift, break outside its shift, a named agent on
two overlapping shifts, in the file or already stored) are reported by line and skipped; the
good ones are stored as one import. Nothing already stored is changed.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from allo.contacts.models import QUEUE_LABELS, QUEUES
from allo.directory.text import fold
from allo.errors import InvalidInput
from allo.stats.staffing import repository
from allo.stats.staffing.forecast import SLOTS, slot_start
from allo.stats.staffing.models import RosterImport, Shift

MAX_BYTES = 2_000_000
MAX_ROWS = 20_000
MAX_SHIFT_HOURS = 14
MAX_COUNT = 500

_ALIASES = {
    "agent": "agent",
    "nom": "agent",
    "count": "count",
    "effectif": "count",
    "nombre": "count",
    "queue": "queue",
    "file": "queue",
    "skill": "queue",
    "competence": "queue",
    "date": "date",
    "jour": "date",
    "start": "start",
    "debut": "start",
    "end": "end",
    "fin": "end",
    "breaks": "breaks",
    "pauses": "breaks",
}
_QUEUE_NAMES = {fold(q): q for q in QUEUES} | {fold(label): q for q, label in QUEUE_LABELS.items()}


@dataclass
class ImportReport:
    import_id: int | None
    shifts: int
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"import_id": self.import_id, "shifts": self.shifts, "rejected": self.rejected}


class _RowError(ValueError):
    pass


def _clock(raw: str, day: date, tz: ZoneInfo, what: str) -> datetime:
    text = raw.strip()
    try:
        hours, minutes = text.split(":")
        h, m = int(hours), int(minutes)
        if not (0 <= h <= 23 and 0 <= m <= 59) and (h, m) != (24, 0):
            raise ValueError
    except ValueError:
        raise _RowError(f"{what} illisible (« {text} ») : format HH:MM attendu") from None
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=h, minutes=m)


def _moment(raw: str, tz: ZoneInfo, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _RowError(
            f"{what} illisible (« {raw.strip()} ») : format AAAA-MM-JJ HH:MM attendu"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _hm(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m %H:%M")


def _parse_row(row: dict[str, str], tz: ZoneInfo) -> Shift:
    agent = (row.get("agent") or "").strip()[:128] or None
    raw_count = (row.get("count") or "").strip()
    if agent and raw_count not in ("", "1"):
        raise _RowError("indiquez soit un agent, soit un effectif, pas les deux")
    if not agent and not raw_count:
        raise _RowError("ni agent ni effectif")
    count = 1
    if raw_count:
        if not raw_count.isdigit() or not 1 <= int(raw_count) <= MAX_COUNT:
            raise _RowError(f"effectif « {raw_count} » invalide (entier de 1 à {MAX_COUNT})")
        count = int(raw_count)
    raw_queue = (row.get("queue") or "").strip()
    queue = _QUEUE_NAMES.get(fold(raw_queue))
    if queue is None:
        raise _RowError(
            f"file « {raw_queue} » inconnue (attendues : {', '.join(QUEUES)})"
            if raw_queue
            else "file manquante"
        )
    if row.get("date"):
        try:
            day = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise _RowError(f"date « {row['date'].strip()} » illisible (AAAA-MM-JJ)") from None
        start = _clock(row.get("start") or "", day, tz, "début")
        end = _clock(row.get("end") or "", day, tz, "fin")
    else:
        start = _moment(row.get("start") or "", tz, "début")
        end = _moment(row.get("end") or "", tz, "fin")
        day = start.astimezone(tz).date()
    if end <= start:
        raise _RowError(
            f"service inversé ou vide : la fin ({_hm(end, tz)}) doit suivre le début "
            f"({_hm(start, tz)})"
        )
    if end - start > timedelta(hours=MAX_SHIFT_HOURS):
        raise _RowError(f"service de plus de {MAX_SHIFT_HOURS} heures")
    breaks: list[list[str]] = []
    raw_breaks = (row.get("breaks") or "").replace("|", " ").split()
    spans: list[tuple[datetime, datetime]] = []
    for raw in raw_breaks:
        first, sep, last = raw.partition("-")
        if not sep:
            raise _RowError(f"pause « {raw} » illisible (HH:MM-HH:MM)")
        b_start, b_end = _clock(first, day, tz, "pause"), _clock(last, day, tz, "pause")
        if b_end <= b_start or b_start < start or b_end > end:
            raise _RowError(f"pause « {raw} » inversée ou hors du service")
        if any(b_start < e and b_end > s for s, e in spans):
            raise _RowError(f"pauses qui se chevauchent (« {raw} »)")
        spans.append((b_start, b_end))
        breaks.append([b_start.astimezone(UTC).isoformat(), b_end.astimezone(UTC).isoformat()])
    return Shift(
        agent=agent,
        count=count,
        queue=queue,
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
        breaks=breaks,
    )


def _rows(content: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if len(content) > MAX_BYTES:
        raise InvalidInput(f"Fichier trop volumineux : {MAX_BYTES // 1_000_000} Mo au plus.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Le fichier doit être un CSV encodé en UTF-8.") from None
    if not text.strip():
        raise InvalidInput("Le fichier est vide.")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_ALIASES.get(fold(h).strip(), fold(h).strip()) for h in next(reader)]
    if "queue" not in header or "start" not in header or "end" not in header:
        raise InvalidInput(
            "En-tête incomplet : colonnes attendues agent (ou count), queue, date, start, end, "
            "breaks (ou en français : agent/effectif, file, jour, debut, fin, pauses)."
        )
    rows: list[Any] = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"Trop de lignes : {MAX_ROWS} services au plus par fichier.")
        rows.append((number, dict(zip(header, values, strict=False))))
    return header, rows


def import_roster(
    session: Session, content: bytes, tz: ZoneInfo, *, source: str = "", agent_id: int | None = None
) -> ImportReport:
    """Store the good rows as one import and report the others; raise when none is good."""
    _header, rows = _rows(content)
    rejected: list[dict[str, Any]] = []
    kept: list[tuple[int, Shift]] = []
    for number, row in rows:
        try:
            kept.append((number, _parse_row(row, tz)))
        except _RowError as exc:
            rejected.append({"line": number, "message": f"Ligne {number} : {exc}."})
    # A named agent cannot be in two places: overlaps within the file, then with stored shifts.
    accepted: list[tuple[int, Shift]] = []
    by_agent: dict[str, list[tuple[int, Shift]]] = defaultdict(list)
    for number, shift in kept:
        clash = next(
            (
                n
                for n, other in by_agent.get(shift.agent or "", [])
                if shift.agent and other.start < shift.end and other.end > shift.start
            ),
            None,
        )
        if clash is not None:
            rejected.append(
                {
                    "line": number,
                    "message": f"Ligne {number} : {shift.agent} a déjà un service qui chevauche "
                    f"celui-ci (ligne {clash}).",
                }
            )
            continue
        if shift.agent:
            by_agent[shift.agent].append((number, shift))
        accepted.append((number, shift))
    if accepted:
        named = sorted({s.agent for _, s in accepted if s.agent})
        first = min(s.start for _, s in accepted)
        last = max(s.end for _, s in accepted)
        stored = repository.agent_shifts_between(session, named, first, last)
        still: list[tuple[int, Shift]] = []
        for number, shift in accepted:
            other = next(
                (
                    o
                    for o in stored
                    if o.agent == shift.agent and o.start < shift.end and o.end > shift.start
                ),
                None,
            )
            if other is None:
                still.append((number, shift))
                continue
            rejected.append(
                {
                    "line": number,
                    "message": f"Ligne {number} : {shift.agent} a déjà un service enregistré du "
                    f"{_hm(other.start, tz)} au {_hm(other.end, tz)} qui chevauche celui-ci.",
                }
            )
        accepted = still
    rejected.sort(key=lambda r: r["line"])
    if not accepted:
        raise InvalidInput(
            "Aucun service importé : "
            + (
                " ".join(r["message"] for r in rejected[:20])
                or "le fichier ne contient aucune ligne."
            ),
            details={"rejetees": rejected},
        )
    record = RosterImport(
        created_by=agent_id, source=source[:255], shifts=len(accepted), rejected=rejected
    )
    repository.add_import(session, record, [s for _, s in accepted])
    return ImportReport(record.id, len(accepted), rejected)


# --- coverage ---------------------------------------------------------------------------------


def _overlap(a: datetime, b: datetime, c: datetime, d: datetime) -> float:
    return max(0.0, (min(b, d) - max(a, c)).total_seconds())


def rostered(session: Session, day: date, tz: ZoneInfo) -> dict[str, list[float]]:
    """People on duty (breaks removed) per queue and half-hour, as average heads over the slot."""
    start = slot_start(day, 0, tz).astimezone(UTC)
    end = (slot_start(day, 0, tz) + timedelta(days=1)).astimezone(UTC)
    result = {q: [0.0] * SLOTS for q in QUEUES}
    for shift in repository.shifts_between(session, start, end):
        breaks = [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in shift.breaks]
        for slot in range(SLOTS):
            s = slot_start(day, slot, tz).astimezone(UTC)
            e = s + timedelta(minutes=30)
            on = _overlap(shift.start, shift.end, s, e) - sum(
                _overlap(a, b, s, e) for a, b in breaks
            )
            if on > 0:
                result[shift.queue][slot] += shift.count * on / 1800
    return result


@dataclass(frozen=True)
class CoverageRow:
    queue: str
    start: datetime
    required: int
    rostered: float

    @property
    def gap(self) -> float:
        """Rostered minus required: negative is a shortfall, positive a surplus."""
        return round(self.rostered - self.required, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "queue": self.queue,
            "start": self.start.isoformat(),
            "required": self.required,
            "rostered": round(self.rostered, 2),
            "gap": self.gap,
        }


def coverage(
    rows: list[Any], on_duty: dict[str, list[float]], day: date, tz: ZoneInfo
) -> list[CoverageRow]:
    """Required (plan rows: queue, start, agents_required) vs rostered, per queue and half-hour."""
    out = []
    for row in rows:
        local = row.start.astimezone(tz)
        slot = local.hour * 2 + local.minute // 30
        out.append(CoverageRow(row.queue, row.start, row.agents_required, on_duty[row.queue][slot]))
    return out
