"""The vendored front-end assets are complete, pinned and licensed (see scripts/vendor_web.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "allo" / "web"
STATIC = WEB / "static"
ICON_CLASS = re.compile(r"fr-icon-[a-z0-9-]+")
CSS_URL = re.compile(r"url\(([^)\"']+)\)")
STATIC_REF = re.compile(r"""["'(](/static/[^"')#?]+)""")
PICTOGRAM = re.compile(r"pictogram\(\s*[\"']([a-z-]+/[a-z0-9-]+)[\"']")


def _sources() -> list[Path]:
    return [*WEB.joinpath("templates").rglob("*.html"), *WEB.joinpath("pages").rglob("*.py")]


def test_versions_match_the_pins_of_package_json() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    vendored = json.loads((STATIC / "VERSIONS.json").read_text())
    assert vendored == pins
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pins.values()), "exact pins only"
    assert pins["htmx.org"].startswith("2.")


def test_licences_are_vendored_with_the_code() -> None:
    assert "Etalab" in (STATIC / "dsfr" / "LICENSE.md").read_text()
    assert "BSD" in (STATIC / "htmx" / "LICENSE").read_text()
    assert (
        "Mozilla Public License"
        in (ROOT / "tests" / "browser" / "vendor" / "axe-core.LICENSE").read_text()
    )


def test_every_icon_class_used_has_a_rule() -> None:
    css = (STATIC / "dsfr" / "dsfr.min.css").read_text() + (
        STATIC / "dsfr" / "utility" / "icons" / "icons.min.css"
    ).read_text()
    defined = set(re.findall(r"\.(fr-icon-[a-z0-9-]+)", css))
    used = {name for path in _sources() for name in ICON_CLASS.findall(path.read_text())}
    assert used, "templates use DSFR icons"
    assert used - defined == set(), "run `npm run vendor` to vendor the new icons"


def test_every_url_in_vendored_css_resolves() -> None:
    for css in STATIC.rglob("*.css"):
        for ref in CSS_URL.findall(css.read_text()):
            if ref.startswith("data:") or ref.endswith(".woff"):
                continue  # .woff is the fallback of .woff2, which every supported browser reads
            assert (css.parent / ref).resolve().is_file(), f"{css.name}: {ref}"


def test_every_static_file_and_pictogram_referenced_exists() -> None:
    for path in _sources():
        text = path.read_text()
        for ref in STATIC_REF.findall(text):
            if "{{" in ref:
                continue
            assert (STATIC / ref.removeprefix("/static/")).is_file(), f"{path.name}: {ref}"
        for name in PICTOGRAM.findall(text):
            svg = STATIC / "dsfr" / "artwork" / "pictograms" / f"{name}.svg"
            assert svg.is_file(), f"{path.name}: pictogram {name}"


def test_vendored_size_stays_reasonable() -> None:
    total = sum(p.stat().st_size for p in STATIC.rglob("*") if p.is_file())
    assert total < 4_000_000


@pytest.mark.parametrize(
    "path",
    ["/static/dsfr/dsfr.min.css", "/static/htmx/htmx.min.js", "/static/allo.js"],
)
def test_static_files_are_served(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.content) > 1000
