"""The portal's search counts: counted in memory, stored only redacted and aggregated per day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.backlog.models import PortalQueryCount
from allo.backlog.portal_log import PortalQueryLog, flush_once, get_log
from allo.runtime import Runtime

#: the service's day the tests count on
DAY = date(2026, 12, 4)


def _rows(db: Session) -> dict[str, tuple[int, int, int]]:
    return {
        r.wording: (r.searches, r.empty, r.opened)
        for r in db.scalars(select(PortalQueryCount).order_by(PortalQueryCount.wording))
    }


def test_queries_are_stored_redacted_normalised_and_summed(db: Session) -> None:
    log = PortalQueryLog(today=lambda: DAY)
    log.searched("Carte grise PERDUE", found=True)
    log.searched("carte grise perdue", found=True)
    log.opened("carte grise perdue")
    log.searched("rappelez-moi au 06 12 34 56 78 pour ma retraite", found=False)
    log.searched("   ", found=False)
    assert log.flush(db) == 2
    assert log.pending() == 0
    rows = _rows(db)
    assert rows == {
        "carte grise perdue": (2, 0, 1),
        "rappelez moi au [telephone] pour ma retraite": (1, 1, 0),
    }
    assert not any("06" in w for w in rows)
    # a second flush (another worker, another minute) adds to the same day's row
    log.searched("carte grise perdue", found=False)
    log.flush(db)
    assert _rows(db)["carte grise perdue"] == (3, 1, 1)
    assert db.scalar(select(PortalQueryCount.day).limit(1)) == DAY


def test_searches_count_for_the_service_day(
    runtime: Runtime, db: Session, service_clock: Callable[[datetime], None]
) -> None:
    """At 00:30 in Paris on 1 July, UTC still says 30 June: the search is July's."""
    service_clock(datetime(2025, 6, 30, 22, 30, tzinfo=UTC))
    log = get_log(runtime)
    log.take()
    log.searched("carte grise perdue", found=True)
    log.flush(db)
    assert db.scalar(select(PortalQueryCount.day)) == date(2025, 7, 1)


def test_the_buffer_is_bounded() -> None:
    log = PortalQueryLog(today=lambda: DAY, max_keys=2)
    for q in ("un", "deux", "trois"):
        log.searched(q, found=True)
    log.searched("un", found=True)
    assert log.pending() == 2 and log.dropped == 1


def test_portal_pages_count_citizens_searches_and_fiches_opened_from_results(
    client: Any, runtime: Runtime, db: Session
) -> None:
    html = {"Accept": "text/html"}
    assert client.get("/recherche", params={"q": "zzqxw wwkq"}, headers=html).status_code == 200
    assert client.get("/recherche", params={"q": "carte grise perdue"}).status_code == 200
    # page 2 of the same search is not a second search
    client.get("/recherche", params={"q": "carte grise perdue", "page": 2})
    referer = "http://testserver/recherche?q=carte+grise+perdue"
    assert client.get("/fiches/F1726", headers={"Referer": referer}).status_code == 200
    # from elsewhere, or from another site: not counted
    client.get("/fiches/F1726", headers={"Referer": "http://testserver/"})
    client.get("/fiches/F1726", headers={"Referer": "http://ailleurs.example/recherche?q=x"})
    assert get_log(runtime).pending() == 2
    flush_once(runtime)
    assert _rows(db) == {"carte grise perdue": (1, 0, 1), "zzqxw wwkq": (1, 1, 0)}


def test_agents_searches_are_not_a_citizens_need(client: Any, runtime: Runtime) -> None:
    from tests.web.conftest import DEMO

    username = DEMO["advisor"]
    client.post("/connexion", data={"identifiant": username, "mot_de_passe": f"demo-{username}"})
    client.get("/recherche", params={"q": "zzqxw wwkq"})
    assert get_log(runtime).pending() == 0
