"""Identifiers as the database stores them: 32-bit integer keys (SQLite takes 64, PostgreSQL's
`integer` 32). A larger number in a path or query is refused with a 422 before any query: the
SQLite driver raises `OverflowError` past 64 bits, PostgreSQL an out-of-range error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_DB_ID = 2**31 - 1

#: a database id in the path (`/console/contacts/{contact_id}/…`)
IdPath = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="Identifiant (entier positif).")]
