"""The few SQL expressions SQLite and PostgreSQL spell differently, as compiled constructs.

Durations are computed in the database (seconds between two timestamps), and arrivals are
bucketed by UTC hour there too; the hour's local label is applied in Python (the service's
zone has whole-hour offsets, so a UTC hour maps to exactly one local hour).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Float, Select, String, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class seconds_between(FunctionElement[float]):
    """end - start, in seconds (float)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


class utc_hour(FunctionElement[str]):
    """'YYYY-MM-DD HH' of a timestamp, in UTC."""

    type = String()
    inherit_cache = True


@compiles(utc_hour, "sqlite")
def _hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"strftime('%Y-%m-%d %H', {compiler.process(column, **kw)})"


@compiles(utc_hour, "postgresql")
def _hour_pg(element: utc_hour, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"to_char({compiler.process(column, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"


def distribution(
    session: Session, value: ColumnElement[float], stmt: Select[Any], quantile: float = 0.9
) -> dict[str, float | int | None]:
    """count, mean and nearest-rank quantile of `value` over the rows `stmt` selects.

    Two aggregate queries on both backends (PostgreSQL's percentile_cont has no SQLite
    equivalent): COUNT/AVG, then the k-th value in order.
    """
    subq = stmt.add_columns(value.label("v")).subquery()
    count, mean = session.execute(select(func.count(subq.c.v), func.avg(subq.c.v))).one()
    result: dict[str, float | int | None] = {"count": int(count or 0), "mean": None, "p90": None}
    if not count:
        return result
    rank = max(1, math.ceil(quantile * count))
    kth = session.execute(
        select(subq.c.v).where(subq.c.v.is_not(None)).order_by(subq.c.v).offset(rank - 1).limit(1)
    ).scalar_one()
    result["mean"] = round(float(mean), 1)
    result["p90"] = round(float(kth), 1)
    return result


class utc_half_hour(FunctionElement[str]):
    """'YYYY-MM-DD HH:MM' of a timestamp's half-hour (MM is 00 or 30), in UTC."""

    type = String()
    inherit_cache = True


@compiles(utc_half_hour, "sqlite")
def _half_hour_sqlite(element: utc_half_hour, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)
    return (
        f"(strftime('%Y-%m-%d %H:', {col}) || "
        f"CASE WHEN CAST(strftime('%M', {col}) AS INTEGER) < 30 THEN '00' ELSE '30' END)"
    )


@compiles(utc_half_hour, "postgresql")
def _half_hour_pg(element: utc_half_hour, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    col = compiler.process(column, **kw)
    return (
        f"(to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:') || "
        f"CASE WHEN EXTRACT(MINUTE FROM {col} AT TIME ZONE 'UTC') < 30 THEN '00' ELSE '30' END)"
    )
