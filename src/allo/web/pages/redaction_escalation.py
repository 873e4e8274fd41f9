"""The editors' pages for escalation sheets: the list, and one sheet's editor — a form question
by question (`_sheet_form`), its JSON in a text area as the alternative and export format, the
review actions, the history, and the word diff of the draft against what the consoles use or
between any two versions. Standard POST forms (same-origin checked), usable without JavaScript.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from allo.contacts.models import Agent
from allo.errors import AlloError, Conflict, InvalidInput
from allo.french import moment_fr
from allo.kb.local import sheets
from allo.kb.local.sheet_models import EscalationSheetRow
from allo.web.pages._auth import EDITOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Crumb, Page, agent_view, doc, render
from allo.web.pages._sheet_form import SheetForm, content_from_form, form_view
from allo.web.pages._workflow import base_version, run_action

router = APIRouter(include_in_schema=False)

DASHBOARD = Crumb("Rédaction", "/redaction")
LIST = Crumb("Fiches d'escalade", "/redaction/escalade")
#: the form posts at most this much (a sheet is ≤ 200,000 characters of JSON)
MAX_FORM = 1_000_000
#: a sheet's form has about ten fields per answer; 200 rows of each kind at most
MAX_FIELDS = 20_000
#: flash message of each review action (`_workflow.run_action` runs them)
ACTIONS = {
    "soumettre": "Fiche d'escalade soumise à relecture.",
    "approuver": "Version approuvée.",
    "publier": "Fiche d'escalade publiée : les consoles l'utilisent dès maintenant.",
    "archiver": "Fiche archivée : les consoles reprennent la fiche initiale.",
}
FLASHES = {
    "enregistree": "Nouvelle version enregistrée (brouillon).",
    **ACTIONS,
}


@dataclass(frozen=True)
class SheetRow:
    """One escalation sheet in the list."""

    id: str = field(metadata=doc("Identifier: the sector, or niveau1."))
    label: str = field(metadata=doc("Sector name."))
    state: str = field(metadata=doc("Workflow state in French."))
    version: int = field(metadata=doc("Current version number."))
    published_version: int | None = field(metadata=doc("Version the consoles use, if any."))


@dataclass(frozen=True)
class SheetVersionRow:
    """One saved version of a sheet."""

    number: int = field(metadata=doc("Version number."))
    author: str = field(metadata=doc("Who saved it."))
    at: str = field(metadata=doc("When, in French format."))
    comment: str = field(metadata=doc("Why."))


@dataclass(kw_only=True)
class SheetListPage(Page):
    template: ClassVar[str] = "redaction/escalation_list.html"

    sheets: list[SheetRow] = field(metadata=doc("Every escalation sheet."))


@dataclass(kw_only=True)
class SheetEditorPage(Page):
    template: ClassVar[str] = "redaction/escalation_editor.html"

    sheet_id: str = field(metadata=doc("Identifier."))
    state: str = field(metadata=doc("Workflow state in French."))
    version: int = field(metadata=doc("The version the form is based on (base_version)."))
    content: str = field(metadata=doc("The sheet's JSON, indented, as the editor edits it."))
    form: SheetForm = field(metadata=doc("The sheet question by question (the main editor)."))
    json_open: bool = field(metadata=doc("Whether the JSON editor is shown open (JSON posted)."))
    actions: list[tuple[str, str]] = field(metadata=doc("(path segment, label) of actions."))
    versions: list[SheetVersionRow] = field(metadata=doc("History, newest first."))
    changes: list[tuple[str, Markup]] = field(
        metadata=doc("(part, marked word diff) of the current version against the published one.")
    )
    compare: list[tuple[str, Markup]] | None = field(
        default=None, metadata=doc("(part, marked word diff) between the two chosen versions.")
    )
    compare_from: int | None = field(default=None, metadata=doc("Older version compared."))
    compare_to: int | None = field(default=None, metadata=doc("Newer version compared."))
    flash: str = field(default="", metadata=doc("French message of a successful action."))
    error: str = field(default="", metadata=doc("French message of a refused action."))


def _row(row: EscalationSheetRow) -> SheetRow:
    return SheetRow(
        id=row.id,
        label=str(row.content.get("label") or row.id),
        state=sheets.STATE_LABELS[row.state],
        version=row.version,
        published_version=row.published_version,
    )


def _actions(row: EscalationSheetRow) -> list[tuple[str, str]]:
    by_state = {
        "draft": [("soumettre", "Soumettre à relecture")],
        "review": [("approuver", "Approuver"), ("publier", "Publier")],
        "published": [("archiver", "Archiver")],
        "archived": [],
    }
    return by_state[row.state]


def _editor(
    call: AgentCall,
    agent: Agent,
    row: EscalationSheetRow,
    *,
    text: str | None = None,
    posted: dict[str, object] | None = None,
    version: int | None = None,
    compare: tuple[int, int] | None = None,
    flash: str = "",
    error: str = "",
) -> SheetEditorPage:
    published = row.published_content or {}
    changes = sheets.diff_contents(published, row.content) if published else {}
    compared = None
    if compare is not None:
        try:
            found = sheets.diff_versions(call.session, row.id, *compare)
            compared = [(sheets.FIELD_LABELS[name], d.html()) for name, d in found.items()]
        except AlloError as exc:
            error = error or exc.message
    return SheetEditorPage(
        title=f"Fiche d'escalade : {row.content.get('label') or row.id}",
        breadcrumb=[HOME, DASHBOARD, LIST],
        nav="redaction",
        agent=agent_view(agent),
        sheet_id=row.id,
        state=sheets.STATE_LABELS[row.state],
        version=version or row.version,
        content=text
        if text is not None
        else json.dumps(posted or row.content, ensure_ascii=False, indent=2),
        form=form_view(posted if posted is not None else row.content),
        json_open=text is not None,
        actions=_actions(row),
        versions=[
            SheetVersionRow(
                number=v.number,
                author=v.author_name,
                at=moment_fr(v.created_at, call.runtime.settings.zone),
                comment=v.comment,
            )
            for v in sheets.versions(call.session, row.id)
        ],
        changes=[(sheets.FIELD_LABELS[name], d.html()) for name, d in changes.items()],
        compare=compared,
        compare_from=compare[0] if compare else None,
        compare_to=compare[1] if compare else None,
        flash=flash,
        error=error,
    )


@router.get("/redaction/escalade", response_class=HTMLResponse)
def sheet_list(call: AgentCallDep) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    return render(
        call.request,
        SheetListPage(
            title="Fiches d'escalade",
            breadcrumb=[HOME, DASHBOARD],
            nav="redaction",
            agent=agent_view(allowed),
            sheets=[_row(r) for r in sheets.list_sheets(call.session)],
        ),
    )


VersionNumber = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


@router.get("/redaction/escalade/{sheet_id}", response_class=HTMLResponse)
def edit(
    call: AgentCallDep,
    sheet_id: str,
    fait: Annotated[str, Query(max_length=20)] = "",
    de: VersionNumber = None,
    a: VersionNumber = None,
) -> Response:
    """The editor; `?de=2&a=5` adds the word diff between those two versions."""
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    row = sheets.get(call.session, sheet_id)
    compare = (de, a) if de is not None and a is not None else None
    ctx = _editor(call, allowed, row, compare=compare, flash=FLASHES.get(fait, ""))
    return render(call.request, ctx)


@router.get("/redaction/escalade/{sheet_id}/json")
def export_json(call: AgentCallDep, sheet_id: str) -> Response:
    """The current version in the JSON format of the initial set (a download)."""
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    row = sheets.get(call.session, sheet_id)
    return Response(
        json.dumps(row.content, ensure_ascii=False, indent=2) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{row.id}.json"'},
    )


@router.post("/redaction/escalade/{sheet_id}")
async def save(call: AgentCallDep, sheet_id: str) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    form = await call.request.form(max_part_size=MAX_FORM, max_fields=MAX_FIELDS)
    by_form = form.get("format") == "formulaire"
    text = str(form.get("content") or "")
    base = base_version(form)
    content: dict[str, object] | None = None
    try:
        if by_form:
            sector = str(sheets.get(call.session, sheet_id).content.get("sector") or "")
            content = content_from_form(form, sector)
        else:
            try:
                content = json.loads(text)
            except ValueError as exc:
                raise InvalidInput(
                    f"Le texte n'est pas du JSON valide (ligne {getattr(exc, 'lineno', '?')}) : "
                    "rien n'a été enregistré."
                ) from exc
        sheets.update(
            call.session, allowed, sheet_id, content, base, str(form.get("comment") or "")
        )
    except AlloError as exc:
        call.session.rollback()
        row = sheets.get(call.session, sheet_id)
        # what the editor typed stays in the form (or the text area): nothing is lost
        keep = base if isinstance(exc, Conflict) else None
        posted = content if by_form and isinstance(content, dict) else None
        ctx = _editor(
            call,
            allowed,
            row,
            text=None if by_form else text,
            posted=posted,
            version=keep or base,
            error=exc.message,
        )
        return render(call.request, ctx, status_code=exc.status_code)
    return RedirectResponse(f"/redaction/escalade/{sheet_id}?fait=enregistree", status_code=303)


@router.post("/redaction/escalade/{sheet_id}/{action}")
def act(call: AgentCallDep, sheet_id: str, action: str) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    return run_action(
        call,
        allowed,
        sheets,
        sheet_id,
        action,
        editor=lambda message: _editor(
            call, allowed, sheets.get(call.session, sheet_id), error=message
        ),
        done=f"/redaction/escalade/{sheet_id}",
    )
