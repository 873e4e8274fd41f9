"""Every query of the directory domain (handlers, commands and services never build SQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, Table, delete, func, select, update
from sqlalchemy.orm import Session

from allo.db.base import table_of, utcnow
from allo.directory.models import Commune, Competence, Dataset, Departement, Epci, Office
from allo.directory.records import JSON_FIELDS, json_text

_BATCH = 2000


def _chunks(items: Sequence[Any], size: int = _BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ------------------------------------------------------------------------------------- offices


def office_hashes(session: Session) -> dict[str, tuple[str, str]]:
    """id → (content hash, département) of every stored office."""
    rows = session.execute(select(Office.id, Office.content_hash, Office.departement))
    return {r[0]: (r[1], r[2]) for r in rows}


def _converter(column: Any, dialect: Any) -> Any:
    if isinstance(column.type, JSON):
        return json_text
    if isinstance(column.type, Date):
        return lambda v: v.isoformat() if isinstance(v, date) else v
    return column.type._cached_bind_processor(dialect)  # e.g. UTCDateTime; None for most


def bulk_insert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert many rows with one DBAPI executemany.

    The bulk loads (61,000 offices) spend most of their time in per-row parameter processing;
    here JSON columns may arrive already serialised (the bundled files store them so), dates as
    ISO text, and every other value is bound as is — both SQLite and PostgreSQL accept these.
    `constants` (the same for every row, e.g. timestamps) are converted once.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    constants = constants or {}
    columns = [c for c in table.columns if c.name in rows[0] and c.name not in constants]
    names = [c.name for c in columns]
    fixed_columns = [c for c in table.columns if c.name in constants]
    fixed: list[Any] = []
    for column in fixed_columns:
        convert, value = _converter(column, dialect), constants[column.name]
        fixed.append(value if convert is None or value is None else convert(value))
    conversions = [
        (i, convert)
        for i, convert in enumerate(_converter(c, dialect) for c in columns)
        if convert is not None
    ]
    getter = itemgetter(*names)
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    all_names = names + [c.name for c in fixed_columns]
    sql = (
        f"INSERT INTO {table.name} ({', '.join(all_names)}) "  # fixed identifiers from the model
        f"VALUES ({', '.join([marker] * len(all_names))})"
    )

    def tuples(chunk: Sequence[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        for row in chunk:
            values = list(getter(row)) if len(names) > 1 else [getter(row)]
            for i, convert in conversions:
                if values[i] is not None:
                    values[i] = convert(values[i])
            values.extend(fixed)
            yield tuple(values)

    if dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path: several times faster than INSERT batches.
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({', '.join(all_names)}) FROM STDIN") as copy:
                for values in tuples(rows):
                    copy.write_row(values)
        finally:
            cursor.close()
        return
    for chunk in _chunks(rows, 5000):
        connection.exec_driver_sql(sql, list(tuples(chunk)))


def insert_offices(session: Session, records: Sequence[tuple[dict[str, Any], str]]) -> None:
    now = utcnow()
    bulk_insert(
        session,
        table_of(Office),
        [r | {"content_hash": h} for r, h in records],
        constants={"imported_at": now, "updated_at": now},
    )


def update_offices(session: Session, records: Sequence[tuple[dict[str, Any], str]]) -> None:
    now = utcnow()
    for chunk in _chunks(records):
        rows = []
        for record, digest in chunk:
            row = {
                k: json.loads(v) if k in JSON_FIELDS and isinstance(v, str) else v
                for k, v in record.items()
            }
            if isinstance(row.get("updated_on"), str):
                row["updated_on"] = date.fromisoformat(row["updated_on"])
            rows.append(row | {"content_hash": digest, "updated_at": now})
        session.execute(update(Office), rows)


def delete_offices(session: Session, ids: Sequence[str]) -> None:
    for chunk in _chunks(ids, 500):
        session.execute(delete(Office).where(Office.id.in_(chunk)))


def count_offices(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Office)) or 0


def office_count_by_type(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Office.type, func.count()).group_by(Office.type)).all())


def office_points(
    session: Session,
) -> list[tuple[str, str, str, str, float | None, float | None, str, str | None, str | None]]:
    """(id, type, insee, département, lat, lon, name, uuid, other types) of every office, for
    the in-memory index."""
    rows = session.execute(
        select(
            Office.id,
            Office.type,
            Office.insee,
            Office.departement,
            Office.latitude,
            Office.longitude,
            Office.name,
            Office.uuid,
            Office.other_types,
        )
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


# ---------------------------------------------------------------------------------- competence


def replace_competence(session: Session, rows: Sequence[tuple[str, str, str]]) -> None:
    session.execute(delete(Competence))
    bulk_insert(
        session,
        table_of(Competence),
        [{"insee": i, "office_type": t, "service": s} for i, t, s in rows],
    )


def competent_services(session: Session, insee: str, office_type: str) -> list[str]:
    """The services (UUIDs or office ids) the data says serve a commune for a type.

    On every `find`: plain SQL on the primary key's prefix.
    """
    rows = _fetch(
        session,
        "SELECT service FROM directory_competence WHERE insee = {m} AND office_type = {m} "
        "ORDER BY service".format(m=_marker(session)),
        (insee, office_type),
    )
    return [r[0] for r in rows]


def count_competence(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Competence)) or 0


def _marker(session: Session) -> str:
    return "?" if session.connection().dialect.paramstyle == "qmark" else "%s"


def _fetch(session: Session, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows of a fixed SQL query through the session's own DBAPI connection (its transaction).

    For the two queries of every `find`, SQLAlchemy's result machinery costs more than the
    query itself.
    """
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


