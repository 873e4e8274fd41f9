"""Server-side SVG charts: valid SVG, said in words for screen readers, proportional, escaped."""

from __future__ import annotations

from lxml import etree

from allo.web.charts import Bar, bar_chart, column_chart, share_bar

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode())


def test_bar_chart_is_an_accessible_image_with_the_figures_in_words() -> None:
    svg = _parse(bar_chart("Appels par secteur", [Bar("Travail", 12), Bar("Justice", 3)]))
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Appels par secteur"
    desc = svg.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == "Travail : 12; Justice : 3"


def test_bars_are_proportional_to_their_values() -> None:
    svg = _parse(bar_chart("t", [Bar("a", 10), Bar("b", 5), Bar("c", 0)]))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0


def test_labels_are_escaped() -> None:
    markup = bar_chart("<b>", [Bar("<script>alert(1)</script>", 1)])
    assert "<script>" not in markup
    assert _parse(markup).find(f"{SVG}title").text == "<b>"


def test_empty_charts_say_so() -> None:
    for markup in (bar_chart("t", []), share_bar("t", []), column_chart("t", [])):
        svg = _parse(markup)
        assert svg.find(f"{SVG}desc").text == "aucune donnée"


def test_share_bar_splits_the_width_by_share() -> None:
    svg = _parse(
        share_bar(
            "Résolution", [Bar("Niveau 1", 56, "resolved"), Bar("Escaladés", 44, "escalated")]
        )
    )
    rects = [r for r in svg.iter(f"{SVG}rect") if r.get("y") == "4"]
    assert [float(r.get("width")) for r in rects] == [358.4, 281.6]
    assert svg.find(f"{SVG}desc").text == "Niveau 1 : 56 %; Escaladés : 44 %"


def test_chart_ids_are_unique_within_a_page() -> None:
    first = _parse(bar_chart("a", [Bar("x", 1)])).get("aria-labelledby")
    second = _parse(bar_chart("a", [Bar("x", 1)])).get("aria-labelledby")
    assert first != second
