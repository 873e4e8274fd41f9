"""`allo directory …` and `allo kb where`, run as the real command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli import run_allo as run
from tests.directory.directory_factories import collection, feature, write_archive


@pytest.fixture(scope="module")
def loaded_url(engine: Engine) -> str:
    """The run's database, already loaded with the bundled directory (read-only use here)."""
    return engine.url.render_as_string(hide_password=False)


def test_find_json_shape(loaded_url: str, tmp_path: Path) -> None:
    done = run(
        loaded_url, tmp_path, "directory", "find", "--place", "Metz", "--type", "prefecture",
        "--at", "2026-12-25T10:00", "--limit", "2", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["place"]["insee"] == "57463"
    assert body["offices"][0]["id"] == "prefecture-57463-01"
    assert body["offices"][0]["open"] is False
    assert len(body["offices"]) == 2


def test_find_human_output(loaded_url: str, tmp_path: Path) -> None:
    done = run(
        loaded_url, tmp_path, "directory", "find", "-p", "st etienne", "-t", "caf",
        "--at", "2026-12-22T10:00", "-n", "1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Saint-Étienne" in done.stdout
    assert "Ouvert" in done.stdout or "Fermé" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--place", "Metz", "--type", "caf", "--at", "25/12/2026"), "Date et heure invalides"),
        (("--place", "Metz", "--type", "boulangerie"), "Type d'organisme inconnu"),
        (("--place", "Mettz", "--type", "caf"), "Commune introuvable"),
        (("--place", "Metz", "--type", "caf", "--limit", "0"), "entre 1 et 50"),
    ],
)
def test_find_bad_input_is_a_french_error(
    loaded_url: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = run(loaded_url, tmp_path, "directory", "find", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_types_and_place(loaded_url: str, tmp_path: Path) -> None:
    types = run(loaded_url, tmp_path, "directory", "types", "--json")
    assert types.returncode == 0, types.stderr
    assert len(json.loads(types.stdout)) == 103
    place = run(loaded_url, tmp_path, "directory", "place", "01100", "--json")
    assert json.loads(place.stdout)["name"] == "Oyonnax"


def test_kb_where_unknown_fiche(loaded_url: str, tmp_path: Path) -> None:
    done = run(loaded_url, tmp_path, "kb", "where", "F0000000", "--place", "Metz")
    assert done.returncode == 2
    assert "Fiche introuvable" in done.stderr


def test_import_then_reimport_on_a_fresh_database(
    make_database: Callable[[], str], tmp_path: Path
) -> None:
    url = make_database()
    archive = write_archive(
        tmp_path / "annuaire.tar.xz",
        {
            "99/caf.json": collection(
                feature("caf-99001-01"), feature("caf-99002-01", insee="99002")
            )
        },
    )
    first = run(url, tmp_path, "directory", "import", str(archive), "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["offices"]["new"] == 2
    second = run(url, tmp_path, "directory", "import", str(archive))
    assert second.returncode == 0, second.stderr
    said = " ".join(second.stderr.split())  # Rich wraps lines at the terminal width
    assert "Organismes : 2 lus dans 1 fichier en " in said
    assert "— 0 nouveau, 0 modifié, 2 inchangés, 0 supprimé." in said  # each count agrees
    nothing = run(url, tmp_path, "directory", "import", str(tmp_path / "absent.tar.xz"))
    assert nothing.returncode != 0
    assert "Rien à importer" in nothing.stderr or "introuvable" in nothing.stderr


def test_find_marks_the_competent_office_like_the_api(
    engine: Engine, loaded_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import delete

    from allo.directory.models import Competence, Dataset

    nearest = run(loaded_url, tmp_path, "directory", "find", "-p", "Metz", "-t", "caf", "-n", "3", "--json")  # fmt: skip
    chosen = json.loads(nearest.stdout)["offices"][2]  # not the nearest: only the data can
    source = tmp_path / "competence.csv"
    source.write_text(
        "code_insee_commune;nom_commune;id_service_local;code_type_service_local\n"
        f"57463;Metz;{chosen['id']};caf\n",
        encoding="utf-8",
    )
    try:
        loaded = run(loaded_url, tmp_path, "directory", "import", str(source))
        assert loaded.returncode == 0, loaded.stderr
        done = run(loaded_url, tmp_path, "directory", "find", "-p", "Metz", "-t", "caf", "-n", "2")  # fmt: skip
        assert done.returncode == 0, done.stderr
        lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
        first = next(i for i, line in enumerate(lines) if line.startswith(chosen["name"]))
        assert lines[first + 1] == "Compétent pour votre commune"
        assert lines.count("Compétent pour votre commune") == 1
        as_json = run(loaded_url, tmp_path, "directory", "find", "-p", "Metz", "-t", "caf", "--json")  # fmt: skip
        office = json.loads(as_json.stdout)["offices"][0]
        assert (office["id"], office["match"]) == (chosen["id"], "competent")
    finally:  # the run's shared database is left as it was
        with engine.begin() as connection:
            connection.execute(delete(Competence))
            connection.execute(delete(Dataset).where(Dataset.name == "competence"))
