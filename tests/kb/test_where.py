"""« Où s'adresser » for a fiche: the knowledge base reads the fiche, the directory the offices."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from allo.directory.services import FichePivots, get_directory
from allo.errors import NotFound
from allo.kb.where import where_for_fiche
from allo.runtime import Runtime


def test_an_unknown_fiche_is_a_clear_error(db: Session, runtime: Runtime) -> None:
    with pytest.raises(NotFound, match="Fiche introuvable"):
        where_for_fiche(get_directory(runtime), db, "F0000000", "Metz")


def test_the_directory_answers_for_pivots_without_reading_fiches(
    db: Session, runtime: Runtime
) -> None:
    # no such fiche in the base: the directory only reads the pivots it is given
    fiche = FichePivots("F-NULLE-PART", "Fiche d'essai", ("mairie", "inconnu"))
    result = get_directory(runtime).where_for_fiche(db, fiche, "Metz", "2026-12-22T10:00")
    assert result["fiche"] == {"id": "F-NULLE-PART", "title": "Fiche d'essai"}
    by_pivot = {t["pivot"]: t for t in result["types"]}
    assert by_pivot["mairie"]["offices"][0]["departement"] == "57"
    assert by_pivot["inconnu"]["offices"] == [] and by_pivot["inconnu"]["notice"]
