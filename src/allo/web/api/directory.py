"""The orientation directory over HTTP: competent office, office sheet, types, place completion,
and "where to go" for a fiche (JSON)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from allo.directory.services import MAX_LIMIT, get_directory
from allo.kb.where import where_for_fiche
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["annuaire"])

PlaceParam = Annotated[
    str,
    Query(
        min_length=1,
        max_length=120,
        description="Commune (nom approximatif), code postal ou code INSEE "
        "(« insee:13001 » pour forcer la lecture INSEE d'un code qui est aussi un code postal).",
    ),
]
AtParam = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Date et heure d'évaluation des horaires, ISO 8601 (2026-12-25T10:00) ; "
        "sans fuseau : heure de Paris. Par défaut : maintenant.",
    ),
]


class PlaceOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    insee: str
    name: str
    label: str
    kind: str = Field(description="commune-actuelle, arrondissement-municipal, commune-deleguee…")
    departement: str
    postal_codes: list[str]
    matched_by: str | None = Field(None, description="insee, postal_code ou name")
    alternatives: list[dict[str, Any]] = Field(default_factory=list)


class OfficeOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str = Field(description="Identifiant DILA (prefecture-57463-01).")
    type: str
    type_label: str
    name: str
    distance_km: float | None = Field(None, description="Distance à la commune (km).")
    match: str | None = Field(
        None, description="commune, epci, departement (même département) ou nearest."
    )
    address: dict[str, Any] | None
    phone: str | None
    phone_cost: str | None = Field(None, description="Coût d'un numéro surtaxé.")
    email: str | None
    url: str | None
    hours_text: str | None = Field(None, description="« du lundi au vendredi de 9 h à 12 h »")
    open: bool | None = Field(description="Ouvert au moment demandé (null : horaires inconnus).")
    closes_at: str | None
    next_opening: str | None
    next_opening_text: str | None
    holiday: str | None = Field(None, description="Jour férié du moment demandé, s'il y en a un.")


class TypeRef(BaseModel):
    code: str
    label: str


class FindOut(BaseModel):
    place: PlaceOut
    type: TypeRef
    requested_type: str
    at: str
    notice: str | None
    offices: list[OfficeOut]


class TypeOut(BaseModel):
    code: str
    label: str
    short: str
    scope: str = Field(description="commune, epci ou nearest (le plus proche).")
    paris_only: bool
    offices: int = Field(description="Nombre d'organismes de ce type dans l'annuaire chargé.")


class PlacesOut(BaseModel):
    query: str
    places: list[PlaceOut]


class WhereEntry(BaseModel):
    pivot: str = Field(description="Code PivotLocal de la fiche.")
    type: str | None
    label: str | None
    notice: str | None
    offices: list[OfficeOut]


class WhereOut(BaseModel):
    fiche: dict[str, Any]
    place: PlaceOut
    at: str
    types: list[WhereEntry]


@router.get("/directory/find", response_model=FindOut, summary="Organisme compétent")
def find(
    session: DbSession,
    runtime: RuntimeDep,
    place: PlaceParam,
    type: Annotated[
        str,
        Query(min_length=1, max_length=120, description="Code (caf) ou libellé du type."),
    ],
    at: AtParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 5,
) -> dict[str, Any]:
    """Les organismes compétents d'un type pour une commune, du plus pertinent au moins
    pertinent, avec la distance, les horaires et s'ils sont ouverts."""
    return get_directory(runtime).find(session, place, type, at, limit)


@router.get(
    "/directory/offices/{office_id}", response_model=OfficeOut, summary="Fiche d'un organisme"
)
def office(
    session: DbSession,
    runtime: RuntimeDep,
    office_id: Annotated[str, Path(max_length=80)],
    at: AtParam = None,
) -> dict[str, Any]:
    return get_directory(runtime).office(session, office_id, at)


@router.get("/directory/types", response_model=list[TypeOut], summary="Types d'organismes")
def types(session: DbSession, runtime: RuntimeDep) -> list[dict[str, Any]]:
    return get_directory(runtime).types(session)


@router.get("/places", response_model=PlacesOut, summary="Communes (saisie assistée)")
def places(
    session: DbSession,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=120, description="Début de nom, code postal…")] = "",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
) -> dict[str, Any]:
    """Communes correspondant à une saisie partielle : code postal, début de nom, nom approché."""
    found = get_directory(runtime).suggest_places(q, limit, session)
    return {"query": q, "places": [p.to_dict() for p in found]}


@router.get(
    "/fiches/{fiche_id}/where", response_model=WhereOut, summary="Où s'adresser pour une fiche"
)
def where(
    session: DbSession,
    runtime: RuntimeDep,
    fiche_id: Annotated[str, Path(max_length=64)],
    place: PlaceParam,
    at: AtParam = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1,
) -> dict[str, Any]:
    """Pour chaque type d'organisme local cité par la fiche (PivotLocal), l'organisme
    compétent pour la commune."""
    return where_for_fiche(get_directory(runtime), session, fiche_id, place, at, limit)
