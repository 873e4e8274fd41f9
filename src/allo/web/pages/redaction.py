"""The editors' pages: the dashboard, the fiche editor with its live preview, history and diffs,
and the review actions. Every action is a standard POST form (same-origin checked), so the pages
work without JavaScript; htmx only refreshes the preview as the editor types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Form, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from allo.contacts.models import SECTORS, Agent
from allo.contacts.repository import consulted_counts
from allo.errors import AlloError, Conflict
from allo.french import moment_fr
from allo.kb import watch
from allo.kb.escalation import readable_sheets
from allo.kb.local import services
from allo.kb.local.models import LocalFiche
from allo.kb.local.workflow import STATE_LABELS
from allo.kb.records import AUDIENCE_LABELS, AUDIENCES
from allo.kb.render.dsfr import layout
from allo.kb.render.markdown import render_markdown
from allo.web.pages._auth import EDITOR, AgentCall, AgentCallDep
from allo.web.pages._base import HOME, Crumb, Fragment, Page, agent_view, doc, render
from allo.web.pages._workflow import base_version, run_action

router = APIRouter(include_in_schema=False)

DASHBOARD = Crumb("Rédaction", "/redaction")
#: pages of the other editorial pieces, linked when this installation serves them
OTHER_PAGES = (
    ("/redaction/manques", "Fiches manquantes (contenus demandés sans réponse)"),
    ("/redaction/signalements", "Signalements des conseillers"),
    ("/redaction/veille", "Veille : rapports de modification des imports"),
    ("/redaction/articles", "Veille juridique : fiches citant un article de code"),
    ("/redaction/escalade", "Fiches d'escalade (questions, orientations, secteurs)"),
)
#: flash message of each review action (`_workflow.run_action` runs them)
ACTIONS = {
    "soumettre": "Fiche soumise à relecture.",
    "approuver": "Version approuvée.",
    "publier": "Fiche publiée : les conseillers la trouvent dans la recherche.",
    "archiver": "Fiche archivée : elle n'apparaît plus dans la recherche.",
    "source-vue": "Modification de la source prise en compte.",
}


@dataclass(frozen=True)
class FicheRow:
    """One local fiche in a dashboard list."""

    id: str = field(metadata=doc("Identifier (L1…)."))
    title: str = field(metadata=doc("Title."))
    state: str = field(metadata=doc("Workflow state in French."))
    version: int = field(metadata=doc("Current version number."))
    note: str = field(default="", metadata=doc("Why it is listed (date, source, links)."))


@dataclass(kw_only=True)
class DashboardPage(Page):
    template: ClassVar[str] = "redaction/dashboard.html"

    to_review: list[FicheRow] = field(metadata=doc("Fiches waiting for a second editor."))
    drafts: list[FicheRow] = field(metadata=doc("Drafts being written."))
    overdue: list[FicheRow] = field(metadata=doc("Published fiches past their review date."))
    source_changed: list[FicheRow] = field(
        metadata=doc("Adaptations whose official source changed or was withdrawn.")
    )
    broken_links: list[FicheRow] = field(
        metadata=doc("Fiches linking to official fiches that no longer exist.")
    )
    fiches: list[FicheRow] = field(metadata=doc("Every local fiche."))
    published: int = field(metadata=doc("How many local fiches are published."))
    other_pages: list[tuple[str, str, bool]] = field(
        metadata=doc("(path, label, served here) of the backlog, feedback and watch pages.")
    )
    error: str = field(default="", metadata=doc("French message of a failed action."))
    adapt_id: str = field(default="", metadata=doc("The official fiche id typed to adapt."))
    watch_unseen: int = field(
        default=0, metadata=doc("Unseen change-report items touching what the service relies on.")
    )


@dataclass(frozen=True)
class VersionRow:
    """One saved version in the history."""

    number: int = field(metadata=doc("Version number."))
    author: str = field(metadata=doc("Who saved it."))
    at: str = field(metadata=doc("When, in French."))
    comment: str = field(metadata=doc("The save's comment."))
    published: bool = field(metadata=doc("Whether it is the version advisors read now."))


@dataclass(kw_only=True)
class EditorPage(Page):
    template: ClassVar[str] = "redaction/editor.html"

    fiche_id: str = field(metadata=doc("Identifier, empty for a new fiche."))
    state: str = field(metadata=doc("Workflow state key (draft, review, published, archived)."))
    state_label: str = field(metadata=doc("Workflow state in French."))
    version: int = field(metadata=doc("The version the form is based on (sent back on save)."))
    published_version: int | None = field(metadata=doc("Version advisors read now, if any."))
    values: dict[str, Any] = field(metadata=doc("The form's values (text fields as typed)."))
    audiences: list[tuple[str, str, bool]] = field(metadata=doc("(key, label, checked)."))
    sectors: list[tuple[str, str, bool]] = field(metadata=doc("(key, label, selected)."))
    preview: Markup = field(metadata=doc("The body rendered by the real renderer."))
    actions: list[tuple[str, str]] = field(metadata=doc("(path segment, label) allowed now."))
    source: services.SourceStatus | None = field(
        metadata=doc("The adapted official source's status and diff, if an adaptation.")
    )
    error: str = field(default="", metadata=doc("French message of a failed save or action."))
    conflict: list[tuple[str, Markup]] = field(
        default_factory=list,
        metadata=doc("On a concurrent save: (field label, word diff) of what changed meanwhile."),
    )
    flash: str = field(default="", metadata=doc("French confirmation of the last action."))


@dataclass(kw_only=True)
class PreviewFragment(Fragment):
    template: ClassVar[str] = "redaction/_preview.html"

    preview: Markup = field(metadata=doc("The body rendered by the real renderer."))
    error: str = field(default="", metadata=doc("French message when the body is refused."))


@dataclass(kw_only=True)
class HistoryPage(Page):
    template: ClassVar[str] = "redaction/history.html"

    fiche_id: str = field(metadata=doc("Identifier."))
    versions: list[VersionRow] = field(metadata=doc("Every version, newest first."))


@dataclass(kw_only=True)
class DiffPage(Page):
    template: ClassVar[str] = "redaction/diff.html"

    fiche_id: str = field(metadata=doc("Identifier."))
    start: int = field(metadata=doc("Older version compared."))
    end: int = field(metadata=doc("Newer version compared."))
    fields: list[tuple[str, Markup, int, int]] = field(
        metadata=doc("(field label, marked word diff, words added, words removed).")
    )


# -- helpers -----------------------------------------------------------------------------------
def _row(fiche: LocalFiche, note: str = "") -> FicheRow:
    return FicheRow(fiche.id, fiche.title, STATE_LABELS[fiche.state], fiche.version, note)


def _preview(markdown: str) -> Markup:
    return Markup(layout(render_markdown(markdown)))  # noqa: S704 — allowlist-sanitised HTML


def _form_values(form: FormData) -> dict[str, Any]:
    """The editor form as the services' content (link lists are « titre | adresse » lines)."""

    def links(name: str) -> list[dict[str, str]]:
        out = []
        for line in str(form.get(name) or "").splitlines():
            if not line.strip():
                continue
            title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
            out.append({"title": title.strip(), "url": url.strip()})
        return out

    return {
        "title": str(form.get("title") or ""),
        "summary": str(form.get("summary") or ""),
        "audiences": [str(a) for a in form.getlist("audiences")],
        "sector": str(form.get("sector") or ""),
        "theme": str(form.get("theme") or ""),
        "keywords": str(form.get("keywords") or ""),
        "body": str(form.get("body") or ""),
        "advisor_note": str(form.get("advisor_note") or ""),
        "related": str(form.get("related") or "").replace(",", " ").split(),
        "pivots": str(form.get("pivots") or "").replace(",", " ").split(),
        "services": links("services"),
        "sites": links("sites"),
        "public": form.get("public") == "on",
        "review_by": str(form.get("review_by") or "") or None,
    }


