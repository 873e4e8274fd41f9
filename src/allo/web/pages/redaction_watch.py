"""The editors' watch (`/redaction/veille`): the change reports of the official imports, and for
a report its fiche items, those that touch what the service relies on first, or its office
(directory) items, each with its readable diff, 100 a page; editors mark items (or a whole
report) as seen with a standard POST form.

Editors use it; supervisors may read it (no marking). The ranking is `allo.kb.watch`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Annotated, ClassVar
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from allo.contacts.models import Agent
from allo.contacts.repository import consulted_counts
from allo.errors import AlloError, InvalidInput
from allo.french import agreed, moment_fr, plural
from allo.kb import changes, repository, watch
from allo.kb.escalation import readable_sheets
from allo.kb.models import ChangeReport
from allo.kb.records import AUDIENCE_LABELS
from allo.web.pages._auth import EDITOR, SUPERVISOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Crumb, Page, agent_view, doc, render

router = APIRouter(include_in_schema=False)

REDACTION = Crumb("Rédaction", "/redaction")
WATCH = Crumb("Veille", "/redaction/veille")
READERS = (*EDITOR, *SUPERVISOR)
#: items shown on one page (the relevant ones come first)
PAGE_SIZE = 100


@dataclass(frozen=True)
class ReportLine:
    """One change report in the list."""

    id: int = field(metadata=doc("Report id."))
    at: str = field(metadata=doc("When it was recorded, in French."))
    trigger: str = field(metadata=doc("What recorded it, in French."))
    message: str = field(metadata=doc("Its French summary."))
    refused: bool = field(metadata=doc("Whether the sync was refused (nothing changed)."))


@dataclass(frozen=True)
class DiffLine:
    """One line of an item's diff: `kind` is add, del, hunk, head or text."""

    kind: str = field(metadata=doc("add, del, hunk, head (file names) or text."))
    text: str = field(metadata=doc("The line as recorded (escaped by the template)."))


@dataclass(frozen=True)
class ItemLine:
    """One fiche item of a report, with why it matters."""

    id: int = field(metadata=doc("Item id (the seen form's value)."))
    fiche_id: str = field(metadata=doc("Official fiche id, or the office's id."))
    href: str = field(metadata=doc("Its page (a fiche), or empty (an office has none)."))
    title: str = field(metadata=doc("Fiche title."))
    action: str = field(metadata=doc("Nouvelle, Modifiée or Retirée."))
    theme: str = field(metadata=doc("Fiche theme."))
    audiences: str = field(metadata=doc("Audiences in French, comma-separated."))
    reasons: list[tuple[str, str]] = field(metadata=doc("(reason, detail) why it matters."))
    seen: bool = field(metadata=doc("Whether an editor marked it seen."))
    diff: list[DiffLine] = field(metadata=doc("The readable diff, line by line."))


@dataclass(kw_only=True)
class WatchPage(Page):
    template: ClassVar[str] = "redaction/watch.html"

    reports: list[ReportLine] = field(metadata=doc("The latest change reports, newest first."))
    report: ReportLine | None = field(metadata=doc("The report shown, if any."))
    items: list[ItemLine] = field(metadata=doc("Its items, relevant first (one page)."))
    total: int = field(metadata=doc("How many items match the filters."))
    domain: str = field(metadata=doc("fiche or office: which items are listed."))
    domains: list[tuple[str, str, int, str]] = field(
        metadata=doc("(key, label, count, link) of the report's two kinds of items.")
    )
    page_number: int = field(metadata=doc("The page shown (1…)."))
    pages: list[tuple[int, str]] = field(metadata=doc("(number, link) of every page."))
    relevant: int = field(metadata=doc("How many of them touch the service."))
    filters: dict[str, str] = field(metadata=doc("Current filters (theme, audience, action…)."))
    themes: list[str] = field(metadata=doc("Themes of the report's items."))
    audiences: list[tuple[str, str]] = field(metadata=doc("(key, label) of its audiences."))
    actions: list[tuple[str, str]] = field(metadata=doc("(key, label) of the actions."))
    can_mark: bool = field(metadata=doc("Whether the agent may mark items seen (editors)."))
    back: str = field(metadata=doc("Query string of the current filters (kept after marking)."))
    flash: str = field(default="", metadata=doc("French confirmation of the last marking."))
    error: str = field(default="", metadata=doc("French message when marking failed."))


