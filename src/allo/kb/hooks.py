"""What runs after an import of fiches is committed (never before: a hook must not see, nor
make others see, a base that could still be rolled back).

The search engine of every app worker notices the new fiches by itself (it polls `kb_version`);
a hook is for work that belongs to the command that imported, such as computing the vectors
of the fiches that changed, so that the first query after a sync does not pay for them.

    from allo.kb import hooks
    hooks.after_import.append(lambda runtime, ids: ...)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

log = logging.getLogger("allo.kb")

#: callbacks `(runtime, fiche_ids)` called after the commit of an import that changed fiches;
#: `fiche_ids` are those added or rewritten (withdrawn ones are gone)
after_import: list[Callable[[Any, Collection[str]], None]] = []


def run_after_import(runtime: Any, fiche_ids: Collection[str]) -> None:
    """Call every hook; a failing hook is logged and does not undo the committed import."""
    for hook in list(after_import):
        try:
            hook(runtime, fiche_ids)
        except Exception:
            log.exception("after-import hook %r failed", hook)
