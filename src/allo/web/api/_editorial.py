"""What the editorial APIs (local fiches, escalation sheets) share: who may write and who may
read, and the answers they give alike — a version of the history, the word diff of two versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Protocol

from fastapi import Path, Query
from pydantic import BaseModel, Field

from allo.contacts.models import Agent
from allo.kb.local.diff import WordDiff
from allo.web.auth import require_role

Editor = Annotated[Agent, require_role("editor")]
Reader = Annotated[Agent, require_role("editor", "advisor", "specialist", "supervisor")]

#: a version number in a path or a query (an SQL integer)
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
FromVersion = Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)]
ToVersion = Annotated[int, Query(alias="to", ge=1, le=2**31 - 1)]


class SavedVersion(Protocol):
    """A row of a version table (`allo.kb.local.versioned_columns.VersionColumns`)."""

    number: int
    author_name: str
    comment: str
    created_at: datetime


class VersionOut(BaseModel):
    version: int
    author: str
    comment: str
    at: datetime

    @classmethod
    def of(cls, saved: SavedVersion) -> VersionOut:
        return cls(
            version=saved.number,
            author=saved.author_name,
            comment=saved.comment,
            at=saved.created_at,
        )


class DiffOut(BaseModel):
    id: str
    from_version: int = Field(alias="from")
    to_version: int = Field(alias="to")
    fields: dict[str, list[dict[str, str]]] = Field(
        description="Par champ modifié : suites de {op: '=', '+' ou '-', text}."
    )

    @classmethod
    def of(cls, item_id: str, start: int, end: int, fields: dict[str, WordDiff]) -> DiffOut:
        return cls.model_validate(
            {
                "id": item_id,
                "from": start,
                "to": end,
                "fields": {name: d.as_json() for name, d in fields.items()},
            }
        )
