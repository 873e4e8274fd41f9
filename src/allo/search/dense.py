"""The dense side: one matrix of document vectors per process, scored by a dot product.

~4,000 fiches × 384 floats is 6 MB and a full scan takes well under a millisecond, so there
is no approximate index: every document is scored exactly.
"""

from __future__ import annotations

import threading

import numpy as np


class DenseIndex:
    def __init__(self, dim: int, capacity: int = 0) -> None:
        self.dim = dim
        self.vectors = np.zeros((capacity, dim), dtype=np.float32)
        #: which rows hold a vector (a fiche not embedded yet is scored by the lexical side only)
        self.present = np.zeros(capacity, dtype=bool)
        self._lock = threading.Lock()

    def _grow(self, size: int) -> None:
        if size <= len(self.present):
            return
        capacity = max(size, int(len(self.present) * 1.5) + 16)
        vectors = np.zeros((capacity, self.dim), dtype=np.float32)
        vectors[: len(self.vectors)] = self.vectors
        present = np.zeros(capacity, dtype=bool)
        present[: len(self.present)] = self.present
        self.vectors = vectors  # bigger vectors first: readers take min(len(vectors), len(present))
        self.present = present

    def set(self, ord_: int, vector: np.ndarray) -> None:
        with self._lock:  # the refresh and the background embedding may both write
            self._grow(ord_ + 1)
            self.vectors[ord_] = vector
            self.present[ord_] = True

    def has(self, ord_: int) -> bool:
        return ord_ < len(self.present) and bool(self.present[ord_])

    def clear(self, ord_: int) -> None:
        if ord_ < len(self.present):
            self.present[ord_] = False

    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top-k (ord, cosine) among present rows allowed by `mask`."""
        # One snapshot of both arrays: a background embedding may grow them meanwhile.
        vectors, present = self.vectors, self.present
        n = min(len(vectors), len(present))
        if n == 0 or k <= 0:
            return []
        # einsum runs in this thread; `@` goes through OpenBLAS, whose worker threads keep
        # spinning after the call and, on a busy machine, made this 10× slower (measured).
        scores = np.einsum("ij,j->i", vectors[:n], query.astype(np.float32, copy=False))
        allowed = present[:n]
        if mask is not None:
            padded = np.zeros(n, dtype=bool)
            padded[: min(n, len(mask))] = mask[:n]
            allowed = allowed & padded
        scores = np.where(allowed, scores, -np.inf)
        k = min(k, int(allowed.sum()))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top]
