"""The knowledge base's HTML of a fiche, as the pages show it, and the whole-page cache.

The body comes laid out for the pages (situations as DSFR tabs, cases as DSFR accordions, see
allo.kb.render.dsfr) and stored by the import (allo.kb.stored_html), so a first view costs one
query and no rendering; all that is left here is pointing office cards to the page's
« Où s'adresser ? » box. Every situation and case stays in the page (all shown, stacked,
without JavaScript: see base.html).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from allo.kb import services as kb
from allo.kb.render.dsfr import LOCAL_BOX_MARKER
from allo.runtime import Runtime

#: whole pages kept per process
CACHE_SIZE = 512


class PageCache:
    """Whole fiche pages as sent to anonymous readers (no commune asked), per fiche.

    The knowledge base's version (count and latest change of the fiches) is checked at most
    every VERSION_CHECK seconds; when it moves, every page is dropped. So an edited fiche shows
    within seconds, like the search index, and a popular fiche costs no query and no rendering.
    """

    VERSION_CHECK = 5.0

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[str, bytes] = OrderedDict()
        self._version: str | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _current(self, session: Session) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.VERSION_CHECK:
            return
        version = kb.kb_version(session)
        with self._lock:
            self._checked_at = now
            if version != self._version:
                self._version = version
                self._pages.clear()

    def get(self, session: Session, fiche_id: str) -> bytes | None:
        self._current(session)
        with self._lock:
            page = self._pages.get(fiche_id)
            if page is not None:
                self._pages.move_to_end(fiche_id)
            return page

    def put(self, fiche_id: str, page: bytes) -> None:
        with self._lock:
            self._pages[fiche_id] = page
            self._pages.move_to_end(fiche_id)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def page_cache(runtime: Runtime) -> PageCache:
    return runtime.service("web.fiche_pages", lambda _rt: PageCache())


def body_html(runtime: Runtime, session: Session, fiche: Any, *, local_box: bool) -> Markup:
    """`local_box`: the page has an "Où s'adresser ?" box the fiche's office cards can point to.
    `fiche`: a page row (kb.get_page_fiche, stored HTML included) or a Fiche."""
    html = present(kb.fiche_html(session, fiche), local_box=local_box)
    return Markup(html)  # noqa: S704 — the knowledge base's output is escaped HTML


#: what an office card shows when the page has an « Où s'adresser ? » box
BOX_LINK = (
    '<p class="fr-card__end"><a href="#ou-s-adresser" '
    'class="fr-link fr-icon-map-pin-2-line fr-link--icon-left">'
    "Adresse et horaires près de chez vous</a></p>"
)


def present(html: str, *, local_box: bool = False) -> str:
    """The stored body (tabs and accordions already laid out by the knowledge base, see
    allo.kb.render.dsfr) with office cards pointing to the page's box when it has one."""
    if LOCAL_BOX_MARKER not in html:
        return html
    return html.replace(LOCAL_BOX_MARKER, BOX_LINK if local_box else "")
