"""The flags raised on fiches, as the consoles and the editors' pages show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo

from allo.backlog.models import FLAG_KINDS, FLAG_STATES, FicheFlag
from allo.contacts.models import QUEUE_LABELS
from allo.web.pages._base import doc
from allo.web.pages._filters import date_fr


@dataclass(frozen=True)
class FlagLine:
    """One flag: what was said of which fiche, by whom, and the editors' answer."""

    id: int = field(metadata=doc("Flag number."))
    kind: str = field(metadata=doc("Kind code (a_corriger, incomplete, obsolete, manque)."))
    kind_label: str = field(metadata=doc("Kind in French (« À corriger »…)."))
    fiche_id: str = field(metadata=doc("Flagged fiche id; empty for a missing fiche."))
    fiche_title: str = field(metadata=doc("Title of the fiche when it was flagged."))
    note: str = field(metadata=doc("The agent's note (redacted)."))
    created: str = field(metadata=doc("Day it was flagged, in French."))
    agent: str = field(metadata=doc("Name of the agent who flagged."))
    theme: str = field(metadata=doc("Theme of the contact handled then, or empty."))
    sector: str = field(metadata=doc("Sector of that contact in French, or empty."))
    handled: bool = field(metadata=doc("Whether an editor handled it."))
    state_label: str = field(metadata=doc("« À traiter » or « Traité »."))
    handled_on: str = field(metadata=doc("Day it was handled, in French, or empty."))
    handled_by: str = field(metadata=doc("Editor who handled it, or empty."))
    answer: str = field(metadata=doc("The editor's answer (redacted), or empty."))


def _sector_label(code: str | None) -> str:
    return QUEUE_LABELS.get(code, code) if code else ""


def flag_line(flag: FicheFlag, names: dict[int, str], zone: tzinfo) -> FlagLine:
    return FlagLine(
        id=flag.id,
        kind=flag.kind,
        kind_label=FLAG_KINDS[flag.kind],
        fiche_id=flag.fiche_id or "",
        fiche_title=flag.fiche_title,
        note=flag.note,
        created=date_fr(flag.created_at.astimezone(zone)),
        agent=names.get(flag.agent_id, "") if flag.agent_id else "",
        theme=flag.theme,
        sector=_sector_label(flag.sector),
        handled=flag.state == "handled",
        state_label=FLAG_STATES[flag.state],
        handled_on=date_fr(flag.handled_at.astimezone(zone)) if flag.handled_at else "",
        handled_by=names.get(flag.handled_by, "") if flag.handled_by else "",
        answer=flag.answer,
    )
