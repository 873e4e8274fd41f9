"""Suggestions as you type: fiche titles and known questions whose words start with what is typed.

Every typed word but the last must be a word of the title, in the singular or the plural
("carte grise" finds "Cartes grises…"); the last one may be a beginning ("carte gr" → "Carte
grise…", "Certificat d'immatriculation (carte grise)"). Titles that start
with the typed text come first. Lookups are set intersections and bisections: a few hundred
microseconds for any prefix.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from allo.search.analysis import fold, stop_words, words
from allo.search.query import normalize_query

#: Kinds shown first when two suggestions are otherwise equal (answers before dossiers).
KIND_RANK = {"fiche": 0, "question": 0, "comment-faire": 1, "dossier": 2}
#: A single typed word shorter than this only matches titles that start with it.
MIN_FREE_PREFIX = 3


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str
    kind: str
    audiences: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class _Entry:
    suggestion: Suggestion
    folded: str
    words: tuple[str, ...]


class Suggester:
    def __init__(self, suggestions: Iterable[Suggestion]) -> None:
        self._entries: list[_Entry] = []
        seen: set[tuple[str, str]] = set()
        for s in suggestions:
            folded = " ".join(words(s.title))
            if not folded or (s.id, folded) in seen:
                continue
            seen.add((s.id, folded))
            self._entries.append(_Entry(s, folded, tuple(folded.split())))
        self._postings: dict[str, set[int]] = {}
        for i, entry in enumerate(self._entries):
            for w in entry.words:
                self._postings.setdefault(w, set()).add(i)
        self._vocabulary = sorted(self._postings)
        self._by_title = sorted(range(len(self._entries)), key=lambda i: self._entries[i].folded)
        self._titles = [self._entries[i].folded for i in self._by_title]
        self._stops = stop_words()

    def __len__(self) -> int:
        return len(self._entries)

    def _words_with_prefix(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self._vocabulary, prefix)
        hi = bisect.bisect_left(self._vocabulary, prefix + "\x7f")
        return self._vocabulary[lo:hi]

    def _word_postings(self, word: str) -> set[int]:
        """Titles holding `word` in the singular or in the plural: people type « congé payé »
        for « Congés payés ». Only the regular plurals in -s and -x (jeu / jeux), which never
        surprise. Read only: it may be the index's own set."""
        forms = {word, word + "s", word + "x"}
        if len(word) > 3 and word[-1] in "sx":
            forms.add(word[:-1])
        found = [self._postings[form] for form in forms if form in self._postings]
        # One form in the titles (the usual case): its postings as they are, no copy per keystroke.
        return found[0] if len(found) == 1 else set().union(*found)

    def _title_prefix(self, typed: str, limit: int) -> list[int]:
        lo = bisect.bisect_left(self._titles, typed)
        out = []
        for pos in range(lo, min(lo + limit * 20, len(self._titles))):
            if not self._titles[pos].startswith(typed):
                break
            out.append(self._by_title[pos])
        return out

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        raw = text[:200]
        typed_words = words(normalize_query(raw))
        if not typed_words or limit <= 0:
            return []
        typed = " ".join(typed_words)
        # "carte " (a space typed after the word) means the word is complete; "carte" may go on.
        complete = not fold(raw[-1]).isalnum()
        last = None if complete else typed_words[-1]
        whole = [w for w in (typed_words if complete else typed_words[:-1]) if w not in self._stops]
        candidates: set[int] | None = None
        if not whole and (last is None or len(last) < MIN_FREE_PREFIX):
            # only stop words ("peut-on ") or one short beginning ("ca"): titles starting so
            candidates = set(self._title_prefix(typed, limit))
        else:
            for postings in sorted((self._word_postings(w) for w in set(whole)), key=len):
                candidates = set(postings) if candidates is None else candidates & postings
                if not candidates:
                    return []
            if last is not None:
                if candidates is None:
                    candidates = set()
                    for w in self._words_with_prefix(last):
                        candidates |= self._postings[w]
                else:
                    candidates = {
                        i
                        for i in candidates
                        if any(w.startswith(last) for w in self._entries[i].words)
                    }
            candidates = candidates or set()
        entries = self._entries

        def rank(i: int) -> tuple[int, int, int, int, str]:
            entry = entries[i]
            first = next((p for p, w in enumerate(entry.words) if w.startswith(typed_words[0])), 99)
            return (
                0 if entry.folded.startswith(typed) else 1,
                first,
                KIND_RANK.get(entry.suggestion.kind, 3),
                len(entry.folded),
                entry.folded,
            )

        out: list[Suggestion] = []
        shown: set[str] = set()
        # Same title under two ids (one per audience in the source): shown once.
        for i in heapq.nsmallest(limit * 2, candidates, key=rank):
            if entries[i].folded not in shown:
                shown.add(entries[i].folded)
                out.append(entries[i].suggestion)
        return out[:limit]
