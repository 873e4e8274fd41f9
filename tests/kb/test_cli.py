"""`allo kb …` and `allo data fetch` through Typer's runner, on a fresh database under a temp ALLO_HOME."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from allo.cli import _common
from allo.cli.main import app
from allo.kb import stored_html
from allo.kb.models import Fiche

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cli(
    tmp_path: Path, make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., object]]:
    monkeypatch.setenv("ALLO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALLO_DATABASE_URL", make_database())
    monkeypatch.setenv("ALLO_EMBEDDER", "none")
    _common.runtime.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> object:
        return runner.invoke(app, list(args), catch_exceptions=False)

    yield invoke
    _common.runtime().engine.dispose()
    _common.runtime.cache_clear()


def _zip(path: Path, files: list[Path]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for file in files:
            archive.write(file, file.name)
    return path


def test_import_show_and_stats(cli: Callable[..., object], tmp_path: Path) -> None:
    result = cli("kb", "import", str(DATA / "particuliers"), str(DATA / "professionnels"))
    assert result.exit_code == 0, result.output
    assert "Import terminé" in result.output and "19 fiches nouvelles, 0 modifiée" in result.output

    result = cli("kb", "stats", "--json")
    stats = json.loads(result.stdout)
    assert stats["total"] == 19
    assert stats["by_source"] == {"dila": 19}
    assert stats["by_audience"]["particuliers"] >= 14
    assert set(stats) >= {"total", "by_source", "by_audience", "by_type"}
    said = " ".join(cli("kb", "stats").output.split())
    assert "19 fiches distinctes" in said
    assert "│ service-public.fr │ 19 │" in said and "│ Particuliers │" in said  # labels, not codes

    text = cli("kb", "show", "F1342")
    assert text.exit_code == 0
    assert text.stdout.startswith("Carte d'identité d'un mineur : première demande\n")
    assert "Situation 1 sur 2 : Demande en France" in text.stdout
    html = cli("kb", "show", "F1342", "--format", "html")
    assert html.stdout.startswith('<div class="allo-fiche">')
    data = json.loads(cli("kb", "show", "F1342", "-f", "json").stdout)
    assert data["id"] == "F1342" and data["audiences"] == ["particuliers"]
    assert data["breadcrumb"][0] == {"id": "N19810", "title": "Papiers - Citoyenneté"}
    # N358 is in the base: the link from F1342's breadcrumb dossier resolves to our page
    assert 'href="/fiches/F18605"' not in data["html"]  # F18605 is not held: link to the source
    assert "https://www.service-public.gouv.fr/particuliers/vosdroits/F18605" in data["html"]

    again = cli("kb", "import", str(DATA / "particuliers"))
    assert again.exit_code == 0 and "14 inchangées" in again.output


def test_render_stores_what_is_missing_and_nothing_more(cli: Callable[..., object]) -> None:
    assert cli("kb", "import", str(DATA / "particuliers")).exit_code == 0
    result = cli("kb", "render")
    assert result.exit_code == 0 and "pour 0 fiche." in result.output
    with _common.runtime().sessions.begin() as session:
        session.execute(update(Fiche).where(Fiche.id == "F1342").values(html_renderer=None))
    assert "pour 1 fiche." in cli("kb", "render").output
    with _common.runtime().sessions() as session:
        assert session.get(Fiche, "F1342").html_renderer == stored_html.RENDERER


def test_unknown_fiche_and_bad_input_exit_non_zero(
    cli: Callable[..., object], tmp_path: Path
) -> None:
    # the real entry point turns the domain error into a French message and exit status 2
    proc = subprocess.run(
        [sys.executable, "-c", "from allo.cli.main import main; main()", "kb", "show", "F0000"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert proc.returncode == 2
    assert "Erreur : Fiche introuvable : 'F0000'." in proc.stderr

    bad = tmp_path / "vosdroits-particuliers.zip"
    good = DATA / "particuliers" / "F82.xml"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.write(good, "F82.xml")
        archive.writestr("F9.xml", b"<Publication")
        archive.writestr("image.png", b"\x89PNG")
    result = cli("kb", "import", str(bad), "--json")
    assert result.exit_code == 1
    assert "vosdroits-particuliers.zip:F9.xml" in result.output
    assert "vosdroits-particuliers.zip:image.png" in result.output
    assert "1 fiche nouvelle," in result.output and "2 ignorés en erreur" in result.output
    report = json.loads(result.stdout)
    assert report["new"] == 1 and len(report["skipped"]) == 2


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_fetch_offline_gives_a_french_error(cli: Callable[..., object], tmp_path: Path) -> None:
    port = _closed_port()  # nothing listens there any more: the connection is refused
    result = cli(
        "data",
        "fetch",
        "--dest",
        str(tmp_path / "dl"),
        "--base-url",
        f"http://127.0.0.1:{port}/vdd",
    )
    assert result.exit_code == 2
    assert "Impossible de joindre 127.0.0.1" in result.output
    assert "allo kb import" in result.output
    # nothing downloaded, nothing partial left behind (only the run's lock file)
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["sync.lock"]


def test_fetch_then_sync_download_and_import_the_exports(
    cli: Callable[..., object], tmp_path: Path
) -> None:
    mirror = tmp_path / "miroir"
    for audience, folder in (
        ("part", "particuliers"),
        ("pro", "professionnels"),
        ("asso", "associations"),
    ):
        target = mirror / "vdd" / "3.4" / audience / "zip"
        target.mkdir(parents=True)
        _zip(target / "vosdroits-latest.zip", sorted((DATA / folder).glob("*.xml")))

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = partial(QuietHandler, directory=str(mirror))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/vdd"
    dest = str(tmp_path / "dl")
    try:
        fetched = cli("data", "fetch", "--dest", dest, "--base-url", base, "--no-directory")
        synced = cli("data", "sync", "--dest", dest, "--base-url", base, "--no-directory")
        again = cli("data", "sync", "--dest", dest, "--base-url", base, "--no-directory")
    finally:
        server.shutdown()
        server.server_close()
    assert fetched.exit_code == 0, fetched.output
    names = sorted(p.name for p in (tmp_path / "dl").glob("vosdroits-*"))
    assert names == [
        "vosdroits-associations.zip",
        "vosdroits-particuliers.zip",
        "vosdroits-professionnels.zip",
    ]
    assert "allo data sync" in " ".join(fetched.output.split())
    said = " ".join(fetched.output.split())
    assert re.search(
        r"vosdroits-particuliers\.zip : \d+(,\d)? (ko|Mo|octets) \(nouveau contenu\)", said
    )
    assert synced.exit_code == 0, synced.output
    # fetch only downloaded: the sync imports what no sync imported yet
    assert "Fiches : 20 nouvelles, 0 modifiée, 0 retirée." in " ".join(synced.output.split())
    repeated = " ".join(again.output.split())
    assert again.exit_code == 0, again.output
    assert "Aucun changement. Déjà importés, inchangés : vosdroits-particuliers.zip," in repeated
    listed = cli("kb", "changes", "--json")
    assert listed.exit_code == 0
    reports = json.loads(listed.stdout)
    assert [r["trigger"] for r in reports] == ["data-sync", "data-sync"]


def test_kb_changes_lists_reports_and_shows_items(
    cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the table's cells on one line each
    none_yet = cli("kb", "changes")
    assert none_yet.exit_code == 0
    assert "Aucun rapport de changements" in " ".join(none_yet.stdout.split())
    result = cli("kb", "import", str(DATA / "associations"))
    assert result.exit_code == 0, result.output
    assert "Rapport de changements n° 1" in " ".join(result.output.split())
    listed = cli("kb", "changes", "--limit", "500")
    assert listed.exit_code == 0
    said = " ".join(listed.stdout.split())
    # labels, not codes, and the hour of the service's time zone (« … à 23 h 06 »)
    assert "Import des fiches" in said and "Appliqué" in said and "Europe/Paris" in said
    assert "kb-import" not in said and "applied" not in said
    assert re.search(r"\d{4} à \d{1,2} h", said)
    shown = cli("kb", "changes", "1", "--domain", "fiche", "--action", "new")
    assert shown.exit_code == 0
    assert "Rapport n° 1" in shown.stdout and "Import des fiches" in shown.stdout
    assert re.search(r"^fiche +nouvelle ", shown.stdout, re.M)
    missing = cli("kb", "changes", "99")
    assert missing.exit_code == 2
    assert "Rapport de changements introuvable : 99." in missing.output
    bad = cli("kb", "changes", "1", "--domain", "x")
    assert bad.exit_code == 2 and "Domaine inconnu" in bad.output