def _display(content: dict[str, Any]) -> dict[str, Any]:
    """Content as the form's text fields show it."""

    def links(items: Any) -> str:
        if isinstance(items, str):
            return items
        return "\n".join(f"{i.get('title', '')} | {i.get('url', '')}" for i in items or [])

    def words(items: Any, sep: str) -> str:
        return items if isinstance(items, str) else sep.join(items or [])

    return {
        **content,
        "keywords": words(content.get("keywords"), ", "),
        "related": words(content.get("related"), " "),
        "pivots": words(content.get("pivots"), " "),
        "services": links(content.get("services")),
        "sites": links(content.get("sites")),
        "review_by": content.get("review_by") or "",
    }


def _actions(fiche: LocalFiche | None) -> list[tuple[str, str]]:
    if fiche is None:
        return []
    out: list[tuple[str, str]] = []
    if fiche.state == "draft":
        out.append(("soumettre", "Soumettre à relecture"))
    if fiche.state == "review":
        out += [("approuver", "Approuver"), ("publier", "Publier")]
    if fiche.state != "archived":
        out.append(("archiver", "Archiver"))
    return out


def _editor_page(
    call: AgentCall,
    agent: Agent,
    fiche: LocalFiche | None,
    values: dict[str, Any] | None = None,
    *,
    error: str = "",
    conflict: list[tuple[str, Markup]] | None = None,
    flash: str = "",
    version: int | None = None,
) -> EditorPage:
    content = values if values is not None else (services.snapshot(fiche) if fiche else {})
    shown = _display(content)
    title = f"Fiche {fiche.id} : {fiche.title}" if fiche else "Nouvelle fiche du service"
    status = services.source_status(call.session, fiche, with_diff=True) if fiche else None
    return EditorPage(
        title=title,
        breadcrumb=[HOME, DASHBOARD],
        nav="redaction",
        agent=agent_view(agent),
        fiche_id=fiche.id if fiche else "",
        state=fiche.state if fiche else "draft",
        state_label=STATE_LABELS[fiche.state] if fiche else "Nouvelle",
        version=version if version is not None else (fiche.version if fiche else 0),
        published_version=fiche.published_version if fiche else None,
        values=shown,
        audiences=[
            (a, AUDIENCE_LABELS.get(a, a), a in (content.get("audiences") or [])) for a in AUDIENCES
        ],
        sectors=[("", "Premier niveau (aucun secteur)", not content.get("sector"))]
        + [(s, s.capitalize(), s == content.get("sector")) for s in SECTORS],
        preview=_safe_preview(str(content.get("body") or "")),
        actions=_actions(fiche),
        source=status,
        error=error,
        conflict=conflict or [],
        flash=flash,
    )


