"""Agents log in and out: `/connexion` (form, session cookie shared with the JSON API) and
`/deconnexion`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, ClassVar

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from allo.contacts import agents as agents_domain
from allo.errors import TooManyRequests, Unauthorized
from allo.privacy.redaction import warm_up
from allo.web.auth import OptionalAgent, clear_session_cookie, request_token, set_session_cookie
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages._auth import HOME_OF_ROLE, safe_next
from allo.web.pages._base import HOME, Page, agent_view, doc, render
from allo.web.security.limits import login_allowed, login_failed, login_succeeded

router = APIRouter(include_in_schema=False)


@dataclass(kw_only=True)
class LoginPage(Page):
    template: ClassVar[str] = "agents/login.html"

    username: str = field(default="", metadata=doc("Login name typed (kept after an error)."))
    next: str = field(default="", metadata=doc("Page to go back to after logging in."))
    error: str = field(default="", metadata=doc("French message after a failed attempt."))
    home: str = field(default="", metadata=doc("The logged-in agent's own page, if logged in."))


def _page(**values: object) -> LoginPage:
    return LoginPage(title="Connexion des agents", breadcrumb=[HOME], **values)  # type: ignore[arg-type]


@router.get("/connexion", response_class=HTMLResponse)
def login_form(
    request: Request,
    agent: OptionalAgent,
    suivant: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    ctx = _page(next=suivant)
    if agent is not None:
        ctx.agent = agent_view(agent)
        ctx.home = HOME_OF_ROLE.get(agent.role, "/")
    return render(request, ctx)


@router.post("/connexion", response_class=HTMLResponse)
def login(
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    background: BackgroundTasks,
    identifiant: Annotated[str, Form(max_length=64)] = "",
    mot_de_passe: Annotated[str, Form(max_length=256)] = "",
    suivant: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        login_allowed(request, identifiant)
    except TooManyRequests as exc:
        ctx = _page(username=identifiant.strip()[:64], next=suivant, error=exc.message)
        response = render(request, ctx, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    # argon2 first, with no write transaction open; `session` begins only to write the token.
    try:
        verified = agents_domain.verify_login(runtime.read_sessions, identifiant, mot_de_passe)
        agent, token, expires = agents_domain.open_session(session, verified)
    except Unauthorized as exc:
        login_failed(request, identifiant)
        ctx = _page(username=identifiant.strip()[:64], next=suivant, error=exc.message)
        return render(request, ctx, status_code=401)
    login_succeeded(request, identifiant)
    redirect = RedirectResponse(safe_next(suivant, agent), status_code=303)
    set_session_cookie(request, redirect, token, expires)
    # The first note of the day should not wait for the name model to load.
    background.add_task(warm_up)
    return redirect


@router.post("/deconnexion")
def logout(
    session: DbSession,
    agent: OptionalAgent,
    token: Annotated[str | None, Depends(request_token)],
) -> Response:
    if agent is not None and token:
        agents_domain.revoke_token(session, token)
        agents_domain.set_state(session, agent, "offline")
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response
