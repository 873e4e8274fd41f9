"""The 2017 tree rewritten in the 2022 JSON layout: an office read from the JSON equals the same
office read from the 2017 tree, field by field (sample of real files; the whole directory in a
`slow` test)."""

from __future__ import annotations

import json
import tarfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from allo.directory.convert import convert_2017, service_of, uuid_for
from allo.directory.records import normalise_feature
from allo.directory.records_json import normalise_service
from allo.directory.source import iter_source
from allo.directory.source_json import DUMP, read_json_source
from tests.directory.conftest import REAL_FILES
from tests.directory.directory_factories import collection, feature, write_folder

#: what only the JSON format has (a 2017 office has no UUID)
JSON_ONLY = {"uuid"}


def differences(raw: dict[str, Any], departement: str, file_type: str) -> dict[str, Any]:
    old = normalise_feature(raw, departement=departement, file_type=file_type)
    new = normalise_service(service_of(raw))
    assert old.record is not None and new.record is not None
    found = {
        key: (value, new.record.get(key))
        for key, value in old.record.items()
        if key not in JSON_ONLY and new.record.get(key) != value
    }
    if Counter(old.problems) != Counter(new.problems):
        found["problems"] = (old.problems, new.problems)
    if Counter(old.fixes) != Counter(new.fixes):
        found["fixes"] = (old.fixes, new.fixes)
    return found


def test_real_offices_are_equal_field_by_field(
    real_features: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    compared = 0
    for departement, name in REAL_FILES:
        for raw in real_features(departement, name):
            assert differences(raw, departement, name) == {}, raw["properties"]["id"]
            compared += 1
    assert compared > 100


def test_quirks_survive_the_conversion() -> None:
    raw = feature(
        "caf-99001-01",
        hours={
            "PlageJ": [
                {
                    "début": "lundi",
                    "fin": "vendredi",
                    "PlageH": [
                        {"début": "'09:00:00", "fin": "12:00:00"},
                        {"début": "2:00:00 PM", "fin": "5:00:00 PM"},
                    ],
                    "Note": "sur rendez-vous l'après-midi",
                },
                {"début": "samedi", "fin": None, "PlageH": {"début": "09:00:00", "fin": ""}},
            ]
        },
        Commentaire="Fermé en août.",
        CoordonnéesNum={
            "Téléphone": [{"$t": "0 820 25 42 10", "coût": "0,118 €/min"}, "04 00 00 00 01"],
            "Email": "mailto:a@essai.fr ; b@essai.fr",
            "Url": "www.caf.fr",
            "Sve": "https://caf.fr/contact",
        },
    )
    assert differences(raw, "99", "caf") == {}
    service = service_of(raw)
    assert service is not None
    assert service["id"] == uuid_for("caf-99001-01") and service["ancien_code_pivot"]
    assert service["plage_ouverture"][0]["valeur_heure_debut_1"] == "'09:00:00"  # kept raw
    record = normalise_service(service).record
    assert record is not None
    assert record["phone_cost"] == "0,118 €/min"
    assert [p["number"] for p in record["details"]["phones"]] == [
        "0 820 25 42 10",
        "04 00 00 00 01",
    ]


def test_convert_command_writes_a_dump_and_an_archive(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "src",
        {"99/caf.json": collection(feature("caf-99001-01"), feature("caf-99002-01"))},
    )
    result = convert_2017(folder, tmp_path / "out" / "annuaire.json")
    assert result["services"] == 2
    data = json.loads((tmp_path / "out" / "annuaire.json").read_text(encoding="utf-8"))
    assert [s["ancien_code_pivot"] for s in data["service"]] == ["caf-99001-01", "caf-99002-01"]
    archive = tmp_path / "out" / "all_latest.tar.bz2"
    convert_2017(folder, archive)
    with tarfile.open(archive) as tar:
        assert [m.name.endswith("-data.gouv_local.json") for m in tar] == [True]
    source = read_json_source(archive)
    assert (source.format, len(source.services)) == (DUMP, 2)
    assert not list((tmp_path / "out").glob("*.partial"))


@pytest.mark.slow
def test_the_whole_directory_is_equal_field_by_field(shared_data: Path) -> None:
    """All 61,112 offices: only the one whose GeoJSON point differs from its address's point
    (the JSON layout has the address's only) is allowed to differ, and only there."""
    compared = 0
    allowed = {"tgi-24322-01": {"latitude", "longitude"}}
    for item in iter_source(shared_data / "annuaire-bdl-2017.tar.xz"):
        for raw in item.data["features"]:
            found = differences(raw, item.departement, item.file_type)
            office_id = raw["properties"]["id"]
            assert set(found) <= allowed.get(office_id, set()), (office_id, found)
            compared += 1
    assert compared == 61_112