def _safe_preview(body: str) -> Markup:
    if len(body) > services.MAX_BODY:
        return Markup("")
    return _preview(body)


# -- dashboard ---------------------------------------------------------------------------------
@router.get("/redaction", response_class=HTMLResponse)
def dashboard(call: AgentCallDep) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    return render(call.request, _dashboard(call, allowed))


def _dashboard(call: AgentCall, agent: Agent, error: str = "", adapt_id: str = "") -> DashboardPage:
    # the review dates editors set are the service's days, not UTC's
    board = services.dashboard(call.session, call.runtime.settings.today())
    served = _paths(call.request.app.routes)
    return DashboardPage(
        title="Rédaction",
        breadcrumb=[HOME],
        nav="redaction",
        agent=agent_view(agent),
        to_review=[_row(f) for f in board.to_review],
        drafts=[_row(f) for f in board.drafts],
        overdue=[_row(f, f"à revoir avant le {_date(f.review_by)}") for f in board.overdue],
        source_changed=[_row(f, f"{s.label} ({s.source_id})") for f, s in board.source_changed],
        broken_links=[_row(f, "liens vers " + ", ".join(m)) for f, m in board.broken_links],
        fiches=[_row(f) for f in services.list_fiches(call.session)],
        published=board.published,
        other_pages=[(path, label, path in served) for path, label in OTHER_PAGES],
        error=error,
        adapt_id=adapt_id,
        watch_unseen=_watch_unseen(call),
    )


