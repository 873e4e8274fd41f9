"""Missing accents and typos: query words are mapped onto the words the fiches actually use.

The vocabulary knows every content word of the corpus as written (with its accents) and in how
many fiches it occurs. A query word typed without accents is read as its most frequent accented
form ("conge" → "congé"); a word the fiches never use is corrected to the most frequent known
words within a small edit distance ("licensiement" → "licenciement"), the distance growing with
the word's length. Real words the corpus knows are never "corrected".
"""

from __future__ import annotations

import bisect
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import OSA

from allo.search.analysis import fold


def max_edits(word: str) -> int:
    if len(word) < 5:
        return 0
    return 1 if len(word) < 10 else 2


class Vocabulary:
    def __init__(self, surface_counts: Counter[str], min_count: int = 2) -> None:
        """`surface_counts`: document frequency of each lower-cased word as written."""
        folded_counts: Counter[str] = Counter()
        best: dict[str, tuple[int, str]] = {}
        for surface, count in surface_counts.items():
            if count <= 0:
                continue
            folded = fold(surface)
            folded_counts[folded] += count
            if count > best.get(folded, (0, ""))[0]:
                best[folded] = (count, surface)
        #: folded word → document frequency (all its written forms)
        self.counts = {w: c for w, c in folded_counts.items() if c >= min_count and w.isalpha()}
        #: folded word → its most frequent written form
        self.canonical = {w: s for w, (_c, s) in best.items()}
        # Candidates share the first or the second letter of the typed word and have a close
        # length: ten times fewer comparisons than the whole length bucket (typos in both of
        # the first two letters are not corrected).
        self._buckets: dict[tuple[int, int, str], list[str]] = {}
        for word in self.counts:
            for position in (0, 1):
                if len(word) > position:
                    key = (len(word), position, word[position])
                    self._buckets.setdefault(key, []).append(word)

        #: known words in order, for completions of a truncated word
        self._sorted = sorted(self.counts)

    def __contains__(self, folded_word: str) -> bool:
        return folded_word in self.canonical

    def __len__(self) -> int:
        return len(self.counts)

    def accented(self, word: str) -> str:
        """The written form the fiches use for a word typed without accents (or the word itself)."""
        if not word.isascii():
            return word
        return self.canonical.get(word, word)

    def completions(self, folded_word: str, limit: int = 3, min_length: int = 3) -> list[str]:
        """Written forms of the most frequent known words that begin with a word the fiches never
        use ("conv" → "conventionnelle", "alloc" → "allocation"): people truncate what they type.
        Learnt from the vocabulary only; a word the fiches use is never completed."""
        if (
            len(folded_word) < min_length
            or folded_word in self.canonical
            or not folded_word.isalpha()
        ):
            return []
        words = self._sorted
        start = bisect.bisect_left(words, folded_word)
        end = bisect.bisect_left(words, folded_word + "\uffff")
        found = sorted(words[start:end], key=lambda w: (-self.counts[w], w))[:limit]
        return [self.canonical[w] for w in found]

    def corrections(self, folded_word: str, limit: int = 2) -> list[str]:
        """Written forms of the most frequent known words within the allowed edit distance."""
        edits = max_edits(folded_word)
        if edits == 0 or folded_word in self.canonical or not folded_word.isalpha():
            return []
        pool: set[str] = set()
        for length in range(len(folded_word) - edits, len(folded_word) + edits + 1):
            for position in (0, 1):
                pool.update(self._buckets.get((length, position, folded_word[position]), ()))
        if not pool:
            return []
        candidates = [
            (int(distance), -self.counts[match], match)
            for match, distance, _i in process.extract(
                folded_word, list(pool), scorer=OSA.distance, score_cutoff=edits, limit=16
            )
        ]
        candidates.sort()
        return [self.canonical[w] for _d, _c, w in candidates[:limit]]
