"""The JSON shape of an office, shared by the API, the CLI and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from allo.directory.hours import DAYS, hours_notes, hours_text, status, week_schedule
from allo.directory.types import catalog


def _address(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {
        "lines": raw.get("lines") or [],
        "postal_code": raw.get("postal_code"),
        "city": raw.get("city"),
        "text": ", ".join(
            [
                *(raw.get("lines") or []),
                " ".join(x for x in (raw.get("postal_code"), raw.get("city")) if x),
            ]
        ),
        "accessibility": raw.get("accessibility"),
    }


def hours_for_display(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "days": [DAYS[d] for d in e.get("days", []) if 0 <= d <= 6],
            "ranges": [{"start": r[0], "end": r[1]} for r in e.get("ranges", [])],
            "note": e.get("note"),
        }
        for e in entries
    ]


def office_dict(
    office: Mapping[str, Any],
    at: datetime,
    *,
    distance_km: float | None = None,
    match: str | None = None,
    match_label: str | None = None,
) -> dict[str, Any]:
    """An office as the API returns it, with whether it is open at `at`."""
    addresses = office["addresses"] or []
    physical = next((a for a in addresses if a.get("kind") == "physique"), None)
    postal = next((a for a in addresses if a.get("kind") == "postale"), None)
    main = physical or (addresses[0] if addresses else None)
    entries = office["hours"] or []
    week = week_schedule(entries)
    state = status(entries, at, office["departement"], week)
    data: dict[str, Any] = {
        "id": office["id"],
        "type": office["type"],
        "type_label": catalog().label(office["type"]),
        "name": office["name"],
        "insee": office["insee"],
        "departement": office["departement"],
        "distance_km": distance_km,
        "match": match,
        "match_label": match_label,
        "address": _address(main),
        "postal_address": _address(postal) if postal is not main else None,
        "latitude": office["latitude"],
        "longitude": office["longitude"],
        "phone": office["phone"],
        "phone_cost": office["phone_cost"],
        "fax": office["fax"],
        "email": office["email"],
        "url": office["url"],
        "contact_url": office["contact_url"],
        "accessibility": (main or {}).get("accessibility"),
        "hours": hours_for_display(office["hours"] or []),
        "hours_text": hours_text(entries, week) or None,
        "hours_notes": hours_notes(office["hours"] or []),
        "comment": office["comment"],
        "notes": office["notes"] or [],
        "updated_on": office["updated_on"].isoformat() if office["updated_on"] else None,
        **_json_format_fields(office),
    }
    data.update(state.to_dict(at))
    return data


def _json_format_fields(office: Mapping[str, Any]) -> dict[str, Any]:
    """What the 2022 JSON format adds: every phone, e-mail, site and form; SIRET; DILA's page."""
    details = office.get("details") or {}
    phones = details.get("phones") or (
        [{"number": office["phone"], "description": office["phone_cost"]}]
        if office["phone"]
        else []
    )
    return {
        "uuid": office.get("uuid"),
        "siret": office.get("siret"),
        "siren": office.get("siren"),
        "url_service_public": office.get("url_service_public"),
        "parent_uuid": office.get("parent_uuid"),
        "phones": phones,
        "emails": details.get("emails") or ([office["email"]] if office["email"] else []),
        "websites": details.get("websites")
        or ([{"label": None, "url": office["url"]}] if office["url"] else []),
        "contact_forms": details.get("contact_forms")
        or ([office["contact_url"]] if office["contact_url"] else []),
        "information": details.get("information"),
    }
