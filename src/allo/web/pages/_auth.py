"""Access to the agents' pages: a login redirect for people, a French 403 for the wrong role.

Page handlers take the optional agent (allo.web.auth.OptionalAgent) and call `gate()`: without a
valid session a browser is sent to /connexion (htmx requests get an `HX-Redirect`), and an agent
of another role gets the French 403 page. Every console and supervision route goes through it
(tests/web/test_pages_contract.py checks them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from allo.contacts.models import Agent
from allo.errors import Forbidden
from allo.runtime import Runtime
from allo.web.auth import OptionalAgent
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages._base import doc

ADVISOR = ("advisor",)
SPECIALIST = ("specialist",)
#: both consoles: their fragments and contact actions serve advisors and specialists alike
HANDLERS = ("advisor", "specialist")
SUPERVISOR = ("supervisor", "administrator")
EDITOR = ("editor",)
#: where each role lands after logging in
HOME_OF_ROLE = {
    "advisor": "/console",
    "specialist": "/specialiste",
    "supervisor": "/supervision",
    "administrator": "/supervision",
}
ROLE_PAGES = {
    "advisor": "la console des conseillers",
    "specialist": "la console des spécialistes",
    "supervisor": "la supervision",
    "administrator": "la supervision",
    "editor": "l’équipe de rédaction",
}


def login_url(request: Request) -> str:
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    return "/connexion?" + urlencode({"suivant": target})


def gate(request: Request, agent: Agent | None, roles: tuple[str, ...]) -> Agent | Response:
    """The agent if they may use the page, else the response to send instead."""
    if agent is None:
        if request.headers.get("hx-request") == "true":
            response = Response(status_code=401)
            response.headers["HX-Redirect"] = login_url(request)
            return response
        return RedirectResponse(login_url(request), status_code=303)
    if agent.role not in roles:
        raise Forbidden(f"Cette page est réservée à {ROLE_PAGES[roles[0]]}.")
    return agent


def safe_next(target: str | None, agent: Agent) -> str:
    """Only a path of this site (never another host) is followed after logging in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME_OF_ROLE.get(agent.role, "/")


@dataclass(frozen=True)
class AgentCall:
    """What an agents' page handler works with, declared once instead of in every signature."""

    request: Request = field(metadata=doc("The HTTP request (for gate() and render())."))
    runtime: Runtime = field(metadata=doc("The application runtime."))
    session: Session = field(metadata=doc("The request's database session."))
    agent: Agent | None = field(metadata=doc("The logged-in agent, or None."))

    def gate(self, roles: tuple[str, ...]) -> Agent | Response:
        """The agent if they may use the page, else the response to send instead."""
        return gate(self.request, self.agent, roles)


async def agent_call(
    request: Request, runtime: RuntimeDep, session: DbSession, agent: OptionalAgent
) -> AgentCall:
    """No I/O: async, so FastAPI does not hop to the thread pool for it."""
    return AgentCall(request=request, runtime=runtime, session=session, agent=agent)


AgentCallDep = Annotated[AgentCall, Depends(agent_call)]
