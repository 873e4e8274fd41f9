"""Write src/allo/data/search/agreements.json from the SocialGouv package @socialgouv/kali-data.

The package (Apache-2.0, 175 MB of agreement texts) is the dump of DILA's KALI base that the
labour ministry's Code du travail numérique reads; only its index is kept: each national
collective agreement it follows, with its IDCC number, official title, short title and
Légifrance address. Run again to refresh (npm must reach the registry):

    python3 scripts/vendor_agreements.py [VERSION]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@socialgouv/kali-data"
VERSION = "3.449.0"
OUT = Path(__file__).resolve().parents[1] / "src" / "allo" / "data" / "search" / "agreements.json"


def npm_json(package: str, version: str, path: str) -> Any:
    """One JSON file of an npm package, read from the registry's archive (`npm pack`)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(  # noqa: S603 — a fixed command, the version is a CLI argument
            ["npm", "pack", f"{package}@{version}", "--pack-destination", tmp],  # noqa: S607
            check=True,
            capture_output=True,
        )
        archive = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.extractfile(f"package/{path}")
            if member is None:
                raise SystemExit(f"{path} missing from {package}@{version}")
            return json.load(member)


def main(version: str = VERSION) -> None:
    index = npm_json(PACKAGE, version, "data/index.json")
    agreements = sorted(
        (
            {
                "idcc": str(item["num"]).zfill(4),
                "id": item["id"],
                "title": " ".join(str(item["title"]).split()),
                "short_title": " ".join(str(item["shortTitle"]).split()),
                "url": f"https://www.legifrance.gouv.fr/conv_coll/id/{item['id']}",
            }
            for item in index
        ),
        key=lambda a: a["idcc"],
    )
    source = f"npm {PACKAGE}@{version} (data/index.json), Apache-2.0, from DILA's KALI base"
    write_vendored(OUT, source, "agreements", agreements)


def write_vendored(out: Path, source: str, key: str, items: list[Any]) -> None:
    """The vendored file: where it comes from, and its items (diff-friendly, one per line)."""
    payload = {"source": source, key: items}
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(items)} {key} → {out}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
