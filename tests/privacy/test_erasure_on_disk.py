"""Purged text is gone from the SQLite files, not only from queries (finding 9); data files are
private to the service's user."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from allo.contacts.models import Contact, ContactNote
from allo.contacts.service_models import WebMessage
from allo.db.migrate import upgrade
from allo.db.session import unit_of_work
from allo.privacy import retention
from allo.runtime import Runtime
from allo.settings import Settings

QUESTION = "Question-Unique-Zorglub-7731 sur mon bail"
NOTE = "Note-Unique-Marcassin-5512"
EMAIL = "zorglub.marcassin.7731@example.org"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def own_sqlite(tmp_path: Path, backend: str) -> Runtime:
    if backend != "sqlite":
        pytest.skip("fichiers SQLite seulement")
    settings = Settings.from_env({"ALLO_HOME": str(tmp_path / "maison"), "ALLO_EMBEDDER": "none"})
    settings.ensure_home()
    runtime = Runtime.from_settings(settings)
    upgrade(runtime.engine)
    return runtime


def test_purged_text_is_not_left_in_the_database_or_wal_files(own_sqlite: Runtime) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with unit_of_work(own_sqlite.sessions) as session:
        contact = Contact(
            channel="web",
            question=QUESTION,
            queue="niveau1",
            state="closed",
            outcome="answered",
            created_at=long_ago,
            queued_at=long_ago,
            closed_at=long_ago,
        )
        session.add(contact)
        session.flush()
        session.add(ContactNote(contact_id=contact.id, level=1, kind="note", text=NOTE))
        session.add(
            WebMessage(
                contact_id=contact.id,
                token_hash="b" * 64,
                created_at=long_ago,
                expires_at=long_ago + timedelta(days=30),
                notify_email=EMAIL,
            )
        )
    home = own_sqlite.settings.home
    files = [p for p in home.iterdir() if p.name.startswith("allo.db")]
    assert any(QUESTION.encode() in p.read_bytes() for p in files)  # the test can see it

    report = retention.purge_once(own_sqlite)
    assert report.contacts == 1

    for path in home.iterdir():
        if path.name.startswith("allo.db"):
            data = path.read_bytes()
            for secret in (QUESTION, NOTE, EMAIL):
                assert secret.encode() not in data, (path.name, secret)


def test_data_files_are_private(own_sqlite: Runtime) -> None:
    home = own_sqlite.settings.home
    own_sqlite.settings.effective_secret_key()
    assert _mode(home) == 0o700
    assert _mode(home / "allo.db") == 0o600
    assert _mode(home / "secret.key") == 0o600
    for path in home.iterdir():
        if path.name.startswith("allo.db-"):  # -wal, -shm follow the database file
            assert _mode(path) & 0o077 == 0, path.name
