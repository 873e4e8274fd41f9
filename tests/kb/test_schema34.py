"""Schema 3.4 publications (real DILA files of 2021–2025) in the same base as schema 3.3."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.kb import services
from allo.kb.dila import parse_publication, schema_of
from allo.kb.render.links import current_url, official_url
from allo.kb.safexml import parse_xml

DATA = Path(__file__).parent / "data"
V34 = DATA / "schema-3.4"
V34_FILES = sorted(V34.glob("*/*.xml"))


def _import(factory: sessionmaker[Session], *paths: Path) -> None:
    with unit_of_work(factory) as session:
        report = services.import_paths(session, list(paths), workers=1)
    assert report.ok, report.skipped
    assert not report.warnings, report.warnings


@pytest.mark.parametrize("path", V34_FILES, ids=lambda p: p.stem)
def test_every_real_34_publication_parses_without_warning(path: Path) -> None:
    variant = parse_publication(path.read_bytes(), feed_hint=path.parent.name)
    assert variant.warnings == []
    assert schema_of(parse_xml(path.read_bytes())) == "3.4"
    # today's addresses, whatever the publication's own spUrl says
    assert ".service-public.gouv.fr/" in variant.fields["url"]


def test_qui_peut_m_aider_is_where_to_go_like_ou_s_adresser(
    fresh_db: sessionmaker[Session],
) -> None:
    _import(fresh_db, V34 / "particuliers", V34 / "associations", DATA / "schema-3.3-2024")
    with unit_of_work(fresh_db) as session:
        f2918 = services.get_fiche(session, "F2918")
        # the local office types, as the directory knows them: `allo kb where` and the page use these
        assert f2918.pivots == ["cij", "mission_locale"]
        # a QuiPeutMAider without PivotLocal is a national contact
        assert [c["id"] for c in f2918.contacts] == ["R66403"]
        assert f2918.contacts[0]["url"].startswith("https://alternance.emploi.gouv.fr/")
        html = services.fiche_html(session, f2918)
        # a 3.3 fiche of the same period, imported beside it, keeps its OuSAdresser
        f303 = services.get_fiche(session, "F303")
        assert f303.pivots
    tree = etree.fromstring(f"<root>{html.replace('&nbsp;', '&#160;')}</root>")
    section = tree.find(".//section[@class='allo-annexe allo-section-quipeutmaider']")
    assert section is not None
    assert "".join(section.find("h2").itertext()) == "Qui peut m'aider ?"
    # the office cards carry their type: the page puts the nearest office there
    cards = section.findall(".//div[@data-pivot]")
    assert [c.get("data-pivot") for c in cards] == ["cij", "mission_locale"]
    # Exemple (new in 3.4) is a titled box inside its chapter
    examples = tree.findall(".//div[@class]")
    assert any("allo-callout--exemple" in (d.get("class") or "") for d in examples)


def test_online_services_keep_their_types_and_notices(fresh_db: sessionmaker[Session]) -> None:
    _import(fresh_db, V34 / "particuliers")
    with unit_of_work(fresh_db) as session:
        services_ = services.get_fiche(session, "F2918").services
    kinds = {s["kind"] for s in services_}
    assert {"teleservice", "formulaire", "simulateur", "modele"} <= kinds
    root = parse_xml((V34 / "particuliers" / "F2918.xml").read_bytes())
    # 9 ServiceEnLigne, 7 distinct (the same form is offered in two cases)
    offered = {el.get("ID") for el in root.iter("ServiceEnLigne")}
    assert offered <= {s["id"] for s in services_}
    assert len(offered) == 7
    notices = [n.get("URL") for n in root.iter("NoticeLiee")]
    assert notices, "F2918 has notices"
    assert {s["url"] for s in services_ if s["kind"] == "notice"} >= {
        current_url(u) for u in notices if u
    }


def test_a_later_schema_is_read_with_a_warning() -> None:
    data = (
        (V34 / "particuliers" / "F2918.xml").read_bytes().replace(b"Schemas/3.4/", b"Schemas/3.9/")
    )
    variant = parse_publication(data)
    assert variant.fields["pivots"] == ["cij", "mission_locale"]
    assert variant.warnings == ["schéma 3.9 non reconnu : lu comme le schéma 3.5"]
    assert not parse_publication(data.replace(b"Schemas/3.9/", b"Schemas/3.5/")).warnings


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "https://www.service-public.fr/particuliers/vosdroits/F1342",
            "https://www.service-public.gouv.fr/particuliers/vosdroits/F1342",
        ),
        (
            "http://service-public.fr/associations/vosdroits/F1?x=1#a",
            "https://www.service-public.gouv.fr/associations/vosdroits/F1?x=1#a",
        ),
        (
            "https://www.service-public.fr/professionnels-entreprises/vosdroits/F31400",
            "https://entreprendre.service-public.gouv.fr/vosdroits/F31400",
        ),
        (
            "https://entreprendre.service-public.fr/vosdroits/N17310",
            "https://entreprendre.service-public.gouv.fr/vosdroits/N17310",
        ),
        (
            "https://entreprendre.service-public.gouv.fr/vosdroits/R49994",
            "https://entreprendre.service-public.gouv.fr/vosdroits/R49994",
        ),
        (
            "https://lecomarquage.service-public.fr/vdd/3.4/part/zip/vosdroits-latest.zip",
            "https://lecomarquage.service-public.fr/vdd/3.4/part/zip/vosdroits-latest.zip",
        ),
        (
            "https://www.service-public.fr.evil.example/x",
            "https://www.service-public.fr.evil.example/x",
        ),
        ("https://www.legifrance.gouv.fr/x", "https://www.legifrance.gouv.fr/x"),
    ],
)
def test_service_public_links_point_to_todays_sites(old: str, new: str) -> None:
    assert current_url(old) == new


def test_official_urls_per_audience() -> None:
    assert official_url("F1", "professionnels") == (
        "https://entreprendre.service-public.gouv.fr/vosdroits/F1"
    )
    assert official_url("F1", "associations").startswith("https://www.service-public.gouv.fr/")


def _html(path: Path) -> etree._Element:
    from allo.kb.render.dila_html import render_html_element

    html = render_html_element(parse_xml(path.read_bytes()))
    return etree.fromstring(f"<root>{html.replace('&nbsp;', '&#160;')}</root>")


def test_34_warning_image_and_glossary_render() -> None:
    tree = _html(V34 / "particuliers" / "F2918.xml")
    warning = tree.find(".//div[@role='note']")
    assert warning is not None
    assert "".join(warning.find("p").itertext()) == "Mobilité internationale des apprentis"
    figure = tree.find(".//figure")
    assert figure is not None  # the image itself is not in the export: its text alternative is
    assert "Illustration : " in "".join(figure.itertext())
    glossary = _html(V34 / "particuliers" / "F21517.xml")
    link = glossary.find(".//a[@class='allo-glossaire-lien']")
    assert link is not None and link.get("href") == "#glossaire-R60932"
    assert glossary.find(".//dl[@class='allo-glossaire']/dt[@id='glossaire-R60932']") is not None


def test_an_older_declared_schema_is_read_as_today_without_warning() -> None:
    """Real 2020 publications still declare schema 3.0: the same elements as 3.3."""
    data = (
        (V34 / "particuliers" / "F2918.xml").read_bytes().replace(b"Schemas/3.4/", b"Schemas/3.0/")
    )
    variant = parse_publication(data)
    assert variant.fields["pivots"] == ["cij", "mission_locale"]
    assert variant.warnings == []
