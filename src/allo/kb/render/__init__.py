"""Rendering a fiche's body to accessible HTML and to plain text.

DILA bodies (`body_format == "dila-xml"`) go through `dila_html` / `dila_text`, which handle
every element of the schema (see allo.kb.elements); HTML bodies (travail-emploi, local fiches)
are sanitised by `html_body`. Both renderers count the elements that fell through to their
generic fallback, so a test can prove the whole corpus is rendered deliberately.
"""

from __future__ import annotations

from allo.kb.render.api import (
    FicheLike,
    KnownFiches,
    LinkResolver,
    Rendered,
    render_fiche,
    render_html,
    render_text,
)

__all__ = [
    "FicheLike",
    "KnownFiches",
    "LinkResolver",
    "Rendered",
    "render_fiche",
    "render_html",
    "render_text",
]
