"""The review actions shared by the editors' pages of versioned content (local fiches and
escalation sheets): which service step a French action path runs, and how its outcome answers —
a 303 to the editor with its flash key, or the editor page again with the French refusal.

Both domains expose the same workflow steps (`allo.kb.local.workflow`): `submit`, `archive`
(session, agent, id) and `approve`, `publish` (… and the four-eyes policy). A local fiche's
`publish` also takes the service's day (its review date counts from it): its page passes that
step in `extra`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from allo.contacts.models import Agent
from allo.errors import AlloError
from allo.kb.local.workflow import Policy
from allo.web.pages._auth import AgentCall
from allo.web.pages._base import Page, render

#: French path segment of each review action → the service step it runs
STEPS = {
    "soumettre": "submit",
    "approuver": "approve",
    "publier": "publish",
    "archiver": "archive",
}
_WITH_POLICY = {"approve", "publish"}


def base_version(form: FormData) -> int:
    """The version a posted form was based on (0 when missing or not a number: the save is
    then refused as a conflict, with what changed, rather than guessed)."""
    try:
        return int(str(form.get("base_version") or "0"))
    except ValueError:
        return 0


def run_action(
    call: AgentCall,
    agent: Agent,
    content: ModuleType,
    item_id: str,
    action: str,
    *,
    editor: Callable[[str], Page],
    done: str,
    extra: dict[str, Callable[[], object]] | None = None,
) -> Response:
    """Run `action` on `item_id` with the domain's service module `content` (or a step of
    `extra`); 303 to `done` + `?fait=<action>`, or `editor(message)` with the error's status."""
    if action in (extra or {}):
        step = (extra or {})[action]
    elif action in STEPS:
        name = STEPS[action]
        function = getattr(content, name)
        if name in _WITH_POLICY:
            rules = Policy.of(call.runtime.settings)
            step = lambda: function(call.session, agent, item_id, rules)  # noqa: E731
        else:
            step = lambda: function(call.session, agent, item_id)  # noqa: E731
    else:
        return Response(status_code=404)
    try:
        step()
    except AlloError as exc:
        call.session.rollback()
        return render(call.request, editor(exc.message), status_code=exc.status_code)
    return RedirectResponse(f"{done}?fait={action}", status_code=303)
