"""Missing accents and typos: query words are mapped onto the words the fiches actually use.

The vocabulary knows every content word of the corpus as written (with its accents) and in how
many fiches it occurs. A query word typed without accents is read as its most frequent accented
form ("conge" → "congé"); a word the fiches never use is corrected to the most frequent known
words within a small edit distance ("licensiement" → "licenciement"), the distance growing with
the word's length. Real words the corpus knows are never "corrected".
"""

from __future__ import annotations

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
        self._by_length: dict[int, list[str]] = {}
        for word in self.counts:
            self._by_length.setdefault(len(word), []).append(word)

    def __contains__(self, folded_word: str) -> bool:
        return folded_word in self.canonical

    def __len__(self) -> int:
        return len(self.counts)

    def accented(self, word: str) -> str:
        """The written form the fiches use for a word typed without accents (or the word itself)."""
        if not word.isascii():
            return word
        return self.canonical.get(word, word)

    def corrections(self, folded_word: str, limit: int = 2) -> list[str]:
        """Written forms of the most frequent known words within the allowed edit distance."""
        edits = max_edits(folded_word)
        if edits == 0 or folded_word in self.canonical or not folded_word.isalpha():
            return []
        candidates: list[tuple[int, int, str]] = []
        for length in range(len(folded_word) - edits, len(folded_word) + edits + 1):
            bucket = self._by_length.get(length)
            if not bucket:
                continue
            for match, distance, _i in process.extract(
                folded_word, bucket, scorer=OSA.distance, score_cutoff=edits, limit=8
            ):
                candidates.append((int(distance), -self.counts[match], match))
        candidates.sort()
        return [self.canonical[w] for _d, _c, w in candidates[:limit]]
