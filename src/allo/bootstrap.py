"""First start: migrate the schema, then load the bundled real data into an empty database.

Each domain owns a `bundled.load_if_empty(runtime, report)` hook; the order matters
(the search index is built from the knowledge base).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from allo.db.migrate import upgrade
from allo.runtime import Runtime

BUNDLED_HOOKS = (
    "allo.kb.bundled",
    "allo.directory.bundled",
    "allo.contacts.bundled",
    "allo.search.bundled",
)


def initialize(runtime: Runtime, report: Callable[[str], None] = print) -> None:
    upgrade(runtime.engine)
    for module_name in BUNDLED_HOOKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.load_if_empty(runtime, report)
