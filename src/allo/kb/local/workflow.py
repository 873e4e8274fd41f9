"""The editorial workflow shared by every kind of versioned content (local fiches, escalation
sheets): brouillon → en relecture → publiée → archivée, with four-eyes publishing.

The functions change the state fields of an item (`state`, `version`, `last_author_id`,
`approved_version`, `approved_by_id`, `published_version`, `published_at`, `updated_at`) and
raise `allo.errors.*` with French messages; what publishing writes elsewhere is the caller's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from allo.db.base import utcnow
from allo.errors import Conflict, Forbidden

if TYPE_CHECKING:
    from allo.settings import Settings

#: brouillon → en relecture → publiée → archivée
STATE_LABELS = {
    "draft": "Brouillon",
    "review": "En relecture",
    "published": "Publiée",
    "archived": "Archivée",
}


@dataclass
class Policy:
    """Editorial rules a service may relax (settings)."""

    #: publishing needs a second editor who is not the last author
    four_eyes: bool = True

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        """The rules the service's settings set (`ALLO_EDITORIAL_FOUR_EYES`)."""
        return cls(four_eyes=settings.editorial_four_eyes)


class Editor(Protocol):
    """Who edits: an agent of the contacts domain (`allo.contacts.models.Agent`), seen through
    the few attributes the workflow reads, so the knowledge base does not import contacts."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def display_name(self) -> str: ...


class Versioned(Protocol):
    state: str
    version: int
    last_author_id: int | None
    approved_version: int | None
    approved_by_id: int | None
    published_version: int | None
    published_at: datetime | None
    updated_at: datetime


def require_editor(agent: Editor) -> None:
    if agent.role != "editor":
        raise Forbidden("Action réservée aux rédacteurs.")


def new_version(item: Versioned, agent: Editor) -> None:
    """A save: the next version, back in draft, any approval dropped."""
    item.version += 1
    item.state = "draft"
    item.approved_version = None
    item.approved_by_id = None
    item.last_author_id = agent.id
    item.updated_at = utcnow()


def submit(item: Versioned) -> None:
    if item.state != "draft":
        raise Conflict(
            f"Seul un brouillon peut être soumis à relecture (état : {STATE_LABELS[item.state]})."
        )
    item.state = "review"
    item.updated_at = utcnow()


def approve(item: Versioned, agent: Editor, policy: Policy, noun: str = "fiche") -> None:
    if item.state != "review":
        raise Conflict(f"Seule une {noun} en relecture peut être approuvée.")
    if policy.four_eyes and agent.id == item.last_author_id:
        raise Forbidden(
            "Un second rédacteur doit approuver : vous êtes l'auteur de la dernière version."
        )
    item.approved_version = item.version
    item.approved_by_id = agent.id
    item.updated_at = utcnow()


def publish(item: Versioned, agent: Editor, policy: Policy, noun: str = "fiche") -> None:
    """Check four-eyes and mark the current version published."""
    allowed = ("review", "draft") if not policy.four_eyes else ("review",)
    if item.state not in allowed:
        raise Conflict(
            f"Soumettez d'abord la {noun} à relecture."
            if item.state == "draft"
            else f"Cette {noun} ne peut pas être publiée (état : {STATE_LABELS[item.state]})."
        )
    approved = item.approved_version == item.version
    if policy.four_eyes and not approved and agent.id == item.last_author_id:
        raise Forbidden(
            "La publication demande la relecture d'un second rédacteur : vous êtes l'auteur "
            "de la dernière version."
        )
    item.state = "published"
    item.published_version = item.version
    item.published_at = utcnow()
    if not approved and agent.id != item.last_author_id:
        item.approved_version, item.approved_by_id = item.version, agent.id
    item.updated_at = utcnow()


def archive(item: Versioned, noun: str = "fiche") -> None:
    if item.state == "archived":
        raise Conflict(f"Cette {noun} est déjà archivée.")
    item.state = "archived"
    item.published_version = None
    item.updated_at = utcnow()
