"""Local fiches: the editor's preview render and the delay from « Publier » to findable.

1. Preview render (target p95 ≤ 50 ms for a 20,000-character fiche): what `POST /redaction/apercu`
   runs — Markdown with the DILA blocks → allowlist-sanitised HTML → DSFR layout — on a body of
   real French text (the bundled official fiches' plain text) laid out in every kind of block
   editors use: headings, lists, situations (tabs, one holding cases), cases (accordions), the
   three callouts, tables and fiche links. It runs in a process that has built the web app, as a
   worker has, twice: with the heap as it is after start-up (what workers did until now: each full
   garbage collection walks every module, schema and index, the p95's pause) and after
   `freeze_heap()`, what `allo serve` workers now do once warmed up. Baseline, same run and body:
   markdown-it's plain CommonMark render of the same text (no plugins, no sanitising, no layout).
2. Publish to findable: a fresh SQLite database with the bundled data; one process holds two
   search services built on it (the publishing worker's and "another worker's", which serves a
   search every 50 ms, as a busy worker does, and so follows the knowledge base's version at its
   usual check interval). Each round waits a random part of that interval, then writes, submits and publishes (second editor) a fiche with
   a unique word, commits, and times until the other worker's search finds it. Baseline: the
   cost of one forced index refresh with nothing changed.

Single process and SQLite; the issue's figure (4 workers of `allo serve` on PostgreSQL, through
HTTP) is measured by `bench/editorial_publish.py`.

    .venv/bin/python -m bench.editorial [--rounds 12]
"""

from __future__ import annotations

import argparse
import gc
import random
import tarfile
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from markdown_it import MarkdownIt

from allo.bootstrap import initialize
from allo.contacts import agents as agents_domain
from allo.db.session import unit_of_work
from allo.kb import services as kb
from allo.kb.dila import strip_declaration
from allo.kb.local import services
from allo.kb.render.api import render_text
from allo.kb.render.dsfr import layout
from allo.kb.render.markdown import BLOCKS, render_markdown
from allo.runtime import Runtime
from allo.search.service import SearchService
from allo.settings import Settings
from allo.web.api.warmup import freeze_heap
from allo.web.app import create_app
from bench.common import ROOT, machine_facts, percentile, write_section

RESULTS = ROOT / "docs" / "benchmarks" / "editorial.md"
HEADER = """# Editorial benchmarks (local fiches)

Scripts: `bench/editorial.py` (preview render; publish → findable in one process on SQLite) and
`bench/editorial_publish.py` (publish → findable with `allo serve --workers 4` on PostgreSQL,
through HTTP). Each section is rewritten by its script; every run states the machine and its
load.
"""
TARGET_CHARS = 20_000


def sample_body(texts: list[str], size: int = TARGET_CHARS) -> str:
    """About `size` characters of real text in every block kind editors use."""
    paragraphs = [p.strip() for t in texts for p in t.split("\n") if len(p.strip()) > 40]
    parts: list[str] = ["## Ce qu'il faut savoir\n"]
    block = 0
    index = 0
    while sum(len(p) for p in parts) < size and index < len(paragraphs):
        kind = block % 6
        chunk = paragraphs[index : index + 3]
        index += 3
        text = "\n\n".join(chunk)
        if kind == 0:
            parts.append(
                f"::: situation Situation {block}\n{text}\n:::\n"
                f"::: situation Autre cas {block}\n- {chunk[0][:120]}\n- voir [la fiche](fiche:F1726)\n:::\n"
            )
        elif kind == 1:
            parts.append(
                f"::: cas Cas {block}\n{text}\n:::\n::: cas Cas bis {block}\n**{chunk[0][:80]}**\n:::\n"
            )
        elif kind == 2:
            parts.append(f"::: a-savoir\n{text}\n:::\n\n::: attention\n{chunk[0][:200]}\n:::\n")
        elif kind == 4:
            parts.append(
                f"### Démarche {block}\n\n{text}\n\n- {chunk[0][:90]}\n- *{chunk[-1][:90]}*\n"
                f"1. première étape\n2. seconde étape, voir [la fiche](fiche:F1726)\n\n"
                f"::: a-noter Rappel\n{chunk[-1][:160]}\n:::\n"
            )
        elif kind == 5:
            parts.append(
                f":::: situation Cas imbriqués {block}\n{chunk[0]}\n"
                f"::: cas Premier cas {block}\n{chunk[-1]}\n:::\n"
                f"::: cas Second cas {block}\n{chunk[0][:100]}\n:::\n::::\n"
                f":::: situation Sans cas {block}\n{chunk[-1][:150]}\n::::\n"
            )
        else:
            parts.append(
                f"{text}\n\n| Pièce | Délai |\n|---|---|\n| {chunk[0][:40]} | 8 jours |\n"
                "| Duplicata | 13,76 € |\n"
            )
        block += 1
    return "\n".join(parts)[:size]


def _render_times(body: str, runs: int) -> tuple[list[float], list[float]]:
    plain = MarkdownIt("commonmark")
    for _ in range(20):  # warm-up
        layout(render_markdown(body))
        plain.render(body)
    ours, base = [], []
    for _ in range(runs):
        start = time.perf_counter()
        layout(render_markdown(body))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain.render(body)
        base.append(time.perf_counter() - start)
    return ours, base


