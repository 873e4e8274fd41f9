"""Rendering every fiche of the full corpus to HTML, in-process: p50/p99 per fiche (target p99 ≤
20 ms), plus the plain-text rendering. Input is what the database holds (the XML body of each
fiche; the sanitised HTML of travail fiches), links resolved against every fiche ID.

Baseline, same run and same fiches: lxml parse + `etree.tostring` of the same XML (the cost of
merely reading and writing the markup back).

    .venv/bin/python -m bench.kb_render
"""

from __future__ import annotations

import gzip
import json
import statistics
import time
import zipfile
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from allo.kb.dila import strip_declaration
from allo.kb.render import KnownFiches
from allo.kb.render.api import render_html, render_text
from allo.kb.travail import parse_travail
from bench.common import DILA_ZIPS, TRAVAIL, machine_facts, percentile
from bench.kb_common import write_section


@dataclass
class Body:
    id: str
    body: str
    body_format: str


def corpus() -> list[Body]:
    """One body per distinct fiche, the particuliers version first (as the importer keeps it)."""
    bodies: dict[str, Body] = {}
    for path in DILA_ZIPS:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                fiche_id = info.filename.rsplit(".", 1)[0]
                if fiche_id not in bodies:
                    xml = strip_declaration(archive.read(info)).decode("utf-8")
                    bodies[fiche_id] = Body(fiche_id, xml, "dila-xml")
    with gzip.open(TRAVAIL) as handle:
        for record in json.load(handle):
            raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
            fields = parse_travail(raw).fields
            bodies[fields["id"]] = Body(fields["id"], fields["body"], "html")
    return list(bodies.values())


def main() -> None:
    fiches = corpus()
    links = KnownFiches({f.id: f.id for f in fiches})
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for fiche in fiches[:200]:  # warm-up
        render_html(fiche, links)
    base: list[float] = []
    html_ms: list[float] = []
    html_cpu_ms: list[float] = []
    text_ms: list[float] = []
    fallbacks: Counter[str] = Counter()
    for fiche in fiches:
        if fiche.body_format == "dila-xml":
            start = time.perf_counter()
            etree.tostring(etree.fromstring(fiche.body.encode("utf-8"), parser))
            base.append((time.perf_counter() - start) * 1000)
        start, cpu = time.perf_counter(), time.thread_time()
        render_html(fiche, links, fallbacks=fallbacks)
        html_ms.append((time.perf_counter() - start) * 1000)
        html_cpu_ms.append((time.thread_time() - cpu) * 1000)
        start = time.perf_counter()
        render_text(fiche, links, fallbacks=fallbacks)
        text_ms.append((time.perf_counter() - start) * 1000)
    # Second pass: the best of 3 runs per fiche, for the render and the baseline alike. On a
    # shared machine a single run also measures the waits for a free core; the minimum of a few
    # runs of the same deterministic work is the usual way to filter them out.
    best_ms: list[float] = []
    best_base: list[float] = []
    for fiche in fiches:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            render_html(fiche, links)
            runs.append((time.perf_counter() - start) * 1000)
        best_ms.append(min(runs))
        if fiche.body_format == "dila-xml":
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                etree.tostring(etree.fromstring(fiche.body.encode("utf-8"), parser))
                runs.append((time.perf_counter() - start) * 1000)
            best_base.append(min(runs))
    slowest = max(zip(html_ms, (f.id for f in fiches), strict=True))
    p99 = percentile(html_ms, 0.99)
    verdict = "✅" if p99 <= 20 else "❌"
    line = (
        f"HTML p50 {percentile(html_ms, 0.5):.2f} ms, p99 {p99:.2f} ms {verdict} "
        f"(CPU p99 {percentile(html_cpu_ms, 0.99):.2f} ms, best-of-3 p99 {percentile(best_ms, 0.99):.2f} ms); text p99 "
        f"{percentile(text_ms, 0.99):.2f} ms; baseline p99 {percentile(base, 0.99):.2f} ms; fallbacks {dict(fallbacks)}"
    )
    print(line)
    write_section(
        "kb_render",
        f"""## Rendering (`bench/kb_render.py`)

Every fiche of the full corpus ({len(fiches)}: 7,180 DILA publications, 269 travail-emploi), each
rendered once in-process after a 200-fiche warm-up; times include parsing the stored body. Run:
{machine_facts()}.

| measure | p50 | p90 | p99 | max | mean |
|---|---|---|---|---|---|
| **HTML rendering** (target p99 ≤ 20 ms: {verdict}) | {percentile(html_ms, 0.5):.2f} ms | {percentile(html_ms, 0.9):.2f} ms | {p99:.2f} ms | {slowest[0]:.1f} ms ({slowest[1]}) | {statistics.fmean(html_ms):.2f} ms |
| HTML rendering, CPU time of the thread (excludes waiting for a core on the shared machine) | {percentile(html_cpu_ms, 0.5):.2f} ms | {percentile(html_cpu_ms, 0.9):.2f} ms | {percentile(html_cpu_ms, 0.99):.2f} ms | {max(html_cpu_ms):.1f} ms | {statistics.fmean(html_cpu_ms):.2f} ms |
| HTML rendering, best of 3 runs per fiche | {percentile(best_ms, 0.5):.2f} ms | {percentile(best_ms, 0.9):.2f} ms | {percentile(best_ms, 0.99):.2f} ms {"✅" if percentile(best_ms, 0.99) <= 20 else "❌"} | {max(best_ms):.1f} ms | {statistics.fmean(best_ms):.2f} ms |
| plain-text rendering | {percentile(text_ms, 0.5):.2f} ms | {percentile(text_ms, 0.9):.2f} ms | {percentile(text_ms, 0.99):.2f} ms | {max(text_ms):.1f} ms | {statistics.fmean(text_ms):.2f} ms |
| baseline: lxml parse + tostring (DILA only) | {percentile(base, 0.5):.2f} ms | {percentile(base, 0.9):.2f} ms | {percentile(base, 0.99):.2f} ms | {max(base):.1f} ms | {statistics.fmean(base):.2f} ms |
| baseline, best of 3 runs | {percentile(best_base, 0.5):.2f} ms | {percentile(best_base, 0.9):.2f} ms | {percentile(best_base, 0.99):.2f} ms | {max(best_base):.1f} ms | {statistics.fmean(best_base):.2f} ms |

HTML p99 / baseline p99: {p99 / percentile(base, 0.99):.1f}× (single run), {percentile(best_ms, 0.99) / percentile(best_base, 0.99):.1f}× (best of 3).
Elements that reached a generic fallback:
{sum(fallbacks.values())}.
""",
    )


if __name__ == "__main__":
    main()
