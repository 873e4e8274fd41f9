"""Warm-up at start: build the per-process services before the first request needs them.

A fresh process pays 0.9–2.3 s on its first search (index, query embedder), first « où
s'adresser » (directory and communes index) and first contact (spaCy's name model, escalation
sheets). A daemon thread pays it at start instead, off the request path; requests arriving
meanwhile build what they need themselves (runtime.service is thread-safe). Each step is
independent: one failing is logged and the others still run. `ALLO_WARM_UP=0` turns it off.

Then, in a server worker (`allo serve`, flagged by `allo.web.serving`), the heap is frozen
(`gc.freeze`): the modules, schemas, templates and indexes built at start live as long as the
process, yet every full garbage collection walked them all — 50 to 140 ms on this app, paid by
whichever request happened to trigger it (the editor preview's p95 was that pause). Frozen, they
are no longer scanned, and a full collection only walks what requests allocated since.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, FastAPI

from allo.runtime import Runtime

log = logging.getLogger("allo.warmup")


def _search(runtime: Runtime) -> None:
    from allo.search.service import get_search_service

    service = get_search_service(runtime)
    service.search("carte grise perdue", limit=3)
    service.search("carte grise perdue", limit=3, semantic=False)
    service.suggest("carte")


def _directory(runtime: Runtime) -> None:
    from allo.directory.services import get_directory
    from allo.errors import NotFound

    with runtime.read_sessions() as session, contextlib.suppress(NotFound):
        # NotFound: a base without communes yet (a scratch server) has nothing to warm.
        get_directory(runtime).find(session, "Paris", "mairie", None, 1)


def _contacts(_runtime: Runtime) -> None:
    from allo.contacts.suggestion import suggest_sector
    from allo.privacy.redaction import redact

    redact("Bonjour, je suis Marie Dupont, mon numéro est le 06 12 34 56 78.")
    suggest_sector("Mon employeur ne me paie plus mon salaire")


#: in order (answer passages are loaded with the search index: the import stored them)
STEPS: dict[str, Callable[[Runtime], None]] = {
    "search": _search,
    "directory": _directory,
    "contacts": _contacts,
}


def warm_up(
    runtime: Runtime, steps: dict[str, Callable[[Runtime], None]] | None = None
) -> dict[str, float]:
    """Run every step; returns the seconds each took (failed steps are left out)."""
    took: dict[str, float] = {}
    for name, step in (STEPS if steps is None else steps).items():
        start = time.perf_counter()
        try:
            step(runtime)
        except Exception:  # a warm-up never stops the server
            log.exception("warm-up step %s failed", name)
            continue
        took[name] = round(time.perf_counter() - start, 3)
    runtime.services["warmed_up"] = took
    log.info("warm-up done", extra={"steps": took})
    return took


def freeze_heap() -> int:
    """Move every object alive now out of the garbage collector's reach; returns how many.

    Only for objects that live as long as the process (a worker after its start): frozen
    objects that later become garbage in a cycle are never reclaimed."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def start_up(runtime: Runtime, *, freeze: bool) -> None:
    """What a process does once started: warm up (if set), then freeze the heap (if asked)."""
    if runtime.settings.warm_up:
        warm_up(runtime)
    if freeze:
        frozen = freeze_heap()
        log.info("start-up heap frozen", extra={"objects": frozen})


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime: Runtime = app.state.runtime
    freeze = bool(getattr(app.state, "freeze_heap", False))
    if runtime.settings.warm_up or freeze:
        threading.Thread(
            target=start_up,
            args=(runtime,),
            kwargs={"freeze": freeze},
            name="allo-warm-up",
            daemon=True,
        ).start()
    yield


router = APIRouter(lifespan=_lifespan)
