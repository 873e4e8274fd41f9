"""Write src/allo/data/search/synonyms-travail.json from @socialgouv/cdtn-elasticsearch.

The package (Apache-2.0) holds the synonym list the labour ministry's Code du travail numérique
searches with: 166 entries written by its team (« congés payés, cp », « déclaration préalable à
l'embauche, dpae »). The file is kept verbatim; `allo.search.lexicon` reads from it the entries
that spell out an acronym. Run again to refresh (npm must reach the registry):

    python3 scripts/vendor_synonyms.py [VERSION]
"""

from __future__ import annotations

import sys
from pathlib import Path

from vendor_agreements import npm_json, write_vendored

PACKAGE = "@socialgouv/cdtn-elasticsearch"
VERSION = "2.77.13"
PATH = "src/dataset/synonyms/cdtn_synonyms.json"
OUT = Path(__file__).resolve().parents[1] / "src" / "allo" / "data" / "search" / "synonyms-travail.json"


def main(version: str = VERSION) -> None:
    entries = npm_json(PACKAGE, version, PATH)
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise SystemExit(f"{PATH}: a list of strings was expected")
    source = f"npm {PACKAGE}@{version} ({PATH}), Apache-2.0, Code du travail numérique"
    write_vendored(OUT, source, "entries", entries)


if __name__ == "__main__":
    main(*sys.argv[1:2])