_SHOWN_COLUMNS = tuple(
    c.name
    for c in table_of(Office).columns
    if c.name not in ("content_hash", "imported_at", "updated_at")
)


def offices_by_ids(session: Session, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Full rows of a few offices, as dicts.

    On every `find`: plain SQL on the session's connection, JSON decoded here (psycopg already
    decodes it; SQLite returns the text), so no ORM object or statement compilation is paid.
    """
    if not ids:
        return {}
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"SELECT {', '.join(_SHOWN_COLUMNS)} FROM directory_office "  # fixed identifiers
        f"WHERE id IN ({', '.join([marker] * len(ids))})"
    )
    found: dict[str, dict[str, Any]] = {}
    for values in _fetch(session, sql, tuple(ids)):
        row = dict(zip(_SHOWN_COLUMNS, values, strict=True))
        for key in JSON_FIELDS:
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
        if isinstance(row["updated_on"], str):
            row["updated_on"] = date.fromisoformat(row["updated_on"])
        found[row["id"]] = row
    return found


def get_office(session: Session, office_id: str) -> dict[str, Any] | None:
    return offices_by_ids(session, [office_id]).get(office_id)


# ------------------------------------------------------------------------------------ communes


COMMUNE_COLUMNS = (
    "insee",
    "kind",
    "name",
    "parent",
    "departement",
    "region",
    "postal_codes",
    "former_codes",
    "epci",
    "population",
    "latitude",
    "longitude",
    "point_source",
)


def commune_rows(session: Session) -> list[dict[str, Any]]:
    columns = [getattr(Commune, c) for c in COMMUNE_COLUMNS]
    return [dict(zip(COMMUNE_COLUMNS, r, strict=True)) for r in session.execute(select(*columns))]


def count_communes(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Commune)) or 0


def insert_communes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    bulk_insert(session, table_of(Commune), rows)


def update_commune_points(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Set the points of many communes with one executemany (37,000 rows after a full import)."""
    if not rows:
        return
    connection = session.connection()
    params = [
        (r["latitude"], r["longitude"], r["point_source"], r["insee"], r["kind"]) for r in rows
    ]
    if connection.dialect.name == "postgresql":
        # COPY into a temporary table, then one joined UPDATE: row-by-row is a round trip each.
        cursor = connection.connection.cursor()
        try:
            cursor.execute(
                "CREATE TEMPORARY TABLE _directory_points (latitude double precision, "
                "longitude double precision, point_source varchar(16), insee varchar(5), "
                "kind varchar(24))"
            )
            with cursor.copy("COPY _directory_points FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            cursor.execute(
                "UPDATE directory_commune AS c SET latitude = v.latitude, "
                "longitude = v.longitude, point_source = v.point_source "
                "FROM _directory_points AS v WHERE c.insee = v.insee AND c.kind = v.kind"
            )
            cursor.execute("DROP TABLE _directory_points")
        finally:
            cursor.close()
        return
    sql = (
        "UPDATE directory_commune SET latitude = ?, longitude = ?, point_source = ? "
        "WHERE insee = ? AND kind = ?"
    )
    for chunk in _chunks(params, 5000):
        connection.exec_driver_sql(sql, list(chunk))


def update_communes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(update(Commune), list(chunk))


def delete_communes(session: Session, keys: Sequence[tuple[str, str]]) -> None:
    for insee, kind in keys:
        session.execute(delete(Commune).where(Commune.insee == insee, Commune.kind == kind))


def replace_departements(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(delete(Departement))
    bulk_insert(session, table_of(Departement), rows)


def departement_rows(session: Session) -> list[dict[str, Any]]:
    cols = ("code", "name", "region", "region_name", "chef_lieu", "zone")
    return [
        dict(zip(cols, r, strict=True))
        for r in session.execute(select(*[getattr(Departement, c) for c in cols]))
    ]


def replace_epcis(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    session.execute(delete(Epci))
    bulk_insert(session, table_of(Epci), rows)


def epci_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Epci.code, Epci.name)).all())


# ------------------------------------------------------------------------------------ datasets


def dataset_tokens(session: Session) -> tuple[str, ...]:
    """The change tokens of every dataset: the in-memory index is rebuilt when they change.

    Read on every `find`, so it is plain SQL on the session's connection (no ORM compile).
    The territorial competence is not in the index (it is read per `find`), so its token is not
    among them: loading it rebuilds nothing.
    """
    rows = _fetch(
        session,
        "SELECT name, token FROM directory_dataset WHERE name <> 'competence' ORDER BY name",
        (),
    )
    return tuple(f"{name}:{token}" for name, token in rows)


def datasets(session: Session) -> list[Dataset]:
    return list(session.scalars(select(Dataset).order_by(Dataset.name)))


def dataset_token(session: Session, name: str) -> str | None:
    return session.scalar(select(Dataset.token).where(Dataset.name == name))


def touch_dataset(
    session: Session, name: str, source: str, count: int, token: str | None = None
) -> None:
    """Record a new content version of a dataset (a fresh token, or the content's digest)."""
    row = session.get(Dataset, name)
    if row is None:
        row = Dataset(name=name)
        session.add(row)
    row.token = token or uuid.uuid4().hex
    row.source = source[:255]
    row.count = count
    row.loaded_at = utcnow()
    session.flush()
