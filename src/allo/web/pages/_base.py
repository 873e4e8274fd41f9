"""What every page shares: typed, documented page contexts and their rendering.

Each page or htmx fragment has one dataclass that says exactly what its template may use
(datasette-style): every field carries a `help` text, which `tests/web/test_pages_contract.py`
checks. Handlers build the dataclass from domain services and call `render()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment

from allo.contacts.models import Agent
from allo.web.auth import OptionalAgent
from allo.web.pages import _filters


def doc(help: str) -> dict[str, str]:
    """Field metadata documenting what the template shows the field for:
    `title: str = field(metadata=doc("…"))`."""
    return {"help": help}


@dataclass(frozen=True)
class Crumb:
    """One link of the breadcrumb (fr-breadcrumb)."""

    label: str = field(metadata=doc("Text of the link."))
    href: str = field(metadata=doc("Where the link goes."))


HOME = Crumb("Accueil", "/")


@dataclass(frozen=True)
class AgentView:
    """The logged-in agent, as the header and the navigation need it."""

    display_name: str = field(metadata=doc("Name shown in the header."))
    can_advise: bool = field(default=False, metadata=doc("Shows the advisor console link."))
    can_specialise: bool = field(default=False, metadata=doc("Shows the specialist console link."))
    can_supervise: bool = field(default=False, metadata=doc("Shows the supervision link."))
    can_edit: bool = field(default=False, metadata=doc("Shows the editors' (rédaction) link."))


@dataclass(kw_only=True)
class Page:
    """Context of a whole HTML page laid out by base.html."""

    #: the Jinja template that renders this context
    template: ClassVar[str] = ""

    title: str = field(metadata=doc("The page's h1 and <title> (followed by the service name)."))
    breadcrumb: list[Crumb] = field(
        default_factory=list,
        metadata=doc(
            "Links from the home page down to the parent of this page; empty on the home page only."
        ),
    )
    nav: str = field(
        default="",
        metadata=doc(
            "Key of the main navigation entry marked as current (accueil, recherche, annuaire…)."
        ),
    )
    agent: AgentView | None = field(
        default=None,
        metadata=doc("The logged-in agent (header and agent navigation); None for citizens."),
    )


@dataclass(kw_only=True)
class Fragment:
    """Context of a piece of HTML swapped in by htmx (no layout)."""

    template: ClassVar[str] = ""


def context_of(ctx: Page | Fragment) -> dict[str, Any]:
    """The template variables: the dataclass's fields (shallow) and the object itself as `page`."""
    values = {f.name: getattr(ctx, f.name) for f in fields(ctx)}
    values["page"] = ctx
    return values


def render(
    request: Request,
    ctx: Page | Fragment,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    templates = request.app.state.templates
    _prepare(templates.env)
    return templates.TemplateResponse(
        request, ctx.template, context_of(ctx), status_code=status_code, headers=headers
    )


def _prepare(env: Environment) -> None:
    """Install our filters once per template environment (one per app)."""
    if env.globals.get("_allo_ready"):
        return
    env.filters.update(_filters.FILTERS)
    env.globals["_allo_ready"] = True


def agent_view(agent: Agent | None) -> AgentView | None:
    if agent is None:
        return None
    return AgentView(
        display_name=agent.display_name or agent.username,
        can_advise=agent.role == "advisor",
        can_specialise=agent.role == "specialist",
        can_supervise=agent.role in ("supervisor", "administrator"),
        can_edit=agent.role == "editor",
    )


def page_agent(agent: OptionalAgent) -> AgentView | None:
    """Dependency of every page: the logged-in agent for the header, or None."""
    return agent_view(agent)


def is_htmx(request: Request) -> bool:
    """True for htmx requests (a fragment is enough), except history restores (full page)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def page_instead(
    request: Request, path: str, params: dict[str, str] | None = None, anchor: str = ""
) -> RedirectResponse | None:
    """A fragment's URL opened outside htmx (a reload, a shared link, a new tab) would show a
    bare piece of page without header, styles or scripts: send the browser to the page it
    belongs to, with what was asked (`params`, empty values left out). None for htmx."""
    if is_htmx(request):
        return None
    query = urlencode({k: v for k, v in (params or {}).items() if v})
    url = f"{path}?{query}" if query else path
    return RedirectResponse(f"{url}#{anchor}" if anchor else url, status_code=303)
