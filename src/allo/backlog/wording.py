"""The wording of a question as the backlog keeps and groups it: redacted, folded, short.

Portal queries are only ever stored as this wording (with counts), and gaps from every source are
grouped on it, so « J'ai perdu ma carte grise » and « carte grise perdue » land together.
"""

from __future__ import annotations

import re
from functools import cache

from allo.privacy.redaction import redact
from allo.search.analysis import fold, stop_words, words

MAX_WORDING = 200
_NOT_WORD = re.compile(r"[^a-z0-9\[\]]+")


def stored_wording(text: str) -> str:
    """Redacted, lower-case, accent-free text with single spaces (what a count row keeps)."""
    redacted = redact(" ".join(text.split())[: MAX_WORDING * 2]).text
    return " ".join(_NOT_WORD.sub(" ", fold(redacted)).split())[:MAX_WORDING].strip()


@cache
def _stops() -> frozenset[str]:
    return stop_words()


def grouping_key(text: str) -> str:
    """The significant words of a wording, for comparing two wordings (stop words dropped)."""
    significant = [w for w in words(text) if w not in _stops() and len(w) > 1]
    return " ".join(significant or words(text))