def diff_lines(diff: str) -> list[DiffLine]:
    """A recorded diff as typed lines: the template marks additions and removals."""
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            kind = "head"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        elif line.startswith("@@"):
            kind = "hunk"
        else:
            kind = "text"
        out.append(DiffLine(kind, line))
    return out


def _report_line(report: ChangeReport, zone: tzinfo) -> ReportLine:
    return ReportLine(
        id=report.id,
        at=moment_fr(report.created_at, zone),
        trigger=changes.TRIGGER_LABELS.get(report.trigger, report.trigger),
        message=report.message,
        refused=report.status == changes.REFUSED,
    )


def _office_items(
    call: AgentCall, report_id: int, filters: dict[str, str], page: int
) -> tuple[list[ItemLine], int]:
    """One page of a report's office items (by id) and how many match."""
    action = filters.get("action") or None
    unseen = filters.get("unseen") == "1"
    total = repository.count_change_items(
        call.session, report_id=report_id, domain="office", action=action, unseen=unseen
    )
    rows = changes.report_items(
        call.session,
        report_id,
        domain="office",
        action=action,
        unseen=unseen,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    items = [
        ItemLine(
            id=i.id,
            fiche_id=i.object_id,
            href="",
            title=i.title,
            action=changes.ACTION_LABELS["office"].get(i.action, i.action),
            theme=i.theme,
            audiences="",
            reasons=[],
            seen=i.seen_at is not None,
            diff=diff_lines(i.diff),
        )
        for i in rows
    ]
    return items, total


def _page_links(report_id: int, filters: dict[str, str], total: int) -> list[tuple[int, str]]:
    count = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in filters.items() if v}
    return [
        (n, f"/redaction/veille/{report_id}?" + urlencode({**kept, "page": n}))
        for n in range(1, count + 1)
    ]


def _watch_page(
    call: AgentCall,
    agent: Agent,
    report_id: int | None,
    filters: dict[str, str],
    *,
    page: int = 1,
    flash: str = "",
    error: str = "",
) -> WatchPage:
    reports = changes.list_reports(call.session, limit=30)
    if report_id is None and reports:
        report_id = next((r.id for r in reports if r.status == changes.APPLIED), reports[0].id)
    report = changes.get_report(call.session, report_id) if report_id is not None else None
    ranked: list[watch.Ranked] = []
    themes: list[str] = []
    audiences: list[str] = []
    items: list[ItemLine] = []
    domain = "office" if filters.get("domaine") == "office" else "fiche"
    total = 0
    domains: list[tuple[str, str, int, str]] = []
    if report is not None:
        kept = {k: v for k, v in filters.items() if v and k != "domaine"}
        for key, label in changes.DOMAIN_LABELS.items():
            n = repository.count_change_items(call.session, report_id=report.id, domain=key)
            link = f"/redaction/veille/{report.id}?" + urlencode(
                {**kept, **({"domaine": key} if key == "office" else {})}
            )
            domains.append((key, label, n, link))
    if report is not None and domain == "office":
        items, total = _office_items(call, report.id, filters, page)
    elif report is not None:
        ranked = watch.prioritised(
            call.session,
            report.id,
            sheets=readable_sheets(call.runtime.settings.home),
            theme=filters.get("theme") or None,
            audience=filters.get("audience") or None,
            action=filters.get("action") or None,
            unseen=filters.get("unseen") == "1",
            relevant_only=filters.get("relevant") == "1",
            consulted=consulted_counts,
        )
        themes, audiences = watch.facets(call.session, report.id)
        total = len(ranked)
        shown = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        full = repository.change_items_by_id(call.session, [r.item.id for r in shown])
        items = [
            ItemLine(
                id=r.item.id,
                fiche_id=r.item.object_id,
                href=f"/fiches/{r.item.object_id}",
                title=r.item.title,
                action=changes.ACTION_LABELS["fiche"].get(r.item.action, r.item.action),
                theme=r.item.theme,
                audiences=", ".join(AUDIENCE_LABELS.get(a, a) for a in r.item.audiences),
                reasons=[(reason.label, reason.detail) for reason in r.reasons],
                seen=r.item.seen,
                diff=diff_lines(full[r.item.id].diff) if r.item.id in full else [],
            )
            for r in shown
        ]
    title = f"Veille : rapport n° {report.id}" if report else "Veille des sources officielles"
    return WatchPage(
        title=title,
        breadcrumb=[HOME, REDACTION] + ([WATCH] if report else []),
        nav="redaction",
        agent=agent_view(agent),
        reports=[_report_line(r, call.runtime.settings.zone) for r in reports],
        report=_report_line(report, call.runtime.settings.zone) if report else None,
        items=items,
        total=total,
        domain=domain,
        domains=domains,
        page_number=page,
        pages=_page_links(report.id, filters, total) if report else [],
        relevant=sum(1 for r in ranked if r.relevant),
        filters=filters,
        themes=themes,
        audiences=[(a, AUDIENCE_LABELS.get(a, a)) for a in audiences],
        actions=list(changes.ACTION_LABELS[domain].items()),
        can_mark=agent.role in EDITOR,
        back=urlencode({k: v for k, v in filters.items() if v}),
        flash=flash,
        error=error,
    )


