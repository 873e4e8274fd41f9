"""« Où s'adresser » for a fiche: the competent office of each type of local office it names
(PivotLocal), for a place. The fiche is the knowledge base's; the offices are the directory's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from allo.directory.places import Place
from allo.directory.services import DirectoryService, FichePivots
from allo.errors import NotFound
from allo.kb import repository


def where_for_fiche(
    directory: DirectoryService,
    session: Session,
    fiche_id: str,
    place: str | Place,
    at: str | datetime | None = None,
    limit: int | None = 1,
) -> dict[str, Any]:
    """For each PivotLocal type of the fiche, the competent office for the place."""
    found = repository.fiche_pivots(session, fiche_id)
    if found is None:
        raise NotFound(f"Fiche introuvable : « {fiche_id[:64]} ».")
    title, pivots = found
    fiche = FichePivots(fiche_id, title, tuple(pivots))
    return directory.where_for_fiche(session, fiche, place, at, limit)
