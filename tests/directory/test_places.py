"""Place resolution over the real communes (COG) shipped with Allo."""

from __future__ import annotations

import pytest

from allo.directory.services import DirectoryService
from allo.directory.text import fold
from allo.errors import InvalidInput, NotFound


@pytest.mark.parametrize(
    "query",
    [
        "st etienne",
        "saint-etienne",
        "Saint Étienne",
        "SAINT-ÉTIENNE",
        "  saint   etienne ",
        "42218",
    ],
)
def test_loosely_typed_names_and_insee_code(directory: DirectoryService, query: str) -> None:
    assert directory.resolve_place(query).place.insee == "42218"


def test_insee_code_answers_with_the_commune(directory: DirectoryService) -> None:
    result = directory.resolve_place("57463")
    assert (result.place.name, result.matched_by) == ("Metz", "insee")
    assert result.place.departement_name == "Moselle"
    assert "57000" in result.place.postal_codes


@pytest.mark.parametrize(
    ("query", "insee"),
    [
        ("Paris", "75056"),
        ("75056", "75056"),
        ("Paris 15", "75115"),
        ("paris 15e", "75115"),
        ("Paris 15ème arrondissement", "75115"),
        ("paris 1er", "75101"),
        ("75101", "75101"),
        ("75015", "75115"),
        ("75116", "75116"),
        ("Lyon", "69123"),
        ("69123", "69123"),
        ("Lyon 3e", "69383"),
        ("69003", "69383"),
        ("Marseille", "13055"),
        ("13055", "13055"),
        ("marseille 13eme", "13213"),
        ("Marseille 1er arrondissement", "13201"),
    ],
)
def test_paris_lyon_marseille_and_their_arrondissements(
    directory: DirectoryService, query: str, insee: str
) -> None:
    assert directory.resolve_place(query).place.insee == insee


def test_postal_code_of_several_communes_lists_them(directory: DirectoryService) -> None:
    result = directory.resolve_place("01100")  # Oyonnax, Arbent, Bellignat, Martignat…
    assert result.matched_by == "postal_code"
    assert result.place.name == "Oyonnax"  # the most populous first
    names = {p.name for p in result.alternatives}
    assert {"Arbent", "Bellignat", "Martignat"} <= names
    by_postal_code = [p for p in [result.place, *result.alternatives] if p.insee != "01100"]
    assert all("01100" in p.postal_codes for p in by_postal_code)
    # 01100 is also an INSEE code (Cheignieu-la-Balme): offered last, as an alternative.
    assert result.alternatives[-1].insee == "01100"


def test_code_that_is_also_a_postal_code_reads_as_postal_code(directory: DirectoryService) -> None:
    # 13001 is Marseille 1er's postal code and Aix-en-Provence's INSEE code.
    result = directory.resolve_place("13001")
    assert result.place.insee == "13201"
    assert "13001" in {p.insee for p in result.alternatives}
    assert directory.resolve_place("insee:13001").place.name == "Aix-en-Provence"
    assert directory.resolve_place("cp 13001").place.insee == "13201"


def test_postal_code_next_to_the_name(directory: DirectoryService) -> None:
    assert directory.resolve_place("13001 Marseille").place.insee == "13201"
    assert directory.resolve_place("42100 Saint-Étienne").place.insee == "42218"


def test_homonyms_are_narrowed_by_departement(directory: DirectoryService) -> None:
    plain = directory.resolve_place("Saint-Denis")
    assert {plain.place.departement, *(p.departement for p in plain.alternatives)} >= {"93", "974"}
    assert directory.resolve_place("Saint-Denis 93").place.insee == "93066"
    assert directory.resolve_place("Saint-Denis (974)").place.insee == "97411"
    assert directory.resolve_place("Metz, Moselle").place.insee == "57463"


def test_name_without_its_article(directory: DirectoryService) -> None:
    assert directory.resolve_place("Havre").place.insee == "76351"
    assert directory.resolve_place("le havre").place.insee == "76351"


def test_unknown_place_suggests_the_closest_communes(directory: DirectoryService) -> None:
    with pytest.raises(NotFound) as caught:
        directory.resolve_place("Sant Etiene")
    suggestions = caught.value.details["suggestions"]
    assert suggestions[0]["insee"] == "42218"
    assert "Vouliez-vous dire" in caught.value.message
    assert all(fold(s["name"]).startswith("saint") or s["name"] for s in suggestions)


@pytest.mark.parametrize("query", ["00000", "insee:99999", "cp 00000"])
def test_unknown_codes(directory: DirectoryService, query: str) -> None:
    with pytest.raises(NotFound):
        directory.resolve_place(query)


@pytest.mark.parametrize("query", ["", "   ", "x" * 500])
def test_empty_or_huge_query(directory: DirectoryService, query: str) -> None:
    with pytest.raises(InvalidInput):
        directory.resolve_place(query)


def test_commune_deleguee_is_found_by_its_name(directory: DirectoryService) -> None:
    result = directory.resolve_place("Arbignieu")  # commune déléguée of Arboys en Bugey (01015)
    assert result.place.kind == "commune-deleguee"
    assert result.place.parent == "01015"


def test_completion_by_prefix_and_postal_code(directory: DirectoryService) -> None:
    names = [p.name for p in directory.suggest_places("saint-eti", 5)]
    assert names[0] == "Saint-Étienne"
    assert all(fold(n).startswith("saint eti") for n in names)
    by_code = directory.suggest_places("4210", 20)
    assert by_code and all(any(cp.startswith("4210") for cp in p.postal_codes) for p in by_code)
    assert directory.suggest_places("", 5) == []


def test_every_commune_has_a_point_for_distances(directory: DirectoryService) -> None:
    for query in ("42218", "57463", "75115", "13207", "97101", "Arbignieu"):
        place = directory.resolve_place(query).place
        assert place.latitude is not None and place.longitude is not None


@pytest.mark.parametrize("query", ["saint denis", "insee:93066", "93066"])
def test_a_merged_commune_is_listed_once(directory: DirectoryService, query: str) -> None:
    # Saint-Denis (93) absorbed Pierrefitte in 2025 and its commune déléguée keeps code and name:
    # the caller must not be offered the same Saint-Denis twice.
    result = directory.resolve_place(query)
    listed = [(p.insee, p.name) for p in [result.place, *result.alternatives]]
    assert len(listed) == len(set(listed))
    assert ("93066", "Saint-Denis") in listed


def test_suggestions_list_a_merged_commune_once(directory: DirectoryService) -> None:
    listed = [(p.insee, p.name) for p in directory.suggest_places("saint-denis", 20)]
    assert len(listed) == len(set(listed))
