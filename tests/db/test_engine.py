"""The SQLite engine serialises writers inside a process and never leaks its writer lock."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from allo.db.engine import make_engine
from allo.db.session import make_session_factory, unit_of_work


def test_concurrent_sqlite_writers_all_succeed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    factory = make_session_factory(engine)
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with unit_of_work(factory) as s:
                    n = s.execute(text("SELECT n FROM counter")).scalar_one()
                    s.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        # read-modify-write in 200 transactions: no lost update
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 200
    engine.dispose()


def test_writer_lock_released_after_error_and_readers_do_not_take_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    factory = make_session_factory(engine)
    readonly = make_session_factory(engine, readonly=True)
    try:
        with unit_of_work(factory) as s:
            s.execute(text("SELECT no_such_column FROM nowhere"))
    except Exception as exc:
        assert "no such" in str(exc)
    with unit_of_work(factory) as s:  # would wait 30 s and fail if the lock had leaked
        s.execute(text("CREATE TABLE t (x INTEGER)"))
    reader = readonly()
    reader.execute(text("SELECT count(*) FROM t")).scalar_one()
    with unit_of_work(factory) as s:  # a reader's open transaction does not block a writer
        s.execute(text("INSERT INTO t VALUES (1)"))
    reader.close()
    engine.dispose()
