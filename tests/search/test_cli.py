"""`allo search`, `allo search --jsonl`, `allo search reindex` and `allo eval search`, run as the
real command on the run's database (bundled sample)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli import run_allo


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli_home")  # shared: the analysis cache speeds later runs


@pytest.fixture(scope="module")
def url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run(url: str, home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_allo(url, home, *args, stdin=stdin, timeout=600)  # a cold index build, slow CI


def test_search_json_and_table(url: str, home: Path) -> None:
    done = run(url, home, "search", "carte grise perdue", "--limit", "3", "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["query"] == "carte grise perdue"
    assert len(body["results"]) == 3
    assert body["agreements"] == []
    first = body["results"][0]
    assert set(first) == {"id", "title", "score", "audiences", "url"}
    assert "carte grise" in first["title"].lower()
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)

    table = run(url, home, "search", "carte grise perdue", "-n", "3")
    assert table.returncode == 0, table.stderr
    assert first["id"] in table.stdout
    assert "Particuliers" in table.stdout and re.search(r"│ \d+,\d{3} │", table.stdout)


def test_search_names_the_collective_agreement(url: str, home: Path) -> None:
    done = run(url, home, "search", "prime de vacances syntec", "--json", "--lexical")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert [a["idcc"] for a in body["agreements"]] == ["1486"]
    assert body["agreements"][0]["url"].startswith("https://www.legifrance.gouv.fr/")
    table = run(url, home, "search", "prime de vacances syntec", "-n", "3", "--lexical")
    assert table.returncode == 0, table.stderr
    assert "IDCC 1486" in table.stdout + table.stderr


def test_search_told_the_caller_s_agreement(url: str, home: Path) -> None:
    listed = run(url, home, "search", "conventions")
    assert listed.returncode == 0, listed.stderr
    assert "2120" in listed.stdout and "Banque" in listed.stdout
    done = run(url, home, "search", "prime de fin d'année", "--idcc", "2120", "--json", "--lexical")
    assert done.returncode == 0, done.stderr
    assert [a["idcc"] for a in json.loads(done.stdout)["agreements"]] == ["2120"]
    wrong = run(url, home, "search", "prime", "--idcc", "9999", "--lexical")
    assert wrong.returncode == 2
    assert "Convention collective inconnue" in wrong.stderr


def test_search_names_the_code_article(url: str, home: Path) -> None:
    done = run(url, home, "search", "L1224-1 changement employeur", "--json", "--lexical")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert [(a["article"], a["code"]) for a in body["legal_articles"]] == [
        ("L1224-1", "Code du travail")
    ]
    assert body["results"][0]["id"] == "article100989"
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)  # the citing fiches first, in score order too
    table = run(url, home, "search", "L1224-1", "-n", "3", "--lexical")
    assert table.returncode == 0, table.stderr
    assert "Article L1224-1 (Code du travail) : cité par" in table.stdout + table.stderr


def test_search_lists_the_fiches_citing_an_article(url: str, home: Path) -> None:
    done = run(url, home, "search", "articles", "article L1224-1 du code du travail", "--json")
    assert done.returncode == 0, done.stderr
    (article,) = json.loads(done.stdout)
    assert (article["article"], article["code"]) == ("L1224-1", "Code du travail")
    by_id = {f["id"]: f for f in article["fiches"]}
    assert "L1224-1" in by_id["article100989"]["reference"]
    assert by_id["article100989"]["source"] == "travail"
    table = run(url, home, "search", "articles", "L1224-1")
    assert table.returncode == 0, table.stderr
    assert "Article L1224-1 (Code du travail) : " in table.stdout
    wrong = run(url, home, "search", "articles", "licenciement")
    assert wrong.returncode == 2 and "Aucun article de code reconnu" in wrong.stderr


def test_search_audience_and_empty_query(url: str, home: Path) -> None:
    done = run(url, home, "search", "licenciement", "--audience", "professionnels", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert len(results) == 10
    assert all("professionnels" in r["audiences"] for r in results)
    empty = run(url, home, "search", "   ")
    assert empty.returncode == 2
    assert "au moins un mot" in empty.stderr


def test_jsonl_batch(url: str, home: Path) -> None:
    stdin = "\n".join(
        [
            "carte grise perdue",
            json.dumps({"id": "x1", "question": "rupture conventionnelle", "expected": []}),
            "",
            "{pas du json",
            json.dumps({"sans": "question"}),
        ]
    )
    done = run(url, home, "search", "--jsonl", "--limit", "2", stdin=stdin)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["query"] for line in lines] == [
        "carte grise perdue",
        "rupture conventionnelle",
        None,
        None,
    ]
    assert all(len(line["results"]) == 2 for line in lines[:2])
    assert set(lines[1]["results"][0]) == {"id", "title", "score", "audiences", "url"}
    assert lines[2]["line"] == 4 and "JSON" in lines[2]["error"]
    assert lines[3]["line"] == 5 and "question" in lines[3]["error"]
    assert "2 lignes ignorées" in done.stderr


def test_jsonl_default_limit_is_ten(url: str, home: Path) -> None:
    done = run(url, home, "search", "--jsonl", stdin="allocations familiales\n")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["results"]) == 10


def test_reindex_and_eval(url: str, home: Path, tmp_path: Path) -> None:
    done = run(url, home, "search", "reindex")
    assert done.returncode == 0, done.stderr
    assert "Index reconstruit" in done.stderr

    questions = tmp_path / "questions.jsonl"
    top = json.loads(run(url, home, "search", "rupture conventionnelle", "--json").stdout)
    questions.write_text(
        json.dumps({"question": "rupture conventionnelle", "expected": [top["results"][0]["id"]]})
        + "\n"
        + json.dumps({"question": "zzqx introuvable", "expected": ["F0"]})
        + "\n"
    )
    evaluated = run(url, home, "eval", "search", str(questions), "--repeat", "1", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    reports = {r["engine"]: r for r in json.loads(evaluated.stdout)}
    assert set(reports) == {"allo lexical", "FTS5 BM25 (référence)"}
    assert reports["allo lexical"]["hit@1"] == 0.5  # first question found first, second not
    for report in reports.values():
        assert report["questions"] == 2 and report["file"] == "questions.jsonl"
        assert {"hit@1", "hit@5", "mrr@10", "p50_ms", "p99_ms"} <= set(report)

    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"question": "zzqx", "expected": ["F0"]}) + "\n")
    table = run(url, home, "eval", "search", str(questions), str(other), "--repeat", "1")
    assert table.returncode == 0, table.stderr
    assert "hit@5" in table.stdout and "FTS5" in table.stdout
    assert "questions.jsonl : 2 questions" in table.stdout
    assert "other.jsonl : 1 question," in table.stdout

    status = run(url, home, "search", "status", "--json")
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["fiches"] > 1000 and state["semantic"] is False and state["coverage"] == 0
    said = run(url, home, "search", "status").stdout
    assert f"Fiches indexées : {state['fiches'] // 1000}\u202f" in said  # « 1 829 »
    assert "Re-classement sémantique : désactivé" in said

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\n')
    failed = run(url, home, "eval", "search", str(bad))
    assert failed.returncode == 2
    assert "Ligne 1 invalide" in failed.stderr
