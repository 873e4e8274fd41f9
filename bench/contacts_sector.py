"""Sector suggestion accuracy on the development questions, against "always the most frequent sector".

Three settings of the same model (allo.contacts.suggestion):
- words only: the question as the caller says it;
- words + search: plus the first fiches the search engine returns (when `allo.search` is there);
- words + consulted fiche: plus the fiche that answers it (the advisor has found and opened it),
  i.e. the suggestion at escalation time in the real flow.
Fiche themes (subject and breadcrumb) come from the full real corpus of ../shared/data, imported
once into a cached database under the temporary directory.

    .venv/bin/python -m bench.contacts_sector
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from allo.contacts import reading, repository
from allo.contacts.fiche_search import search_function
from allo.contacts.suggestion import suggest_sector
from allo.db.migrate import upgrade
from allo.db.session import unit_of_work
from allo.kb.escalation import load_sheets
from allo.kb.services import import_paths
from allo.runtime import Runtime
from allo.settings import Settings
from bench.common import machine_facts

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUESTIONS = SHARED / "eval" / "dev-questions.jsonl"
RESULTS = ROOT / "docs" / "benchmarks" / "contacts-sector.md"
CACHE = Path(tempfile.gettempdir()) / "allo-bench-contacts-corpus"
CORPUS = (
    "vosdroits-particuliers.zip",
    "vosdroits-professionnels.zip",
    "vosdroits-associations.zip",
    "fiches-travail.json.gz",
)


def corpus_runtime(home: Path) -> Runtime:
    """A database with the full real corpus (4 DILA + travail sources), imported once and cached."""
    settings = Settings.from_env({"ALLO_HOME": str(home), "ALLO_EMBEDDER": "none"})
    runtime = Runtime.from_settings(settings)
    upgrade(runtime.engine)
    with unit_of_work(runtime.sessions) as session:
        if repository.count_fiches(session) == 0:
            start = time.perf_counter()
            import_paths(session, [SHARED / "data" / name for name in CORPUS], workers=1)
            print(f"corpus imported in {time.perf_counter() - start:.0f} s (cached in {home})")
    return runtime


def main() -> None:
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    sheets = load_sheets()
    truth = [r["sector"] for r in rows]
    majority, majority_n = Counter(truth).most_common(1)[0]
    runtime = corpus_runtime(CACHE)
    search = search_function(runtime)

    settings: dict[str, list[str]] = {"words": []}
    if search is not None:
        settings["words + search (top 3, lexical)"] = []
    settings["words + consulted fiche"] = []
    timings: list[float] = []
    with unit_of_work(runtime.read_sessions) as session:
        for r in rows:
            start = time.perf_counter()
            settings["words"].append(suggest_sector(r["question"], sheets=sheets).sector)
            timings.append(time.perf_counter() - start)
            if search is not None:
                found = reading.fiche_themes(session, list(search(r["question"], 3)))
                settings["words + search (top 3, lexical)"].append(
                    suggest_sector(r["question"], found, sheets=sheets).sector
                )
            consulted = reading.fiche_themes(session, r["expected"])
            settings["words + consulted fiche"].append(
                suggest_sector(r["question"], consulted, sheets=sheets).sector
            )
    per_query_ms = sum(timings) * 1000 / len(timings)

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

Mean time per suggestion (words only): {per_query_ms:.2f} ms.

- "words + search" adds the themes (subject, breadcrumb) of the first three fiches the search
  service returns (lexical engine, `ALLO_EMBEDDER=none`), i.e. the suggestion before the advisor
  has opened anything;
- "words + consulted fiche" is the suggestion at escalation time: the advisor has opened the
  fiche that answers the question.

Honesty note: the sheets' vocabulary was written from the seed's table of sectors and from the
DILA themes, by someone who had read these 57 questions; expect lower figures on held-out
questions. The model has no rule for any individual question.

Errors (truth → suggested):
{errors_md}
"""
    )


if __name__ == "__main__":
    main()