def _filters(
    theme: str, audience: str, action: str, unseen: str, relevant: str, domain: str = ""
) -> dict[str, str]:
    office = domain == "office"
    return {
        "domaine": "office" if office else "",
        "theme": "" if office else theme,
        "audience": "" if office else audience,
        "action": action if action in changes.ACTIONS else "",
        "unseen": "1" if unseen == "1" else "",
        "relevant": "1" if relevant == "1" and not office else "",
    }


Filter = Annotated[str, Query(max_length=255)]


@router.get("/redaction/veille", response_class=HTMLResponse)
def watch_home(call: AgentCallDep) -> Response:
    allowed = call.gate(READERS)
    if isinstance(allowed, Response):
        return allowed
    return render(call.request, _watch_page(call, allowed, None, _filters("", "", "", "", "")))


@router.get("/redaction/veille/{report_id}", response_class=HTMLResponse)
def watch_report(
    call: AgentCallDep,
    report_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    theme: Filter = "",
    audience: Filter = "",
    action: Filter = "",
    unseen: Filter = "",
    relevant: Filter = "",
    domaine: Filter = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    vus: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    allowed = call.gate(READERS)
    if isinstance(allowed, Response):
        return allowed
    filters = _filters(theme, audience, action, unseen, relevant, domaine)
    flash = _marked(int(vus)) if vus.isdigit() else ""
    ctx = _watch_page(call, allowed, report_id, filters, page=page, flash=flash)
    return render(call.request, ctx)


def _marked(count: int) -> str:
    """The flash after marking items seen (« 1 élément marqué comme vu. »)."""
    return f"{plural(count, 'élément marqué', 'éléments marqués')} comme {agreed(count, 'vu')}."


@router.post("/redaction/veille/{report_id}/vu")
async def mark_seen(
    call: AgentCallDep, report_id: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> Response:
    """Mark the ticked items (or, with `tout`, every item of the report) as seen."""
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    form = await call.request.form(max_fields=changes.MAX_PAGE + 20, max_part_size=64_000)
    filters = _filters(
        *(
            str(form.get(k) or "")
            for k in ("theme", "audience", "action", "unseen", "relevant", "domaine")
        )
    )
    try:
        if form.get("tout") == "1":
            marked = watch.mark_report_seen(call.session, report_id, allowed.id)
        else:
            raw = [str(v) for v in form.getlist("item")]
            if not raw:
                raise InvalidInput("Cochez au moins un élément à marquer comme vu.")
            if not all(v.isdigit() and len(v) <= 10 for v in raw):
                raise InvalidInput("Identifiant d'élément invalide.")
            ids = [int(v) for v in raw]
            if len(ids) > changes.MAX_PAGE:
                raise InvalidInput(f"Au plus {changes.MAX_PAGE} éléments à la fois.")
            marked = watch.mark_report_seen(call.session, report_id, allowed.id, ids)
    except AlloError as exc:
        call.session.rollback()
        ctx = _watch_page(call, allowed, report_id, filters, error=exc.message)
        return render(call.request, ctx, status_code=exc.status_code)
    page = str(form.get("page") or "")
    kept_page = {"page": page} if page.isdigit() and 1 < int(page) <= 100_000 else {}
    query = urlencode({**{k: v for k, v in filters.items() if v}, **kept_page, "vus": marked})
    return RedirectResponse(f"/redaction/veille/{report_id}?{query}", status_code=303)
