"""Backup and restore round trip: contacts, fiches, local content, audit come back identical."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, table, text

from allo.contacts import agents
from allo.contacts import services as contacts
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.errors import Conflict, InvalidInput
from allo.kb import services as kb
from allo.ops import backup as ops
from allo.privacy import audit
from tests.cli import run_allo

KB_DATA = Path(__file__).parents[1] / "kb" / "data" / "particuliers"


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Rows and a digest of their content, per table (order-independent)."""
    out = {}
    with engine.connect() as connection:
        for name in sorted(set(inspect(engine).get_table_names()) - {"alembic_version"}):
            rows = connection.execute(select(text("*")).select_from(table(name))).all()
            lines = sorted(json.dumps([str(v) for v in row], ensure_ascii=False) for row in rows)
            out[name] = (len(rows), hashlib.sha256("\n".join(lines).encode()).hexdigest())
    return out


@pytest.fixture
def filled(make_database: Callable[[], str]) -> Engine:
    """A small real base: imported fiches, an agent, contacts with notes, audit entries."""
    engine = make_engine(make_database())
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        kb.import_paths(session, [KB_DATA])
        advisor = agents.create_agent(
            session, "conseil9", "advisor", "demo-conseil9", public_password=True
        )
        for question in ("Renouveler mon passeport", "Mon bail se termine"):
            contacts.create_contact(session, channel="phone", question=question)
        audit.record(session, agent_id=advisor.id, action="login", object_type="agent")
    return engine


def test_round_trip_restores_everything(
    filled: Engine, make_database: Callable[[], str], tmp_path: Path
) -> None:
    before = fingerprint(filled)
    assert before["fiche"][0] > 0 and before["contact"][0] == 2 and before["audit_entry"][0] >= 1
    report = ops.backup(filled, tmp_path / "allo.sauvegarde")
    assert report.size > 0 and report.path.stat().st_mode & 0o077 == 0

    target = make_engine(make_database())
    upgrade(target)  # what `allo restore` finds: a migrated, empty base
    ops.restore(target, report.path)
    assert fingerprint(target) == before


def test_restore_refuses_a_base_with_data(filled: Engine, tmp_path: Path) -> None:
    path = ops.backup(filled, tmp_path / "allo.sauvegarde").path
    with pytest.raises(Conflict, match="--force"):
        ops.restore(filled, path)
    with unit_of_work(make_session_factory(filled)) as session:
        contacts.create_contact(session, channel="phone", question="après la sauvegarde")
    ops.restore(filled, path, force=True)
    assert fingerprint(filled)["contact"][0] == 2


def test_restore_refuses_a_foreign_file(make_database: Callable[[], str], tmp_path: Path) -> None:
    engine = make_engine(make_database())
    upgrade(engine)
    bogus = tmp_path / "pas-une-sauvegarde"
    bogus.write_bytes(b"bonjour")
    with pytest.raises(InvalidInput, match="n'est pas une sauvegarde"):
        ops.restore(engine, bogus)
    with pytest.raises(InvalidInput, match="introuvable"):
        ops.restore(engine, tmp_path / "absente")


def test_cli_round_trip_in_french(
    filled: Engine, make_database: Callable[[], str], tmp_path: Path
) -> None:
    source = filled.url.render_as_string(hide_password=False)
    done = run_allo(source, tmp_path / "home", "backup", str(tmp_path / "b.sauvegarde"))
    assert done.returncode == 0, done.stderr
    assert "Sauvegarde" in done.stderr
    refused = run_allo(source, tmp_path / "home", "restore", str(tmp_path / "b.sauvegarde"))
    assert refused.returncode != 0
    assert "--force" in refused.stderr and "Traceback" not in refused.stderr
    target = make_database()
    restored = run_allo(target, tmp_path / "home2", "restore", str(tmp_path / "b.sauvegarde"))
    assert restored.returncode == 0, restored.stderr
    assert fingerprint(make_engine(target)) == fingerprint(filled)