def _paths(routes: Any) -> set[str]:
    """Paths served by the app (FastAPI keeps included routers as one entry each)."""
    out: set[str] = set()
    for route in routes:
        included = getattr(route, "original_router", None)
        out |= _paths(included.routes) if included is not None else {getattr(route, "path", "")}
    return out


def _watch_unseen(call: AgentCall) -> int:
    sheets = readable_sheets(call.runtime.settings.home)
    return watch.unseen_relevant_count(call.session, sheets, consulted=consulted_counts)


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


@router.post("/redaction/adapter")
def adapt(call: AgentCallDep, fiche: Annotated[str, Form(max_length=64)] = "") -> Response:
    """« Adapter pour le téléphone »: a draft from an official fiche."""
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    try:
        created = services.adapt(call.session, allowed, fiche)
    except AlloError as exc:
        call.session.rollback()
        ctx = _dashboard(call, allowed, exc.message, fiche)
        return render(call.request, ctx, status_code=exc.status_code)
    return RedirectResponse(f"/redaction/fiches/{created.id}?fait=adaptee", status_code=303)


# -- the editor --------------------------------------------------------------------------------
@router.get("/redaction/fiches/nouvelle", response_class=HTMLResponse)
def new_fiche(call: AgentCallDep) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    return render(call.request, _editor_page(call, allowed, None))


@router.post("/redaction/fiches")
async def create(call: AgentCallDep) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    form = await call.request.form(max_part_size=2_000_000)
    values = _form_values(form)
    try:
        fiche = services.create(
            call.session, allowed, values, str(form.get("comment") or "") or "Création"
        )
    except AlloError as exc:
        call.session.rollback()  # nothing stored; the editor's text comes back in the form
        ctx = _editor_page(call, allowed, None, values, error=exc.message)
        return render(call.request, ctx, status_code=exc.status_code)
    return RedirectResponse(f"/redaction/fiches/{fiche.id}?fait=creee", status_code=303)


FLASHES = {
    "creee": "Fiche créée (version 1, brouillon).",
    "adaptee": "Fiche adaptée de la fiche officielle : adaptez le texte pour le téléphone.",
    "enregistree": "Nouvelle version enregistrée.",
    "restauree": "Version restaurée : c'est un nouveau brouillon.",
    **ACTIONS,
}


