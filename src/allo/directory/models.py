"""Tables of the directory domain: offices, communes (with their point), départements, EPCI.

Offices keep the DILA identifiers (`prefecture-57463-01`); communes the INSEE COG codes.
`directory_dataset` holds one row per loaded dataset with a token that changes whenever its
content does, so every process knows when to rebuild its in-memory index.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from allo.db.base import Base, UTCDateTime, utcnow


class Office(Base):
    __tablename__ = "directory_office"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: pivotLocal code ("mairie", "caf", …); see allo/data/directory/types.json
    type: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text)
    insee: Mapped[str] = mapped_column(String(5), index=True)
    #: the département folder the office was published in ("57", "2A", "971")
    departement: Mapped[str] = mapped_column(String(3), index=True)
    #: [{"kind": "physique|postale", "lines", "postal_code", "city", "accessibility", "latitude", "longitude"}]
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: cost note of a surcharged number ("Numéro violet : service payant…")
    phone_cost: Mapped[str | None] = mapped_column(Text, nullable=True)
    fax: Mapped[str | None] = mapped_column(String(255), nullable=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: online contact form or electronic submission service
    contact_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: [{"days": [0..6], "ranges": [["09:00", "12:00"]], "note": str | None}] (see directory.hours)
    hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: DILA's identifier since the 2022 JSON format (the office `id` stays the 2017 one)
    uuid: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    siret: Mapped[str | None] = mapped_column(String(14), nullable=True)
    siren: Mapped[str | None] = mapped_column(String(9), nullable=True)
    #: the office's page on lannuaire.service-public.gouv.fr
    url_service_public: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: UUID of the office this one depends on (`hierarchie`), when the data says so
    parent_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    #: further pivot types of an office published under several, space-separated
    other_types: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: the JSON format's lists: {"phones": [{"number", "description"}], "emails": [...],
    #: "websites": [{"label", "url"}], "contact_forms": [...], "communes": [...],
    #: "hierarchy": [{"kind", "uuid"}], "information": str} — keys only when non-empty
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: what the importer could not repair, in French, shown with the office
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_directory_office_type_insee", "type", "insee"),)


class Competence(Base):
    """Which office of a type serves a commune, as DILA publishes it ("compétence géographique
    des services locaux", or the per-commune files of the bulk dump).

    `service` is the office's UUID (or its id when the source gives that), resolved against the
    offices when the in-memory index is built, so either dataset may be loaded first.
    """

    __tablename__ = "directory_competence"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    office_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(80), primary_key=True)


class Commune(Base):
    """A commune of the COG: current commune, arrondissement municipal, or commune déléguée /
    associée (which may share its code with the commune it belongs to, hence the kind in the key)."""

    __tablename__ = "directory_commune"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    #: commune-actuelle, arrondissement-municipal, commune-deleguee, commune-associee
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    #: the commune an arrondissement or a commune déléguée belongs to
    parent: Mapped[str | None] = mapped_column(String(5), nullable=True)
    departement: Mapped[str] = mapped_column(String(3), index=True)
    region: Mapped[str | None] = mapped_column(String(3), nullable=True)
    postal_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: former INSEE codes merged into this commune
    former_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    epci: Mapped[str | None] = mapped_column(String(9), nullable=True, index=True)
    population: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: how the point was found: mairie, offices, former, parent (see docs/DATA.md)
    point_source: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Departement(Base):
    __tablename__ = "directory_departement"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(3), nullable=True)
    region_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    chef_lieu: Mapped[str | None] = mapped_column(String(5), nullable=True)
    #: metro, drom, com
    zone: Mapped[str | None] = mapped_column(String(8), nullable=True)


class Epci(Base):
    __tablename__ = "directory_epci"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    #: CC, CA, CU, METRO, MET69
    kind: Mapped[str | None] = mapped_column(String(8), nullable=True)
    population: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Dataset(Base):
    """One row per dataset ("offices", "communes"): what was loaded, and a change token."""

    __tablename__ = "directory_dataset"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(255), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
