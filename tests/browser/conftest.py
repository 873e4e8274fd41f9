"""End-to-end fixtures: a real uvicorn server on a fresh database loaded with the bundled data,
and Debian's Chromium driven by Playwright.

The server runs in a subprocess (like production) on a free loopback port; its database is a
fresh one of the backend under test (`make_database`), initialised by `allo.bootstrap.initialize`
in a temporary ALLO_HOME with ALLO_EMBEDDER=none.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: Screenshots go to a build folder; `make screenshots` copies them to docs/screenshots on purpose.
SCREENSHOTS = ROOT / "build" / "screenshots"


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str
    home: Path
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(
    make_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    from allo.bootstrap import initialize
    from allo.runtime import Runtime
    from allo.settings import Settings

    home = tmp_path_factory.mktemp("allo_live_home")
    database_url = make_database()
    env = {
        **os.environ,
        "ALLO_HOME": str(home),
        "ALLO_DATABASE_URL": database_url,
        "ALLO_EMBEDDER": "none",
        "ALLO_SECRET_KEY": "browser-tests-secret-key",
        "ALLO_LOG_LEVEL": "WARNING",
    }
    settings = Settings.from_env(env)
    runtime = Runtime.from_settings(settings)
    initialize(runtime, report=lambda _msg: None)
    runtime.engine.dispose()

    port = _free_port()
    env["ALLO_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # the private links sent and shown
    log = (home / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 — fixed argv, our own interpreter
        [
            sys.executable,
            "-m",
            "uvicorn",
            "allo.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, home / "server.log")
        # Build the per-process search and directory indexes before the first timed interaction.
        httpx.get(f"{url}/recherche", params={"q": "carte grise"}, timeout=300)
        httpx.get(f"{url}/ou-s-adresser", params={"place": "42000"}, timeout=300)
        # Logging in loads the redaction's name model in the background (the first note or
        # written question would otherwise wait for it).
        httpx.post(
            f"{url}/api/auth/login",
            json={"username": "admin", "password": "demo-admin"},
            timeout=300,
        )
        yield LiveServer(url=url, database_url=database_url, home=home, env=env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"le serveur de test s'est arrêté :\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("le serveur de test n'a pas démarré en 120 s")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium manque : lancez `make browser-deps` (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies) with French locale, failing on JS errors."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if "/static/" in r.url and r.status >= 400
            else None
        ),
    )
    yield tab
    context.close()
    assert errors == [], f"erreurs JavaScript ou fichiers statiques manquants : {errors}"


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Callable[..., Any]]:
    """`new_context(width=1280)`: a fresh browser context (no cookies); all are closed after the
    test, which fails if any page of them raised a JavaScript error or missed a static file."""
    contexts: list[Any] = []
    errors: list[str] = []

    def _new(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(60_000)
        context.on("weberror", lambda e: errors.append(str(e.error)))
        context.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if "/static/" in r.url and r.status >= 400
                else None
            ),
        )
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()
    assert errors == [], f"erreurs JavaScript ou fichiers statiques manquants : {errors}"


def _check_accessibility(page: Any, name: str) -> None:
    # Evaluated by the driver, not added as an inline <script>: the pages' CSP forbids those.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: violations d'accessibilité : {serious}"


def _screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def check_accessibility() -> Callable[[Any, str], None]:
    """`check_accessibility(page, name)`: axe-core finds no serious or critical violation."""
    return _check_accessibility


@pytest.fixture
def screenshot() -> Callable[..., None]:
    """`screenshot(page, name)`: saves build/screenshots/<name>.png (`make screenshots` publishes)."""
    return _screenshot
