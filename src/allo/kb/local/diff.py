"""Readable word diffs: what an editor reviews between two versions, or of an adapted source."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

_TOKENS = re.compile(r"\w+|[^\w\s]|\s+")


@dataclass(frozen=True)
class WordDiff:
    """A text diff as runs of ("=", "+", "-", text)."""

    runs: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return any(op != "=" for op, _ in self.runs)

    @property
    def added(self) -> int:
        return sum(len(t.split()) for op, t in self.runs if op == "+")

    @property
    def removed(self) -> int:
        return sum(len(t.split()) for op, t in self.runs if op == "-")

    def html(self) -> Markup:
        """`<ins>` / `<del>` marked text (escaped), newlines kept as line breaks."""
        parts = []
        for op, text in self.runs:
            safe = escape(text).replace("\n", "<br>\n")
            if op == "+":
                parts.append(f'<ins class="allo-diff__ins">{safe}</ins>')
            elif op == "-":
                parts.append(f'<del class="allo-diff__del">{safe}</del>')
            else:
                parts.append(safe)
        return Markup("".join(parts))  # noqa: S704 — every piece is escaped above

    def as_json(self) -> list[dict[str, str]]:
        return [{"op": op, "text": text} for op, text in self.runs]


def word_diff(before: str, after: str) -> WordDiff:
    """Words added and removed from `before` to `after` (whitespace kept with the words)."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("=", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", "".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("+", "".join(new[j1:j2])))
    return WordDiff(runs)
