"""The competent office: the commune's own for commune-level types, else the nearest,
caller's département first; with distance and opening status."""

from __future__ import annotations

import pytest

from allo.directory.services import DirectoryService, parse_at
from allo.errors import InvalidInput, NotFound

CHRISTMAS = "2026-12-25T10:00"
TUESDAY_MORNING = "2026-12-22T10:00"


def test_commune_level_type_gives_the_communes_own_office(directory: DirectoryService) -> None:
    result = directory.find(None, "Metz", "mairie", TUESDAY_MORNING, 3)
    assert result["place"]["insee"] == "57463"
    offices = result["offices"]
    assert offices[0]["id"] == "mairie-57463-01"
    assert offices[0]["match"] == "commune"
    assert all(o["insee"] == "57463" for o in offices)


def test_nearest_offices_ranked_by_distance_departement_first(directory: DirectoryService) -> None:
    # Saint-Étienne (42) is 50 km from Lyon (69): the Loire's CAF offices come first.
    offices = directory.find(None, "st etienne", "caf", TUESDAY_MORNING, 30)["offices"]
    assert offices[0]["id"].startswith("caf-42218")
    in_dep = [o for o in offices if o["departement"] == "42"]
    others = [o for o in offices if o["departement"] != "42"]
    assert offices == in_dep + others
    assert in_dep and others
    for group in (in_dep, others):
        distances = [o["distance_km"] for o in group]
        assert distances == sorted(distances)
    assert in_dep[0]["distance_km"] < 3
    # The offices in the caller's own commune come first, marked as such.
    own = [o for o in in_dep if o["insee"] == "42218"]
    assert own and in_dep[: len(own)] == own
    assert {o["match"] for o in own} == {"commune"}
    assert {o["match"] for o in in_dep[len(own) :]} == {"departement"}


def test_prefecture_of_metz_with_the_issue_example_shape(directory: DirectoryService) -> None:
    result = directory.find(None, "57463", "prefecture", "2026-12-26T10:00", 1)
    assert result["place"]["insee"] == "57463"
    assert result["place"]["name"] == "Metz"
    office = result["offices"][0]
    assert office["id"] == "prefecture-57463-01"
    assert office["type"] == "prefecture"
    assert 0 < office["distance_km"] < 1
    for key in ("name", "address", "phone", "email", "url", "hours_text", "open", "next_opening"):
        assert key in office
    assert office["hours_text"] == "du lundi au vendredi de 8 h 30 à 15 h 30"
    # Saturday 26 December: closed (weekend, and Saint-Étienne in Moselle).
    assert office["open"] is False
    assert office["next_opening"].startswith("2026-12-28T08:30")


def test_type_by_french_label(directory: DirectoryService) -> None:
    by_label = directory.find(None, "42218", "caisse d'allocations familiales", TUESDAY_MORNING, 2)
    by_code = directory.find(None, "42218", "caf", TUESDAY_MORNING, 2)
    assert by_label["type"]["code"] == "caf"
    assert [o["id"] for o in by_label["offices"]] == [o["id"] for o in by_code["offices"]]


def test_misspelt_type_label_is_still_recognised(directory: DirectoryService) -> None:
    result = directory.find(None, "42218", "caisse d'alocations familliales", TUESDAY_MORNING, 1)
    assert result["type"]["code"] == "caf"


def test_unknown_type_lists_the_valid_types(directory: DirectoryService) -> None:
    with pytest.raises(InvalidInput) as caught:
        directory.find(None, "Metz", "boulangerie", None, 3)
    assert "caf" in caught.value.details["types"]
    assert len(caught.value.details["types"]) == 103
    assert "Type d'organisme inconnu" in caught.value.message


def test_unknown_place_is_not_found_with_suggestions(directory: DirectoryService) -> None:
    with pytest.raises(NotFound) as caught:
        directory.find(None, "Mettz", "caf", None, 3)
    assert "57463" in {s["insee"] for s in caught.value.details["suggestions"]}


