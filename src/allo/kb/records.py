"""The records an import moves around: raw source records, and parsed variants of a fiche."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

#: The feeds a fiche can come from. DILA publishes one export per audience; a feed's export is
#: complete, so a fiche absent from a re-imported export of its feed has been withdrawn.
AUDIENCES = ("particuliers", "professionnels", "associations")
TRAVAIL = "travail"
FEEDS = (*AUDIENCES, TRAVAIL)

#: French labels, for messages and stats
AUDIENCE_LABELS = {
    "particuliers": "Particuliers",
    "professionnels": "Professionnels",
    "associations": "Associations",
}
#: where a fiche comes from, as the pages and the CLI name it
SOURCE_LABELS = {
    "dila": "service-public.fr",
    "travail": "Ministère du Travail",
    "local": "Fiche du service",
}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class SourceRecord:
    """One record read from an input file, not parsed yet."""

    #: where it comes from, for reports: "vosdroits-particuliers.zip:F1342.xml"
    origin: str
    data: bytes
    #: "dila" (one <Publication>/<ServiceComplementaire> document) or "travail" (one JSON record)
    format: str
    #: the feed the container says it holds (zip audience), when known
    feed_hint: str | None = None
    #: the fiche ID the container suggests (entry file name), when known
    id_hint: str | None = None


@dataclass(slots=True)
class Variant:
    """One parsed source record: a fiche as one feed publishes it."""

    fiche_id: str
    feed: str
    source: str
    content_hash: str
    raw: bytes
    #: Fiche column values (everything but audiences, content_hash and timestamps)
    fields: dict[str, Any]
    #: audiences the record itself declares (DILA <Audience>)
    declared_audiences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
