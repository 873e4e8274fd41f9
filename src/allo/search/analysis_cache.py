"""Analysed documents kept on disk by fingerprint, so a new worker or a CLI command rebuilds the
index without analysing 26 MB of French again (the bulk of a cold build; docs/SEARCH.md).

One JSON file under `<home>/search/`: each document's analysis by fingerprint, and the word
counts of the whole set (valid only for exactly that set of fingerprints). Its name carries a
version of the analysis (code and stop words), so a change of analysis never reads stale terms.
It is only a cache: unreadable means empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from allo.search.analysis import DATA_DIR
from allo.search.index import TEXT_FIELDS, Analyzed

#: Bump when the analysis code changes in a way that changes terms.
ANALYSIS_VERSION = 8


@dataclass
class Cached:
    analyses: dict[str, Analyzed] = field(default_factory=dict)
    #: key of the set of fingerprints `counts` were computed for
    counts_key: str = ""
    counts: Counter[str] | None = None

    def counts_for(self, fingerprints: Iterable[str]) -> Counter[str] | None:
        return self.counts if self.counts_key and set_key(fingerprints) == self.counts_key else None


def set_key(fingerprints: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for fingerprint in sorted(fingerprints):
        digest.update(fingerprint.encode("ascii"))
    return digest.hexdigest()


def _version() -> str:
    digest = hashlib.sha256()
    digest.update(f"{ANALYSIS_VERSION}:{','.join(TEXT_FIELDS)}".encode())
    digest.update((DATA_DIR / "stopwords.txt").read_bytes())
    return digest.hexdigest()[:16]


def cache_path(directory: Path) -> Path:
    return directory / f"analysis-{_version()}.json"


def load(path: Path | None) -> Cached:
    if path is None:
        return Cached()
    try:
        raw = json.loads(path.read_text("utf-8"))
        n = len(TEXT_FIELDS)
        analyses = {
            fp: Analyzed(tuple(entry[:n]), entry[n], entry[n + 1])
            for fp, entry in raw["documents"].items()
        }
        counts = raw.get("counts") or {}
        return Cached(analyses, str(counts.get("key", "")), Counter(counts.get("words", {})))
    except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError):
        return Cached()


def save(path: Path, analyses: dict[str, Analyzed], counts: Counter[str]) -> None:
    """Write atomically (several workers may save at once; the last complete file wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "documents": {fp: [*a.fields, a.words, a.exact] for fp, a in analyses.items()},
        "counts": {"key": set_key(analyses), "words": {w: c for w, c in counts.items() if c > 0}},
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=True, separators=(",", ":")), "utf-8")
    tmp.replace(path)