@pytest.mark.parametrize("bad", ["demain", "2026-13-01T10:00", "25/12/2026", "2026-12-25T25:00"])
def test_malformed_date_is_a_clear_error(directory: DirectoryService, bad: str) -> None:
    with pytest.raises(InvalidInput, match="Date et heure invalides"):
        directory.find(None, "Metz", "caf", bad, 3)


@pytest.mark.parametrize("limit", [0, -1, 51, 10_000])
def test_limit_out_of_range(directory: DirectoryService, limit: int) -> None:
    with pytest.raises(InvalidInput):
        directory.find(None, "Metz", "caf", None, limit)


def test_paris_arrondissement_town_hall(directory: DirectoryService) -> None:
    result = directory.find(None, "Paris 15", "mairie", TUESDAY_MORNING, 3)
    assert result["type"]["code"] == "paris_mairie_arrondissement"
    assert [o["id"] for o in result["offices"]] == ["paris_mairie_arrondissement-75115-01"]
    city = directory.find(None, "75056", "mairie", TUESDAY_MORNING, 1)
    assert city["offices"][0]["id"] == "paris_mairie-75056-01"


def test_paris_prefecture_is_the_prefecture_de_police(directory: DirectoryService) -> None:
    result = directory.find(None, "Paris 4e", "prefecture", TUESDAY_MORNING, 1)
    assert result["type"]["code"] == "paris_ppp"


def test_marseille_sector_town_hall_covers_two_arrondissements(
    directory: DirectoryService,
) -> None:
    result = directory.find(None, "Marseille 7e", "mairie", TUESDAY_MORNING, 3)
    assert [o["id"] for o in result["offices"]] == ["mairie-13201-01"]
    assert result["offices"][0]["match"] == "commune"


def test_lyon_arrondissement_has_its_own_town_hall(directory: DirectoryService) -> None:
    result = directory.find(None, "Lyon 3e", "mairie", TUESDAY_MORNING, 3)
    assert result["offices"][0]["id"] == "mairie-69383-01"


def test_intercommunality_of_the_commune(directory: DirectoryService) -> None:
    result = directory.find(None, "42218", "epci", TUESDAY_MORNING, 1)
    assert result["offices"][0]["match"] == "epci"
    assert "Saint-Etienne" in result["offices"][0]["name"]


def test_town_hall_absent_from_the_loaded_directory_falls_back_to_nearest(
    directory: DirectoryService,
) -> None:
    # Crupilly (02, 64 inhabitants): its town hall is not in the bundled subset.
    result = directory.find(None, "insee:02244", "mairie", TUESDAY_MORNING, 2)
    assert result["notice"]
    assert all(o["match"] in ("departement", "nearest") for o in result["offices"])
    assert result["offices"][0]["distance_km"] is not None


def test_christmas_everything_is_closed(directory: DirectoryService) -> None:
    offices = directory.find(None, "Metz", "caf", CHRISTMAS, 5)["offices"]
    assert offices
    assert all(o["open"] is not True for o in offices)
    assert any(o["holiday"] == "Noël" for o in offices)


def test_office_by_id(directory: DirectoryService) -> None:
    office = directory.office(None, "prefecture-57463-01", TUESDAY_MORNING)
    assert office["name"] == "Préfecture - Moselle"
    assert office["open"] is True and office["closes_at_text"] == "15 h 30"
    with pytest.raises(NotFound):
        directory.office(None, "nexiste-pas-00000-01")


def test_types_have_labels_and_counts(directory: DirectoryService) -> None:
    types = {t["code"]: t for t in directory.types()}
    assert len(types) == 103
    assert types["caf"]["label"] == "Caisse d'allocations familiales (CAF)"
    assert types["caf"]["offices"] > 100
    assert types["mairie"]["scope"] == "commune"
    assert types["prefecture"]["scope"] == "nearest"


def test_naive_dates_are_paris_time() -> None:
    moment = parse_at("2026-07-01T10:00")
    assert moment.utcoffset().total_seconds() == 2 * 3600
    assert parse_at("2026-07-01T10:00+00:00").utcoffset().total_seconds() == 0
