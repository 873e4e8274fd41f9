"""Who is calling: the logged-in agent, from a bearer token (API) or the session cookie (consoles).

Routers declare what they need with typed dependencies:

    @router.get("/…")
    def handler(agent: CurrentAgent) -> …                       # any logged-in agent
    def handler(agent: Annotated[Agent, require_role("supervisor", "administrator")]) -> …

No token → 401; a valid token of the wrong role → 403 (French messages, web/errors.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from allo.contacts.agents import ROLE_LABELS, agent_for_token
from allo.contacts.models import Agent
from allo.errors import Forbidden, Unauthorized
from allo.privacy import audit
from allo.runtime import Runtime
from allo.web.deps import DbSession

COOKIE_NAME = "allo_session"

# Declared for the OpenAPI document (the "Authorize" button of /api/docs); we raise our own errors.
_bearer = HTTPBearer(auto_error=False, description="Jeton renvoyé par POST /api/auth/login.")
_cookie = APIKeyCookie(
    name=COOKIE_NAME, auto_error=False, description="Cookie de session des consoles."
)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the
# thread pool, a hop between threads that costs more than the check itself on a loaded machine.
# Those that query the database stay plain functions, so they never block the event loop.


async def request_token(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
    cookie: Annotated[str | None, Depends(_cookie)] = None,
) -> str | None:
    """The session token: the Authorization header first, else the console cookie."""
    if bearer is not None and bearer.scheme.lower() == "bearer" and bearer.credentials:
        return bearer.credentials
    return cookie or None


def get_current_agent(
    session: DbSession, token: Annotated[str | None, Depends(request_token)]
) -> Agent:
    """Cross-site requests never get here: allo.web.security.csrf refuses them first."""
    if not token:
        raise Unauthorized("Vous devez vous connecter.")
    agent = agent_for_token(session, token)
    if agent is None:
        raise Unauthorized("Session expirée ou invalide : veuillez vous reconnecter.")
    return agent


def get_optional_agent(
    session: DbSession, token: Annotated[str | None, Depends(request_token)]
) -> Agent | None:
    """The agent if logged in, else None (pages that show a login link)."""
    return agent_for_token(session, token) if token else None


CurrentAgent = Annotated[Agent, Depends(get_current_agent)]
OptionalAgent = Annotated[Agent | None, Depends(get_optional_agent)]


def require_role(*roles: str) -> Any:
    """A dependency that lets only these roles through (403 with a French message otherwise)."""
    allowed = ", ".join(ROLE_LABELS.get(r, r) for r in roles)

    async def _check(agent: CurrentAgent) -> Agent:
        if agent.role not in roles:
            raise Forbidden(f"Action réservée aux rôles : {allowed}.")
        return agent

    return Depends(_check)


#: supervisors and administrators: the service's figures, the staffing plan
Supervisor = Annotated[Agent, require_role("supervisor", "administrator")]


def audit_read(runtime: Runtime, agent: Agent, object_type: str) -> None:
    """Who read the service's figures goes to the audit trail, even when the request fails
    later (its own transaction)."""
    audit.record_separately(
        runtime.sessions, agent_id=agent.id, action="read", object_type=object_type
    )


def set_session_cookie(
    request: Request, response: Response, token: str, expires_at: datetime
) -> None:
    """HttpOnly (no script reads it), SameSite=Lax (no cross-site POST carries it)."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        expires=expires_at,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/")
