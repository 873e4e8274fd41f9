"""Sector suggestion accuracy on the development questions, against "always the most frequent sector".

Three settings of the same model (allo.contacts.suggestion):
- words only: the question as the caller says it;
- words + search: plus the first fiches the search engine returns (when `allo.search` is there);
- words + consulted fiche: plus the fiche that answers it (the advisor has found and opened it),
  i.e. the suggestion at escalation time in the real flow.
Fiche themes are read from the real DILA zips in ../shared/data (subject and breadcrumb).

    .venv/bin/python -m bench.contacts_sector
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from collections import Counter
from pathlib import Path

from allo.contacts.suggestion import FicheThemes, suggest_sector
from allo.kb.escalation import load_sheets
from bench.contacts_common import machine_facts

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"
RESULTS = ROOT / "docs" / "benchmarks" / "contacts-sector.md"


def load_fiche_themes(ids: set[str]) -> dict[str, FicheThemes]:
    """Subject and breadcrumb of the wanted fiches, from the DILA XML zips (first audience wins)."""
    found: dict[str, FicheThemes] = {}
    for audience in ("particuliers", "professionnels", "associations"):
        path = SHARED / "data" / f"vosdroits-{audience}.zip"
        if not path.exists():
            continue
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for fiche_id in ids - set(found):
                name = f"{fiche_id}.xml"
                if name not in names:
                    continue
                xml = zf.read(name).decode("utf-8")
                subject = re.search(r"<dc:subject>(.*?)</dc:subject>", xml)
                title = re.search(r"<dc:title>(.*?)</dc:title>", xml)
                trail = re.search(r"<FilDAriane>(.*?)</FilDAriane>", xml, re.S)
                crumbs = re.findall(r"<Niveau[^>]*>(.*?)</Niveau>", trail.group(1)) if trail else []
                found[fiche_id] = FicheThemes(
                    id=fiche_id,
                    subject=subject.group(1) if subject else "",
                    breadcrumb=tuple(crumbs[1:-1]),
                    title=title.group(1) if title else "",
                )
    return found


def main() -> None:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    sheets = load_sheets()
    truth = [r["sector"] for r in rows]
    majority, majority_n = Counter(truth).most_common(1)[0]
    themes = load_fiche_themes({f for r in rows for f in r["expected"]})

    settings: dict[str, list[str]] = {"words": [], "words + consulted fiche": []}
    start = time.perf_counter()
    for r in rows:
        settings["words"].append(suggest_sector(r["question"], sheets=sheets).sector)
        consulted = [themes[f] for f in r["expected"] if f in themes]
        settings["words + consulted fiche"].append(
            suggest_sector(r["question"], consulted, sheets=sheets).sector
        )
    per_query_ms = (time.perf_counter() - start) * 1000 / (2 * len(rows))

    lines = []
    n = len(rows)
    baseline = majority_n / n
    lines.append(f"| baseline: always `{majority}` | {majority_n}/{n} | {baseline:.3f} | 1.00 |")
    confusion: dict[str, Counter[str]] = {}
    for name, predicted in settings.items():
        ok = sum(p == t for p, t in zip(predicted, truth, strict=True))
        lines.append(f"| {name} | {ok}/{n} | {ok / n:.3f} | {ok / n / baseline:.2f} |")
        confusion[name] = Counter(
            f"{t} → {p}" for p, t in zip(predicted, truth, strict=True) if p != t
        )
    report = "\n".join(lines)
    print(report)
    for name, errors in confusion.items():
        print(name, dict(errors.most_common()))

    facts = machine_facts()
    errors_md = "\n".join(
        f"- {name}: " + ", ".join(f"{k} ×{v}" for k, v in errors.most_common())
        for name, errors in confusion.items()
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"""# Sector suggestion accuracy

`.venv/bin/python -m bench.contacts_sector` — {facts}

{n} development questions (`../shared/eval/dev-questions.jsonl`, field `sector`, `aucun` = level 1
keeps it). The model (`allo.contacts.suggestion`) is built from the escalation sheets' vocabulary
and fiche themes (`src/allo/kb/escalation/*.json`); nothing in it is specific to these questions.

| setting | correct | accuracy | × baseline |
|---|---|---|---|
{report}

Mean time per suggestion: {per_query_ms:.2f} ms.

"Words + consulted fiche" is the suggestion at escalation time: the advisor has opened the fiche
that answers the question (its DILA subject and breadcrumb are the fiche evidence).

Errors (truth → suggested):
{errors_md}
"""
    )


if __name__ == "__main__":
    main()
