"""Search quality and latency on a question set, against a plain SQLite FTS5 BM25 baseline.

Question files are JSON lines: {"question": "...", "expected": ["F1234", ...]}. A question is a
hit@k when one of its expected ids is among the first k results; MRR@10 averages 1/rank of the
first expected id within the first 10 (0 when absent).
"""

from __future__ import annotations

import json
import re
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from allo.errors import InvalidInput
from allo.search.documents import SearchDocument


@dataclass(frozen=True)
class Question:
    question: str
    expected: tuple[str, ...]
    id: str = ""


@dataclass(frozen=True)
class Report:
    name: str
    questions: int
    hit1: float
    hit5: float
    mrr10: float
    p50_ms: float
    p99_ms: float
    #: rank (1-based) of the first expected id per question, None when not in the top 10
    ranks: tuple[int | None, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.name,
            "questions": self.questions,
            "hit@1": round(self.hit1, 3),
            "hit@5": round(self.hit5, 3),
            "mrr@10": round(self.mrr10, 3),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


def load_questions(path: Path) -> list[Question]:
    """Read a question file; a malformed line is reported with its number."""
    out = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Fichier de questions illisible : {path}.") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            expected = record["expected"]
            if isinstance(expected, str):
                expected = [expected]
            out.append(
                Question(
                    str(record["question"]), tuple(map(str, expected)), str(record.get("id", ""))
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(
                f"Ligne {number} invalide : un objet JSON avec « question » et « expected » est attendu."
            ) from exc
    if not out:
        raise InvalidInput("Le fichier ne contient aucune question.")
    return out


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def evaluate(
    name: str,
    questions: Sequence[Question],
    search: Callable[[str], Sequence[str]],
    repeat: int = 1,
) -> Report:
    """Run every question (`repeat` times for latency; quality from the first run)."""
    ranks: list[int | None] = []
    latencies: list[float] = []
    for run in range(repeat):
        for q in questions:
            start = time.perf_counter()
            ids = list(search(q.question))[:10]
            latencies.append((time.perf_counter() - start) * 1000)
            if run == 0:
                rank = next((i + 1 for i, x in enumerate(ids) if x in q.expected), None)
                ranks.append(rank)
    n = len(questions) or 1
    return Report(
        name=name,
        questions=len(questions),
        hit1=sum(1 for r in ranks if r == 1) / n,
        hit5=sum(1 for r in ranks if r is not None and r <= 5) / n,
        mrr10=sum(1 / r for r in ranks if r is not None) / n,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 99),
        ranks=tuple(ranks),
    )


class Fts5Baseline:
    """SQLite FTS5 BM25 over title, description and body: unstemmed, words OR-ed (the reference)."""

    def __init__(self, documents: Iterable[SearchDocument]) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE doc USING fts5(id UNINDEXED, title, description, body,"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        self._db.executemany(
            "INSERT INTO doc (id, title, description, body) VALUES (?, ?, ?, ?)",
            ((d.id, d.title, d.description, d.body) for d in documents),
        )
        self._db.commit()

    def search(self, query: str, limit: int = 10) -> list[str]:
        words = re.findall(r"\w+", query.lower())
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', "") + '"' for w in dict.fromkeys(words))
        rows = self._db.execute(
            "SELECT id FROM doc WHERE doc MATCH ? ORDER BY bm25(doc) LIMIT ?", (match, limit)
        ).fetchall()
        return [r[0] for r in rows]
