"""Login, logout, the current agent, agent states and the team (administrators create agents)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response, status

from allo.contacts import agents as agents_domain
from allo.contacts import repository as repo
from allo.contacts.models import Agent
from allo.errors import Unauthorized
from allo.privacy.redaction import warm_up
from allo.web.api._contact_schemas import (
    AgentCreatedOut,
    AgentIn,
    AgentOut,
    LoginIn,
    LoginOut,
    StateIn,
)
from allo.web.auth import (
    CurrentAgent,
    clear_session_cookie,
    request_token,
    require_role,
    set_session_cookie,
)
from allo.web.deps import DbSession, RuntimeDep
from allo.web.security.limits import login_allowed, login_failed, login_succeeded

router = APIRouter(prefix="/api", tags=["agents et connexion"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Non connecté ou identifiants incorrects"}
}
_THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Trop de tentatives : réessayer après `Retry-After` secondes"}
}


@router.post(
    "/auth/login",
    response_model=LoginOut,
    summary="Se connecter",
    responses={**_ERRORS, **_THROTTLED},
)
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: DbSession,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> LoginOut:
    """Renvoie un jeton (en-tête `Authorization: Bearer`) et pose le même secret dans un cookie
    HttpOnly pour les consoles. L'agent passe à l'état « disponible ». Après plusieurs échecs
    pour un même identifiant ou depuis une même adresse : 429 et `Retry-After`."""
    login_allowed(request, body.username)
    # argon2 first, with no write transaction open; `session` begins only to write the token.
    try:
        verified = agents_domain.verify_login(runtime.read_sessions, body.username, body.password)
    except Unauthorized:
        login_failed(request, body.username)
        raise
    login_succeeded(request, body.username)
    agent, token, expires = agents_domain.open_session(session, verified)
    set_session_cookie(request, response, token, expires)
    # The first note of the day should not wait for the name model to load.
    background.add_task(warm_up)
    return LoginOut(token=token, expires_at=expires, agent=AgentOut.of(agent))


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Se déconnecter",
    responses=_ERRORS,
)
def logout(
    session: DbSession,
    agent: CurrentAgent,
    token: Annotated[str | None, Depends(request_token)],
) -> Response:
    if token:
        agents_domain.revoke_token(session, token)
    agents_domain.set_state(session, agent, "offline")
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response)
    return response


@router.get("/auth/me", response_model=AgentOut, summary="L'agent connecté", responses=_ERRORS)
def me(agent: CurrentAgent) -> AgentOut:
    return AgentOut.of(agent)


@router.put(
    "/agents/me/state", response_model=AgentOut, summary="Changer d'état", responses=_ERRORS
)
def change_state(body: StateIn, session: DbSession, agent: CurrentAgent) -> AgentOut:
    """Disponible ou en pause (« en communication » est posé par la prise d'un contact)."""
    agents_domain.set_state(session, agent, body.state)
    return AgentOut.of(agent)


@router.get(
    "/agents",
    response_model=list[AgentOut],
    summary="Les agents et leur état (supervision)",
    responses={**_ERRORS, 403: {"description": "Rôle insuffisant"}},
)
def list_agents(
    session: DbSession,
    _agent: Annotated[Agent, require_role("supervisor", "administrator")],
) -> list[AgentOut]:
    return [AgentOut.of(a) for a in repo.agents(session)]


@router.post(
    "/agents",
    response_model=AgentCreatedOut,
    status_code=status.HTTP_201_CREATED,
    summary="Créer un agent (administrateur)",
    responses={
        **_ERRORS,
        403: {"description": "Rôle insuffisant"},
        409: {"description": "Identifiant déjà pris"},
    },
)
def create_agent(
    body: AgentIn,
    session: DbSession,
    _agent: Annotated[Agent, require_role("administrator")],
) -> AgentCreatedOut:
    generated = None if body.password else agents_domain.generate_password()
    agent = agents_domain.create_agent(
        session,
        body.username,
        body.role,
        body.password or generated or "",
        sectors=body.sectors,
        display_name=body.display_name,
    )
    return AgentCreatedOut(agent=AgentOut.of(agent), generated_password=generated)
