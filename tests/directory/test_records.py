"""One office from the source to the stored record: quirks repaired or kept as notes."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from allo.directory.records import content_hash, normalise_feature
from tests.directory.directory_factories import by_id, feature


def normalise(f: Any, departement: str = "99", file_type: str | None = "caf") -> Any:
    return normalise_feature(f, departement=departement, file_type=file_type)


def test_a_plain_office_is_fully_normalised() -> None:
    result = normalise(feature("caf-99001-01"))
    record = result.record
    assert result.problems == []
    assert record["type"] == "caf"
    assert record["insee"] == "99001"
    assert record["departement"] == "99"
    assert (record["latitude"], record["longitude"]) == (45.0, 4.0)
    assert record["phone"] == "04 00 00 00 00"
    assert record["email"] == "accueil@essai.fr"
    assert record["addresses"][0]["lines"] == ["1 place de l'Essai"]
    assert record["addresses"][0]["accessibility"]["code"] == "ACC"
    assert record["updated_on"] == "2017-02-21"


def test_surcharged_phone_keeps_its_cost_note() -> None:
    cost = "Numéro violet : service payant + prix appel"
    f = feature("afpa-99001-01", **{"CoordonnéesNum": {"Téléphone": {"coût": cost, "$t": "3936"}}})
    record = normalise(f).record
    assert record["phone"] == "3936"
    assert record["phone_cost"] == cost


def test_null_coordinates_fall_back_to_the_address_point() -> None:
    f = feature("caf-99001-02", coordinates=[None, None])
    result = normalise(f)
    assert (result.record["latitude"], result.record["longitude"]) == (45.0, 4.0)
    assert "coordonnées reprises de l'adresse" in result.fixes


def test_missing_coordinates_are_reported_and_noted() -> None:
    f = feature("caf-99001-03", coordinates=[None, 44.06])
    f["properties"]["Adresse"].pop("Localisation")
    result = normalise(f)
    assert result.record["latitude"] is None
    assert "coordonnées absentes" in result.problems
    assert any("GPS" in n for n in result.record["notes"])


def test_empty_type_is_inferred_from_the_name() -> None:
    f = feature("28103-03", pivot="", name="Mairie déléguée de Charray", insee="28103")
    result = normalise(f, file_type="28103")
    assert result.record["type"] == "mairie"
    assert "type vide déduit du nom" in result.fixes


def test_empty_type_that_cannot_be_inferred_is_kept_and_reported() -> None:
    f = feature("99001-09", pivot="", name="Bureau sans nom connu")
    result = normalise(f, file_type="99001")
    assert result.record["type"] == ""
    assert "type d'organisme vide" in result.problems


def test_an_email_field_holding_a_url_becomes_the_contact_form() -> None:
    f = feature("urssaf-99001-01", **{"CoordonnéesNum": {"Email": "http://www.contact.urssaf.fr"}})
    record = normalise(f).record
    assert record["email"] is None
    assert record["contact_url"] == "http://www.contact.urssaf.fr"


def test_several_emails_and_mailto_are_split() -> None:
    f = feature(
        "ti-99001-01",
        **{"CoordonnéesNum": {"Email": "mailto:ti-dole@justice.fr et accueil-dole@justice.fr"}},
    )
    record = normalise(f).record
    assert record["email"] == "ti-dole@justice.fr"
    assert any("accueil-dole@justice.fr" in n for n in record["notes"])


def test_incomplete_email_is_noted_not_kept() -> None:
    result = normalise(
        feature("mairie-99001-01", **{"CoordonnéesNum": {"Email": "mairie@chesley"}})
    )
    assert result.record["email"] is None
    assert "adresse électronique invalide" in result.problems


def test_website_without_scheme_is_repaired() -> None:
    record = normalise(
        feature("mairie-99001-02", **{"CoordonnéesNum": {"Url": "www.sijean.fr"}})
    ).record
    assert record["url"] == "http://www.sijean.fr"


@pytest.mark.parametrize("value", [None, "", [], "texte", 42, {"properties": "x"}])
def test_unreadable_features_are_reported_not_raised(value: Any) -> None:
    result = normalise(value)
    assert result.record is None
    assert result.problems


def test_empty_values_become_none() -> None:
    f = feature("caf-99001-04", **{"CoordonnéesNum": {"Téléphone": "", "Email": "  ", "Url": ""}})
    record = normalise(f).record
    assert record["phone"] is None and record["email"] is None and record["url"] is None


def test_content_hash_changes_with_content_only() -> None:
    a = normalise(feature("caf-99001-01")).record
    b = normalise(feature("caf-99001-01")).record
    assert content_hash(a) == content_hash(b)
    b["phone"] = "04 11 11 11 11"
    assert content_hash(a) != content_hash(b)


# ----------------------------------------------------------------------------- real records


@pytest.mark.slow
def test_real_prefecture_of_moselle(
    real_features: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    f = by_id(real_features("57", "prefecture"), "prefecture-57463-01")
    record = normalise(f, "57", "prefecture").record
    assert record["name"] == "Préfecture - Moselle"
    assert record["insee"] == "57463"
    assert record["addresses"][0]["lines"] == ["9, place de la Préfecture", "BP 71014"]
    assert record["phone"] == "03 87 34 87 34"
    assert record["hours"] == [
        {"days": [0, 1, 2, 3, 4], "ranges": [["08:30", "15:30"]], "note": None}
    ]


@pytest.mark.slow
def test_real_pm_hours_of_marseille_ddpp(
    real_features: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    f = by_id(real_features("13", "ddpp"), "ddpp-13055-01")
    result = normalise(f, "13", "ddpp")
    assert "heure au format AM/PM" in result.fixes
    ranges = {tuple(r) for e in result.record["hours"] for r in e["ranges"]}
    assert ("14:00", "17:00") in ranges
    assert ("09:00", "12:00") in ranges


@pytest.mark.slow
def test_real_quoted_time_of_the_aisne_prefecture(
    real_features: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    f = by_id(real_features("02", "prefecture"), "prefecture-02408-01")
    result = normalise(f, "02", "prefecture")
    assert "apostrophe devant l'heure" in result.fixes
    assert any(r[0] == "09:00" for e in result.record["hours"] for r in e["ranges"])


@pytest.mark.slow
def test_real_empty_end_time_is_kept_as_note(
    real_features: Callable[[str, str], list[dict[str, Any]]],
) -> None:
    f = by_id(real_features("15", "mairie"), "mairie-15033-01")
    result = normalise(f, "15", "mairie")
    assert "heure manquante ou illisible" in result.problems
    assert any("incomplète" in (e["note"] or "") for e in result.record["hours"])


@pytest.mark.slow
def test_real_empty_type_record(real_features: Callable[[str, str], list[dict[str, Any]]]) -> None:
    f = by_id(real_features("28", "28103"), "28103-03")
    assert f["properties"]["pivotLocal"] == ""
    assert normalise(f, "28", "28103").record["type"] == "mairie"


@pytest.mark.slow
def test_real_surcharged_number(real_features: Callable[[str, str], list[dict[str, Any]]]) -> None:
    f = real_features("01", "afpa")[0]
    record = normalise(f, "01", "afpa").record
    assert record["phone"] == "3936"
    assert record["phone_cost"].startswith("Numéro violet")


JUNK: list[Any] = [None, "", " ", [], {}, 0, 3.5, "texte", ["a", None], {"$t": None}, {"x": []}]


def test_odd_values_anywhere_never_crash() -> None:
    rng = random.Random(61112)
    paths = [
        ("properties", "id"),
        ("properties", "codeInsee"),
        ("properties", "pivotLocal"),
        ("properties", "Nom"),
        ("properties", "dateMiseAJour"),
        ("properties", "Adresse"),
        ("properties", "CoordonnéesNum"),
        ("properties", "Ouverture"),
        ("properties", "Commentaire"),
        ("geometry",),
    ]
    for _ in range(300):
        f = feature("caf-99001-01", hours={"PlageJ": {"début": "lundi", "fin": "mardi"}})
        for path in rng.sample(paths, rng.randint(1, 4)):
            target = f
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = rng.choice(JUNK)
        result = normalise(f)
        if result.record is not None:
            assert isinstance(result.record["id"], str)
            assert isinstance(result.record["hours"], list)
            assert content_hash(result.record)
