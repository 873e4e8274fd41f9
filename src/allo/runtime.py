"""The long-lived objects of one process (engine, session factories, search index), built once.

The app factory and the CLI both build a Runtime from Settings; nothing is built at import time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from allo.db.engine import make_engine
from allo.db.session import make_session_factory
from allo.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    #: Lazily built per-process services (search index, embedder…), keyed by name.
    services: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Runtime:
        if engine is None:
            if not settings.database_url:
                settings.ensure_home()
            engine = make_engine(settings.effective_database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            read_sessions=make_session_factory(engine, readonly=True),
        )

    def service(self, name: str, build: Any) -> Any:
        """Get a per-process service, building it once (thread-safe) with `build(runtime)`."""
        existing = self.services.get(name)
        if existing is not None:
            return existing
        with self._lock:
            if name not in self.services:
                self.services[name] = build(self)
            return self.services[name]