def preview_figures(body: str, runs: int, runtime: Runtime) -> str:
    """The render in a process holding the web app, before and after the start-up freeze."""
    create_app(runtime=runtime)  # the heap of a worker: modules, schemas, routes, templates
    gc.collect()
    rows = []
    ratio = 0.0
    for label, freeze in (("heap as built at start-up", False), ("after `freeze_heap()`", True)):
        if freeze:
            frozen = freeze_heap()
        ours, base = _render_times(body, runs)
        p50, p95, p99 = (percentile(ours, q) * 1000 for q in (0.5, 0.95, 0.99))
        b50, b95 = (percentile(base, q) * 1000 for q in (0.5, 0.95))
        rows.append(
            f"| preview, {label} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {b50:.2f} | {b95:.2f} |"
        )
        ratio = p95 / b95
    gc.unfreeze()
    blocks = sum(body.count(f"::: {k}") + body.count(f":::: {k}") for k in BLOCKS)
    return (
        f"Body: {len(body):,} characters of real text, {blocks} blocks (situations, cases, "
        f"callouts), tables, lists, headings and fiche links; {runs} renders per row, each "
        "followed by the baseline's. Preview = Markdown + DILA blocks → nh3 allowlist → DSFR "
        "layout; baseline = markdown-it CommonMark only, same body.\n\n"
        "| render | p50 ms | p95 ms | p99 ms | baseline p50 ms | baseline p95 ms |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"{frozen:,} objects frozen. Ratio p95 preview / baseline after the freeze: "
        f"{ratio:.1f}×. Target p95 ≤ 50 ms (after the freeze, as workers run): "
        f"{'met' if p95 <= 50 else 'NOT met'}."
    )


def fresh_runtime() -> Runtime:
    """A fresh SQLite database with the bundled data."""
    home = Path(tempfile.mkdtemp(prefix="allo-bench-editorial-"))
    settings = Settings.from_env({"ALLO_HOME": str(home), "ALLO_EMBEDDER": "none"})
    runtime = Runtime.from_settings(settings)
    initialize(runtime, report=lambda _m: None)
    return runtime


def publish_figures(rounds: int, runtime: Runtime) -> str:
    agents_domain.use_password_cost(time_cost=1, memory_cost=8192)
    with unit_of_work(runtime.sessions) as session:
        author = agents_domain.create_agent(session, "bench-auteur", "editor", "x" * 12)
        second = agents_domain.create_agent(session, "bench-relecteur", "editor", "x" * 12)
        author_id, second_id = author.id, second.id
        fiches = len(kb.list_fiches(session, limit=None))
    other = SearchService(runtime.read_sessions)  # default check interval, as in a worker
    policy = services.Policy()
    delays, refreshes = [], []
    for _ in range(5):
        start = time.perf_counter()
        other.refresh(force=True)
        refreshes.append(time.perf_counter() - start)
    rng = random.Random(14)
    for n in range(rounds):
        # publish at a random moment of the worker's check cycle, as an editor would
        time.sleep(rng.uniform(0, other.check_interval))
        word = f"zqxbench{n}w"
        with unit_of_work(runtime.sessions) as session:
            a, b = session.get(type(author), author_id), session.get(type(second), second_id)
            fiche = services.create(
                session, a, {"title": f"Fiche de mesure {word}", "body": f"Texte {word}."}
            )
            services.submit(session, a, fiche.id)
            services.publish(session, b, fiche.id, policy, today=runtime.settings.today())
        published = time.perf_counter()
        while not any(h.title.endswith(word) for h in other.search(word, 5)):
            time.sleep(0.05)
        delays.append(time.perf_counter() - published)
    p50, p95, worst = percentile(delays, 0.5), percentile(delays, 0.95), max(delays)
    r50 = percentile(refreshes, 0.5) * 1000
    return (
        f"Fresh SQLite database with the bundled data ({fiches} fiches); {rounds} publications; "
        f"the other worker's check interval: {other.check_interval:.0f} s.\n\n"
        "| measure | p50 | p95 | max |\n|---|---|---|---|\n"
        f"| publish (commit) → found by the other worker's search | {p50:.2f} s | {p95:.2f} s | "
        f"{worst:.2f} s |\n"
        f"| baseline: one forced index refresh, nothing changed | {r50:.1f} ms | | |\n\n"
        "The delay is the wait for the worker's next version check (uniform over the interval) "
        "plus one incremental index update; target p95 ≤ 5 s: "
        f"{'met' if p95 <= 5 else 'NOT met'} (single process, SQLite)."
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--renders", type=int, default=300)
    args = parser.parse_args()
    texts: list[str] = []
    sample = ROOT / "src" / "allo" / "data" / "kb" / "vosdroits-echantillon.tar.xz"
    with tarfile.open(sample) as archive:
        for member in archive.getmembers():
            if not member.name.endswith(".xml") or "/F" not in member.name:
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            xml = strip_declaration(handle.read()).decode("utf-8")
            texts.append(render_text(SimpleNamespace(id="x", body=xml, body_format="dila-xml")))
            if sum(len(t) for t in texts) > 4 * TARGET_CHARS:
                break
    body = sample_body(texts)
    runtime = fresh_runtime()
    preview = preview_figures(body, args.renders, runtime)
    publish = publish_figures(args.rounds, runtime)
    write_section(
        RESULTS,
        HEADER,
        "editorial",
        f"## Preview render and publish to findable\n\n{machine_facts()}\n\n"
        f"### Preview render\n\n{preview}\n\n### Publish to findable\n\n{publish}\n",
    )
    print(preview)
    print(publish)


if __name__ == "__main__":
    main()
