"""Build the bundled knowledge-base sample (src/allo/data/kb/) from the full official exports.

    .venv/bin/python scripts/make_kb_sample.py [--data ../shared/data] [--dest src/allo/data/kb]

Selection (documented in docs/DATA.md): every publication under a few themes that matter for the
3939 (whole themes Papiers - Citoyenneté, Travail, Logement, Famille, Justice, Argent; from
Transports the dossiers Carte grise and Permis de conduire), every fiche the dev question set
expects and the publications those link to, the ancestors (themes, dossiers) every selected
publication's breadcrumb needs, from the particuliers export (the professionnels or associations
one for a publication that only they hold); plus every travail-emploi fiche. DILA files are kept byte for byte in a solid tar.xz (the XML compresses far better
together than one by one); the travail JSON is re-compressed with xz, records unchanged.
Output is deterministic (sorted names, fixed timestamps), so re-running gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import lzma
import sys
import tarfile
import zipfile
from pathlib import Path

from lxml import etree

THEMES = {
    "N19810": "Papiers - Citoyenneté",
    "N19806": "Travail",
    "N19808": "Logement",
    "N19805": "Famille",
    "N19807": "Justice",
    "N19803": "Argent",
}
EXTRA_DOSSIERS = {"N367": "Carte grise", "N530": "Permis de conduire"}
ROOT = Path(__file__).resolve().parents[1]


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _children(root: etree._Element) -> set[str]:
    """IDs a theme or dossier lists as its content."""
    found = set()
    for path in ("SousTheme/Dossier", "Dossier", "SousDossier/Fiche", "Fiche"):
        found.update(el.get("ID", "") for el in root.iterfind(path))
    return {i for i in found if i}


def _links(root: etree._Element) -> set[str]:
    found = {el.get("LienPublication", "") for el in root.iter("LienInterne")}
    for path in ("QuestionReponse", "VoirAussi/*", "FicheLiee", "CommentFaireSi"):
        found.update(el.get("ID", "") for el in root.iterfind(path))
    found.update(el.get("ID", "") for el in root.iter("ServiceEnLigne"))
    return {i for i in found if i}


def _ancestors(root: etree._Element) -> set[str]:
    ids = {el.get("ID", "") for el in root.iterfind("FilDAriane/Niveau")}
    return {i for i in ids if i[:1] in ("N", "F")}


def select(files: dict[str, bytes], expected: set[str]) -> set[str]:
    roots = {name: _parse(data) for name, data in files.items()}
    chosen: set[str] = set()
    frontier = set(THEMES) | set(EXTRA_DOSSIERS)
    # 1. whole themes: theme → dossiers → fiches (the extra dossiers without their theme)
    while frontier:
        current = frontier.pop()
        if current in chosen or current not in roots:
            continue
        chosen.add(current)
        if current.startswith("N"):
            frontier |= _children(roots[current]) - chosen
    # 2. the fiches the dev questions expect, and what they link to
    for fiche_id in expected:
        if fiche_id in roots:
            chosen.add(fiche_id)
            chosen |= {i for i in _links(roots[fiche_id]) if i in roots}
    # 3. breadcrumb ancestors of everything chosen
    for fiche_id in list(chosen):
        chosen |= {i for i in _ancestors(roots[fiche_id]) if i in roots}
    return chosen


def _tar_xz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(members):
            info = tarfile.TarInfo(name)
            info.size = len(members[name])
            info.mtime = 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(members[name]))
    return lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--dest", type=Path, default=ROOT / "src" / "allo" / "data" / "kb")
    parser.add_argument(
        "--questions",
        type=Path,
        default=ROOT.parent / "shared" / "eval" / "dev-questions.jsonl",
    )
    args = parser.parse_args()
    expected: set[str] = set()
    if args.questions.exists():
        for line in args.questions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                expected.update(json.loads(line)["expected"])
    files: dict[str, bytes] = {}
    feed_of: dict[str, str] = {}
    # particuliers first: a publication exported for several audiences is taken from there
    for feed in ("particuliers", "professionnels", "associations"):
        with zipfile.ZipFile(args.data / f"vosdroits-{feed}.zip") as archive:
            for info in archive.infolist():
                fiche_id = Path(info.filename).stem
                if info.filename.endswith(".xml") and fiche_id not in files:
                    files[fiche_id] = archive.read(info)
                    feed_of[fiche_id] = feed
    chosen = select(files, expected)
    missing = sorted(i for i in expected if i not in chosen)
    if missing:
        raise SystemExit(f"expected fiches missing from the export: {missing}")
    args.dest.mkdir(parents=True, exist_ok=True)
    dila = _tar_xz({f"{feed_of[i]}/{i}.xml": files[i] for i in chosen})
    (args.dest / "vosdroits-echantillon.tar.xz").write_bytes(dila)
    with gzip.open(args.data / "fiches-travail.json.gz", "rb") as handle:
        travail = json.loads(handle.read())
    payload = json.dumps(travail, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    (args.dest / "fiches-travail.json.xz").write_bytes(
        lzma.compress(payload, preset=9 | lzma.PRESET_EXTREME)
    )
    kinds = {p: sum(1 for i in chosen if i.startswith(p)) for p in "FNR"}
    sys.stdout.write(
        f"{len(chosen)} DILA publications {kinds} → {len(dila) / 1e6:.2f} MB; "
        f"{len(travail)} travail fiches → "
        f"{(args.dest / 'fiches-travail.json.xz').stat().st_size / 1e6:.2f} MB\n"
    )


if __name__ == "__main__":
    main()
