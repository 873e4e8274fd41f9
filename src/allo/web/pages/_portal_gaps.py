"""The portal's hooks for the content-gap backlog: a search counted (found or not), a fiche opened
from a result page. Both only touch the per-process counter (allo.backlog.portal_log), so the
search stays as cheap as it was; citizens only (agents' own searches are not a citizen's need).

"Opened from a result page" is read from the Referer of the fiche page: the browser's default
policy (strict-origin-when-cross-origin) sends our own pages' full URL to our own pages.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi import Request

from allo.backlog.portal_log import get_log
from allo.runtime import Runtime

MAX_QUERY = 200


def searched(runtime: Runtime, query: str, *, found: bool) -> None:
    get_log(runtime).searched(query, found=found)


def opened_from_search(request: Request, runtime: Runtime) -> None:
    """Count a fiche opened from the portal's result page of a query, if that is where it came from."""
    referer = request.headers.get("referer", "")
    if "/recherche?" not in referer:
        return
    parts = urlsplit(referer)
    if parts.path != "/recherche" or parts.netloc != request.headers.get("host", ""):
        return
    typed = parse_qs(parts.query).get("q")
    query = " ".join(typed[0].split())[:MAX_QUERY] if typed else ""
    if query:
        get_log(runtime).opened(query)