@router.get("/redaction/fiches/{fiche_id}", response_class=HTMLResponse)
def edit(
    call: AgentCallDep, fiche_id: str, fait: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    fiche = services.get(call.session, fiche_id)
    ctx = _editor_page(call, allowed, fiche, flash=FLASHES.get(fait, ""))
    return render(call.request, ctx)


@router.post("/redaction/fiches/{fiche_id}")
async def save(call: AgentCallDep, fiche_id: str) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    form = await call.request.form(max_part_size=2_000_000)
    values = _form_values(form)
    base = base_version(form)
    fiche = services.get(call.session, fiche_id)
    try:
        services.update(
            call.session, allowed, fiche_id, values, base, str(form.get("comment") or "")
        )
    except Conflict as exc:
        call.session.rollback()
        fiche = services.get(call.session, fiche_id)
        diffs = services.diff_contents(
            services.version_content(call.session, fiche_id, base) if base else {},
            services.snapshot(fiche),
        )
        conflict = [(services.FIELD_LABELS[n], d.html()) for n, d in diffs.items()]
        # The editor's text stays in the form, based on the current version: nothing is lost.
        ctx = _editor_page(
            call, allowed, fiche, values, error=exc.message, conflict=conflict, version=base
        )
        return render(call.request, ctx, status_code=409)
    except AlloError as exc:
        call.session.rollback()
        fiche = services.get(call.session, fiche_id)
        ctx = _editor_page(call, allowed, fiche, values, error=exc.message, version=base)
        return render(call.request, ctx, status_code=exc.status_code)
    return RedirectResponse(f"/redaction/fiches/{fiche_id}?fait=enregistree", status_code=303)


@router.post("/redaction/fiches/{fiche_id}/{action}")
def act(call: AgentCallDep, fiche_id: str, action: str) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    return run_action(
        call,
        allowed,
        services,
        fiche_id,
        action,
        editor=lambda message: _editor_page(
            call, allowed, services.get(call.session, fiche_id), error=message
        ),
        done=f"/redaction/fiches/{fiche_id}",
        extra={
            "source-vue": lambda: services.acknowledge_source(call.session, allowed, fiche_id),
            # the review date a publication sets counts from the service's day, not UTC's
            "publier": lambda: services.publish(
                call.session,
                allowed,
                fiche_id,
                services.Policy.of(call.runtime.settings),
                today=call.runtime.settings.today(),
            ),
        },
    )


@router.post("/redaction/apercu", response_class=HTMLResponse, tags=["fragment"])
async def preview(call: AgentCallDep) -> Response:
    """The live preview (htmx, as the editor types): the real renderer, sanitised."""
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    form = await call.request.form(max_part_size=2_000_000)
    body = str(form.get("body") or "")
    if len(body) > services.MAX_BODY:
        message = (
            f"Le texte dépasse {services.MAX_BODY:,} caractères : l'aperçu est suspendu.".replace(
                ",", "\u202f"
            )
        )
        return render(call.request, PreviewFragment(preview=Markup(""), error=message))
    # ~15 ms of CPU for a long fiche: off the event loop, so the worker's other requests go on
    preview = await run_in_threadpool(_preview, body)
    return render(call.request, PreviewFragment(preview=preview))


# -- history and diffs -------------------------------------------------------------------------
@router.get("/redaction/fiches/{fiche_id}/historique", response_class=HTMLResponse)
def history(call: AgentCallDep, fiche_id: str) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    fiche = services.get(call.session, fiche_id)
    rows = [
        VersionRow(
            number=v.number,
            author=v.author_name,
            at=moment_fr(v.created_at, call.runtime.settings.zone),
            comment=v.comment,
            published=v.number == fiche.published_version,
        )
        for v in services.versions(call.session, fiche_id)
    ]
    ctx = HistoryPage(
        title=f"Historique de la fiche {fiche.id}",
        breadcrumb=[HOME, DASHBOARD, Crumb(fiche.title, f"/redaction/fiches/{fiche.id}")],
        nav="redaction",
        agent=agent_view(allowed),
        fiche_id=fiche.id,
        versions=rows,
    )
    return render(call.request, ctx)


@router.get("/redaction/fiches/{fiche_id}/diff", response_class=HTMLResponse)
def diff(
    call: AgentCallDep,
    fiche_id: str,
    de: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
    a: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    fiche = services.get(call.session, fiche_id)
    end = a or fiche.version
    diffs = services.diff_versions(call.session, fiche_id, de, end)
    ctx = DiffPage(
        title=f"Fiche {fiche.id} : modifications de la version {de} à la version {end}",
        breadcrumb=[HOME, DASHBOARD, Crumb(fiche.title, f"/redaction/fiches/{fiche.id}")],
        nav="redaction",
        agent=agent_view(allowed),
        fiche_id=fiche.id,
        start=de,
        end=end,
        fields=[(services.FIELD_LABELS[n], d.html(), d.added, d.removed) for n, d in diffs.items()],
    )
    return render(call.request, ctx)


@router.post("/redaction/fiches/{fiche_id}/restaurer/{version}")
def restore(call: AgentCallDep, fiche_id: str, version: int) -> Response:
    allowed = call.gate(EDITOR)
    if isinstance(allowed, Response):
        return allowed
    services.restore(call.session, allowed, fiche_id, version)
    return RedirectResponse(f"/redaction/fiches/{fiche_id}?fait=restauree", status_code=303)
