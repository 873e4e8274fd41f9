"""What a request log line may say about the path: the route's template, never the path itself.

`/ma-question/<jeton>`, `/api/messages/<jeton>`: a path parameter can be a citizen's private
token (or anything a caller typed), so logs name the route (`/api/messages/{token}`).
"""

from __future__ import annotations

from starlette.types import Scope


def loggable_path(scope: Scope) -> str:
    """The matched route's template; `(non trouvée)` for a path no route matched."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "(non trouvée)"
