"""Document embeddings computed once, kept on disk, keyed by model name + sha256 of the text.

One `.npz` file per model under `<home>/search/embeddings/` (float16: 0.8 KB per fiche), written
atomically; a second, read-only layer ships with the package for the bundled sample, so a first
start needs no embedding work. Several workers share the file: whoever embeds holds an advisory
lock, and the others wait for it and then find the vectors already there.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from allo.search.analysis import DATA_DIR

BUNDLED_DIR = DATA_DIR
KEY_BYTES = 32


def text_key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\n{text}".encode()).digest()


def file_name(model: str) -> str:
    return "embeddings-" + re.sub(r"[^A-Za-z0-9.-]+", "_", model) + ".npz"


def read_npz(path: Path) -> dict[bytes, np.ndarray]:
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError):
        return {}  # a damaged cache is only a cache: it is rebuilt
    if keys.ndim != 2 or keys.shape[1] != KEY_BYTES or len(keys) != len(vectors):
        return {}
    return {keys[i].tobytes(): vectors[i] for i in range(len(keys))}


def write_npz(path: Path, entries: dict[bytes, np.ndarray], dim: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Raw digests as a (n, 32) uint8 array: a bytes dtype ("S32") would drop trailing NULs.
    keys = np.frombuffer(b"".join(entries), dtype=np.uint8).reshape(-1, KEY_BYTES)
    vectors = (
        np.stack(list(entries.values())).astype(np.float16)
        if entries
        else np.zeros((0, dim), dtype=np.float16)
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("wb") as fh:
        np.savez(fh, keys=keys, vectors=vectors)
    tmp.replace(path)


class EmbeddingCache:
    def __init__(self, directory: Path, model: str, dim: int, bundled: Path | None = None) -> None:
        self.model = model
        self.dim = dim
        self.path = directory / file_name(model)
        self.bundled_path = (bundled or BUNDLED_DIR) / file_name(model)
        self._entries: dict[bytes, np.ndarray] | None = None
        self._mtime: float | None = None

    def key(self, text: str) -> bytes:
        return text_key(self.model, text)

    def _load(self) -> dict[bytes, np.ndarray]:
        mtime = self.path.stat().st_mtime if self.path.exists() else None
        if self._entries is None or mtime != self._mtime:
            entries = read_npz(self.bundled_path)
            entries.update(read_npz(self.path))
            self._entries, self._mtime = entries, mtime
        return self._entries

    def lookup(self, keys: Iterable[bytes]) -> dict[bytes, np.ndarray]:
        entries = self._load()
        return {k: entries[k] for k in keys if k in entries}

    def store(self, new: dict[bytes, np.ndarray]) -> None:
        """Merge vectors into the on-disk cache (call while holding `exclusive()`)."""
        if not new:
            return
        on_disk = read_npz(self.path)
        on_disk.update({k: np.asarray(v, dtype=np.float16) for k, v in new.items()})
        write_npz(self.path, on_disk, self.dim)
        self._entries = None

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Across processes: one embedder at a time, the others wait then reuse its work."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(".lock")
        with lock_path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure(
        self,
        texts: Sequence[str],
        embed: object,
        batch: int = 64,
        progress: object = None,
    ) -> dict[bytes, np.ndarray]:
        """Vectors for all texts, embedding (and storing) only those not cached yet."""
        keys = [self.key(t) for t in texts]
        found = self.lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if not missing:
            return found
        with self.exclusive():
            found = self.lookup(keys)  # another process may have embedded them meanwhile
            missing = [i for i, k in enumerate(keys) if k not in found]
            for start in range(0, len(missing), batch):
                chunk = missing[start : start + batch]
                vectors = embed([texts[i] for i in chunk])  # type: ignore[operator]
                new = {keys[i]: vectors[j] for j, i in enumerate(chunk)}
                self.store(new)
                found.update(new)
                if progress is not None:
                    progress(min(start + batch, len(missing)), len(missing))  # type: ignore[operator]
        return found
