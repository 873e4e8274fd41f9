"""Supervision warns, in a real browser, when a queue has fewer agents present than the plan
requires for the current half-hour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from allo.db.engine import make_engine
from allo.db.session import make_session_factory, unit_of_work
from tests.browser.test_agents import _login, _service_open_all_day
from tests.stats.stats_factories import make_contact

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")


def test_supervision_warns_when_a_queue_is_short(
    new_context: Callable[..., Any],
    live_server: Any,
    check_accessibility: Callable[[Any, str], None],
) -> None:
    # Two past weeks of the same weekday, busy at every half-hour (6 calls of 50 min each): the
    # plan requires far more advisors now than the demo team has, whatever the hour.
    today = datetime.now(PARIS).date()
    engine = make_engine(live_server.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as s:
            for weeks in (1, 2):
                day = today - timedelta(weeks=weeks)
                for slot in range(48):
                    start = datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=PARIS)
                    for i in range(6):
                        make_contact(
                            s, arrived=start + timedelta(minutes=4 * i), wait=30, handling=3000
                        )
    finally:
        engine.dispose()
    api = httpx.Client(base_url=live_server.url)
    with _service_open_all_day(api):
        page = new_context(1400, 1000).new_page()
        _login(page, "supervision")
        page.goto("/supervision")
        warning = page.locator("#alerte-effectifs")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("Effectif insuffisant pour la demi-heure en cours")
        expect(warning).to_contain_text("Premier niveau")
        expect(page.locator("#effectifs-demi-heure")).to_contain_text("Requis")
        check_accessibility(page, "supervision avec alerte d'effectif")
        page.get_by_role("link", name="Voir le besoin du jour").click()
        expect(page.locator("h1")).to_contain_text("Effectifs du")
        expect(page.locator("#file-niveau1 svg")).to_be_visible()
        check_accessibility(page, "page des effectifs")
