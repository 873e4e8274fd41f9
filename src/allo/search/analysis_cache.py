"""Analysed documents kept on disk by fingerprint, so a new worker or a CLI command rebuilds the
index without analysing 26 MB of French again (the bulk of a cold build; docs/SEARCH.md).

One JSON file under `<home>/search/`; its name carries a version of the analysis (code and stop
words), so a change of analysis never reads stale terms. It is only a cache: unreadable means
empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from allo.search.analysis import DATA_DIR
from allo.search.index import TEXT_FIELDS, Analyzed

#: Bump when the analysis code changes in a way that changes terms.
ANALYSIS_VERSION = 3


def _version() -> str:
    digest = hashlib.sha256()
    digest.update(f"{ANALYSIS_VERSION}:{','.join(TEXT_FIELDS)}".encode())
    digest.update((DATA_DIR / "stopwords.txt").read_bytes())
    return digest.hexdigest()[:16]


def cache_path(directory: Path) -> Path:
    return directory / f"analysis-{_version()}.json"


def load(path: Path) -> dict[str, Analyzed]:
    try:
        raw = json.loads(path.read_text("utf-8"))
        return {
            fp: Analyzed(tuple(entry[: len(TEXT_FIELDS)]), tuple(entry[len(TEXT_FIELDS)].split()))
            for fp, entry in raw.items()
        }
    except (OSError, ValueError, TypeError, IndexError, AttributeError):
        return {}


def save(path: Path, analyses: dict[str, Analyzed]) -> None:
    """Write atomically (several workers may save at once; the last complete file wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {fp: [*a.fields, " ".join(a.words)] for fp, a in analyses.items()}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(payload, ensure_ascii=True, separators=(",", ":")), "utf-8")
    tmp.replace(path)
