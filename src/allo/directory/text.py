"""Folding of French place and type names, so that loosely typed input meets the official spelling.

"St-Étienne", "saint etienne" and "SAINT-ÉTIENNE" all fold to "saint etienne".
"""

from __future__ import annotations

import re
import unicodedata

_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "mt": "mont",
    "s": "sur",
}
_LEADING_ARTICLES = ("le", "la", "les", "l")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "’": " ",
        "‘": " ",
        "«": " ",
        "»": " ",
        "–": " ",
        "—": " ",
        "\xa0": " ",
    }
)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    # Combining accents are not ASCII: dropping non-ASCII drops them (and any exotic symbol).
    return decomposed.encode("ascii", "ignore").decode("ascii")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by one space, common abbreviations expanded."""
    words = _NON_WORD.sub(" ", strip_accents(text).lower()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) if len(words) > 1 else w for w in words)


def without_article(folded: str) -> str | None:
    """ "le havre" → "havre": people often drop the article of a commune's name."""
    head, _, rest = folded.partition(" ")
    if head in _LEADING_ARTICLES and rest:
        return rest
    return None
