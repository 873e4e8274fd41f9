"""Is this node ready to serve? Database reachable, schema at the latest migration, search loaded.

Liveness (`/api/health`) only says the process answers; readiness is what a balancer should
route on: a node whose database is unreachable, whose schema is behind (a deployment in the
middle of `allo db upgrade`) or whose search index is still being built answers 503.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import SQLAlchemyError

from allo.db.migrate import heads
from allo.runtime import Runtime


@dataclass
class Readiness:
    ready: bool
    #: check name → "ok" or a French reason
    checks: dict[str, str] = field(default_factory=dict)


_HEADS: list[frozenset[str]] = []


def _expected_heads(runtime: Runtime) -> frozenset[str]:
    """The code's migration heads: read from the scripts once per process (it imports them)."""
    if not _HEADS:
        _HEADS.append(frozenset(heads(runtime.engine)))
    return _HEADS[0]


def check(runtime: Runtime) -> Readiness:
    checks: dict[str, str] = {}
    try:
        with runtime.read_sessions() as session:  # a read session: never waits for a writer
            connection = session.connection()
            current = set(MigrationContext.configure(connection).get_current_heads())
        checks["database"] = "ok"
        expected = _expected_heads(runtime)
        checks["migrations"] = (
            "ok"
            if current == expected
            else f"schéma en retard ({', '.join(sorted(current)) or 'vide'} au lieu de "
            f"{', '.join(sorted(expected))}) : lancez « allo db upgrade »"
        )
    except SQLAlchemyError:
        checks["database"] = "base de données injoignable"
        checks["migrations"] = "inconnu"
    checks["search"] = (
        "ok" if "search" in runtime.services else "index de recherche en cours de construction"
    )
    return Readiness(all(v == "ok" for v in checks.values()), checks)
