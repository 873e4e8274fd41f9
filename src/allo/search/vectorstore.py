"""Document vectors read from the database (table `search_vector`), one set per model.

Replaces the per-machine file cache: vectors are computed once — by `allo kb import`, `allo search
reindex` or whoever calls `allo.search.services.compute_missing_vectors` — and every process,
on every node, reads them. The vectors shipped for the bundled sample and a file cache left by
an older Allo are read-only layers underneath, so nothing computed before is computed again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.search import repository
from allo.search.embcache import BUNDLED_DIR, file_name, read_npz, text_key


def encode(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def decode(raw: bytes, dim: int) -> np.ndarray | None:
    """The stored float16 vector as float32; None when the row does not fit the model."""
    if len(raw) != 2 * dim:
        return None
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)


class VectorStore:
    """The same interface as `EmbeddingCache` (key, lookup, ensure), backed by the database."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        model: str,
        dim: int,
        *,
        layers: Sequence[Path] = (),
    ) -> None:
        #: sessions that may write (the background embedding of a web worker stores its work)
        self.sessions = sessions
        self.model = model
        self.dim = dim
        #: read-only files under the database: the shipped sample, an older file cache
        self.layers = list(layers)
        self._layer_entries: dict[bytes, np.ndarray] | None = None
        self._layer_lock = threading.Lock()

    def _layer(self) -> dict[bytes, np.ndarray]:
        with self._layer_lock:
            if self._layer_entries is None:
                entries: dict[bytes, np.ndarray] = {}
                for path in self.layers:
                    for k, v in read_npz(path).items():
                        if v.shape == (self.dim,):
                            entries.setdefault(k, v)
                self._layer_entries = entries
            return self._layer_entries

    def key(self, text: str) -> bytes:
        return text_key(self.model, text)

    def lookup(self, keys: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        keys = list(keys)
        found: dict[bytes, np.ndarray] = {}
        with self.sessions() as session:
            for hex_key, raw in repository.stored_vectors(session, (k.hex() for k in keys)).items():
                vector = decode(raw, self.dim)
                if vector is not None:
                    found[bytes.fromhex(hex_key)] = vector
        rest = [k for k in keys if k not in found]
        if rest and self.layers:
            layer = self._layer()
            found.update({k: layer[k].astype(np.float32) for k in rest if k in layer})
        return found

    def ensure(
        self,
        texts: Sequence[str],
        embed: Callable[[Sequence[str]], np.ndarray],
        batch: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[bytes, np.ndarray]:
        """Vectors for all texts, embedding (and storing, one commit per batch) only the missing.

        Rows are inserted "if absent", so two workers embedding the same fiche never conflict.
        """
        keys = [self.key(t) for t in texts]
        found = self.lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = embed([texts[i] for i in chunk])
            new = {keys[i]: vectors[j] for j, i in enumerate(chunk)}
            with unit_of_work(self.sessions) as session:
                repository.add_vectors(
                    session, self.model, self.dim, {k.hex(): encode(v) for k, v in new.items()}
                )
            found.update(new)
            if progress is not None:
                progress(min(start + batch, len(missing)), len(missing))
        return found


def file_layers(legacy_directory: Path, model: str) -> list[Path]:
    """The shipped vectors of the sample, then the file cache of an older Allo, if any."""
    return [BUNDLED_DIR / file_name(model), legacy_directory / file_name(model)]
