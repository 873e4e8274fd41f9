"""Reading a search query for an office type and a place ("caf lyon", "horaires mairie 13008")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allo.directory.query import detect, type_span
from allo.directory.services import DirectoryService
from allo.directory.text import fold
from allo.directory.types import DATA_DIR, catalog

TUESDAY_MORNING = "2026-12-22T10:00"


@pytest.mark.parametrize(
    ("query", "office_type", "insee", "rest"),
    [
        ("caf lyon", "caf", "69123", "caf"),
        ("horaires mairie 13008", "mairie", "13208", "horaires mairie"),
        ("prefecture metz carte grise", "prefecture", "57463", "prefecture carte grise"),
        ("impots saint etienne", "sip", "42218", "impots"),
        ("caf st etienne", "caf", "42218", "caf"),
        ("caf saint denis 974", "caf", "97411", "caf"),
        ("mairie 13001 marseille", "mairie", "13201", "mairie"),
        ("Mairie Paris 15e", "mairie", "75115", "Mairie"),
        ("assurance maladie toulouse", "cpam", "31555", "assurance maladie"),
        # the place's own département, by name or code, is a place word too (with its article)
        ("prefecture du nord lille", "prefecture", "59350", "prefecture"),
        ("prefecture lille nord carte grise", "prefecture", "59350", "prefecture carte grise"),
        ("caf 59 lille", "caf", "59350", "caf"),
        ("caf marseille bouches-du-rhône", "caf", "13055", "caf"),
        ("caf des bouches du rhone marseille", "caf", "13055", "caf"),
        # another département's name is not this place's: it stays in the fiche query
        ("prefecture lille gironde", "prefecture", "59350", "prefecture gironde"),
    ],
)
def test_type_and_place_are_read_and_the_place_words_removed(
    directory: DirectoryService, db: object, query: str, office_type: str, insee: str, rest: str
) -> None:
    found = detect(query, directory.index(db).places, catalog())  # type: ignore[arg-type]
    assert found is not None
    assert (found.office_type, found.place.insee, found.rest) == (office_type, insee, rest)


@pytest.mark.parametrize(
    "query",
    [
        "carte grise perdue",  # no type, no place
        "caf",  # a type, no place
        "lyon",  # one word
        "demenagement a lyon",  # a place, no type
        "allocations familiales montant",  # a type, no commune
    ],
)
def test_a_query_without_both_a_type_and_a_place_is_left_alone(
    directory: DirectoryService, db: object, query: str
) -> None:
    assert detect(query, directory.index(db).places, catalog()) is None  # type: ignore[arg-type]
    assert directory.for_query(db, query, TUESDAY_MORNING) == (query, None)  # type: ignore[arg-type]


def test_type_span_needs_no_database_and_prefers_the_longest_name() -> None:
    assert type_span("impots des entreprises bordeaux", catalog()) == (0, 3, "sie")
    assert type_span("carte grise perdue", catalog()) is None
    assert type_span("", catalog()) is None


@pytest.mark.parametrize(
    ("query", "span"),
    [
        # « tribunal » alone is what callers say for the tribunal judiciaire (the former TGI)…
        ("tribunal nantes divorce", (0, 1, "tgi")),
        ("palais de justice lyon", (0, 3, "tgi")),
        # …but any type's own name wins, longer or not
        ("tribunal administratif de nantes", (0, 2, "ta")),
        ("tribunal de commerce lyon", (0, 3, "tribunal_commerce")),
        ("tribunal des prud'hommes nantes", (2, 3, "prudhommes")),
        # what callers call the labour court and the family judge
        ("tribunal du travail lyon", (0, 3, "prudhommes")),
        ("jaf lyon garde", (0, 1, "tgi")),
        ("maison de justice lille", (0, 3, "mjd")),
        ("finances publiques metz", (0, 2, "sip")),
    ],
)
def test_a_vague_query_alias_names_a_type_only_where_no_name_does(
    query: str, span: tuple[int, int, str]
) -> None:
    assert type_span(query, catalog()) == span


def test_a_query_alias_never_guesses_an_office_type_from_its_name() -> None:
    types = catalog()
    assert types.resolve("tribunal").code == "tgi"  # a type filter typed by an advisor
    assert types.infer_from_name("Tribunal paritaire des baux ruraux de Nantes") is None
    assert types.infer_from_name("Tribunal de commerce de Nantes") == "tribunal_commerce"


def test_tribunal_and_a_place_give_that_place_s_tribunal_judiciaire(
    directory: DirectoryService,
) -> None:
    rest, result = directory.for_query(None, "tribunal nantes divorce", TUESDAY_MORNING)
    assert rest == "tribunal divorce"
    assert result is not None
    assert result["place"]["insee"] == "44109"
    assert result["offices"][0]["name"] == "Tribunal de grande instance de Nantes"


def test_for_query_gives_the_competent_offices_with_their_hours(
    directory: DirectoryService,
) -> None:
    rest, result = directory.for_query(None, "prefecture metz carte grise", TUESDAY_MORNING)
    assert rest == "prefecture carte grise"
    assert result is not None
    assert result["place"]["insee"] == "57463"
    assert result["query"] == {"place_text": "metz", "rest": rest}
    first = result["offices"][0]
    assert first["id"] == "prefecture-57463-01"
    assert first["open"] is True  # a Tuesday at 10 h
    assert first["hours"]


ORDINARY = {"titre", "frais", "garde", "paris", "sejour", "acte", "naissance", "contre", "mon"}


@pytest.mark.parametrize(
    ("query", "insee", "rest"),
    [
        # one word the base uses (« titre »: Le Titre, Somme, 332 inhabitants) is a word
        ("prefecture titre de sejour", None, None),
        ("caf frais de garde", None, None),
        ("comment saisir les prud'hommes contre mon ancien employeur", None, None),  # Contre
        ("prefecture lyon titre de sejour", "69123", "prefecture titre de sejour"),
        # unless nothing else is left to read, or the city is large, or the name is not a word
        ("mairie frais", "90050", "mairie"),
        ("mairie le titre", "80763", "mairie"),
        ("mairie paris acte de naissance", "75056", "mairie acte de naissance"),
        ("caf metz frais de garde", "57463", "caf frais de garde"),
    ],
)
def test_an_ordinary_word_names_a_small_commune_only_when_nothing_else_is_left(
    directory: DirectoryService, db: object, query: str, insee: str | None, rest: str | None
) -> None:
    places = directory.index(db).places  # type: ignore[arg-type]
    found = detect(query, places, catalog(), lambda word: fold(word) in ORDINARY)
    assert (found and (found.place.insee, found.rest)) == (insee and (insee, rest))
    # without the base's vocabulary, as before: the word is read as the commune
    assert detect("prefecture titre de sejour", places, catalog()) is not None


def test_a_types_file_with_a_name_list_written_as_a_string_is_refused(tmp_path: Path) -> None:
    from allo.directory.types import _build

    raw = json.loads((DATA_DIR / "types.json").read_text(encoding="utf-8"))
    assert _build(DATA_DIR / "types.json").types  # the shipped file holds
    raw["types"][0]["query_aliases"] = "tribunal"  # would be read « t », « r », « i »…
    bad = tmp_path / "types.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="query_aliases"):
        _build(bad)
