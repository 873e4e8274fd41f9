"""The staffing page: one chart per queue, the roster's gaps, the week view; supervisors only."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from allo.stats.staffing import roster
from tests.contacts.service_helpers import login

PARIS = ZoneInfo("Europe/Paris")


def test_staffing_page_shows_required_vs_rostered(client: Any, db: Session) -> None:
    roster.import_roster(
        db, b"count;queue;date;start;end\n40;niveau1;2031-06-03;08:00;20:00\n", PARIS
    )
    _advisor, advisor = login(db, "advisor")
    assert client.get("/supervision/effectifs", headers=advisor).status_code == 403
    _sup, sup = login(db, "supervisor")
    page = client.get("/supervision/effectifs?jour=2031-06-03", headers=sup)
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count('<svg class="allo-chart"') == 7
    assert "Premier niveau : agents requis et planifiés" in html
    assert "profil déclaré" in html
    # 40 advisors all day cover level 1 except at the morning peak; sectors have nobody.
    assert "demi-heures en sous-effectif" in html
    assert 'href="/supervision/effectifs?jour=2031-06-07"' in html  # the week's Saturday
    assert "écrits : " in html and "à traiter en différé" in html  # web questions, per queue
    closed = client.get("/supervision/effectifs?jour=2031-12-25", headers=sup)
    assert "Le service est fermé ce jour-là (jour férié (Noël))" in closed.text
    bad = client.get("/supervision/effectifs?jour=hier", headers=sup)
    assert bad.status_code == 200 and "AAAA-MM-JJ" in bad.text
