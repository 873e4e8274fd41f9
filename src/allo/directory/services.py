"""The directory's use cases: resolve a place, find the competent office, show an office, say
where to go for a fiche. Web pages, the API, the CLI and the contacts flow all call these.

    directory = get_directory(runtime)
    result = directory.find(session, place="st etienne", office_type="caf", at=None, limit=3)
    result["offices"][0]["name"], result["offices"][0]["open"]

Services never commit. `session` may be omitted: a read-only one is then opened.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from allo.directory import competent
from allo.directory import repository as repo
from allo.directory.index import DirectoryIndex, build_index
from allo.directory.places import Place, Resolution
from allo.directory.query import detect, type_span
from allo.directory.types import TypeCatalog, catalog
from allo.directory.views import office_dict
from allo.errors import InvalidInput, NotFound
from allo.runtime import Runtime

MAX_LIMIT = 50

# Indexes shared by every Runtime of the process over the same database content (the tokens
# change with every import), so tests and several app instances build each one once.
_INDEXES: OrderedDict[tuple[str, tuple[str, ...]], DirectoryIndex] = OrderedDict()
_INDEXES_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()
_KEEP = 3


def parse_at(value: str | datetime | None, timezone: str = "Europe/Paris") -> datetime:
    """The moment to evaluate opening hours at: now by default; a naive time is in `timezone`."""
    zone = ZoneInfo(timezone)
    if value is None or value == "":
        return datetime.now(zone)
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"Date et heure invalides : « {text[:40]} ». "
                "Format attendu : AAAA-MM-JJTHH:MM, par exemple 2026-12-25T10:00."
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _limit(value: int | None, default: int = 5) -> int:
    if value is None:
        return default
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput(f"Le nombre d'organismes doit être compris entre 1 et {MAX_LIMIT}.")
    return value


@dataclass(frozen=True)
class FichePivots:
    """A fiche as the directory sees it: the PivotLocal office types it names. The knowledge base
    reads it (`allo.kb.where`); the directory does not read fiches."""

    id: str
    title: str
    pivots: Sequence[str]


class DirectoryService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.catalog: TypeCatalog = catalog()
        self._key = runtime.engine.url.render_as_string(hide_password=True)

    # ----------------------------------------------------------------------------- plumbing

    @contextmanager
    def _session(self, session: Session | None) -> Iterator[Session]:
        if session is not None:
            yield session
            return
        s = self.runtime.read_sessions()
        try:
            yield s
        finally:
            s.close()

    def index(self, session: Session) -> DirectoryIndex:
        """The in-memory index for the data this session sees, rebuilt after an import."""
        tokens = repo.dataset_tokens(session)
        key = (self._key, tokens)
        with _INDEXES_LOCK:
            found = _INDEXES.get(key)
            if found is not None:
                _INDEXES.move_to_end(key)
                return found
        with _BUILD_LOCK:  # concurrent first requests wait for one build instead of each building
            with _INDEXES_LOCK:
                found = _INDEXES.get(key)
            if found is not None:
                return found
            built = build_index(session, tokens)
            with _INDEXES_LOCK:
                _INDEXES[key] = built
                while len(_INDEXES) > _KEEP:
                    _INDEXES.popitem(last=False)
            return built

    def _at(self, at: str | datetime | None) -> datetime:
        return parse_at(at, self.runtime.settings.timezone)

    # ------------------------------------------------------------------------------- places

    def resolve_place(self, query: str | Place, session: Session | None = None) -> Resolution:
        """The commune a query designates (NotFound with suggestions when none)."""
        with self._session(session) as s:
            if isinstance(query, Place):
                return Resolution(query, [], "insee")
            return self.index(s).places.resolve(query)

    def suggest_places(
        self, query: str, limit: int = 10, session: Session | None = None
    ) -> list[Place]:
        """As-you-type completion of a commune name or postal code."""
        with self._session(session) as s:
            return self.index(s).places.suggest(query, _limit(limit, 10))

    # -------------------------------------------------------------------------------- types

    def types(self, session: Session | None = None) -> list[dict[str, Any]]:
        """Every office type with its French label and how many offices of it are loaded."""
        with self._session(session) as s:
            index = self.index(s)
            return [
                {**t.to_dict(), "offices": index.count(t.code)}
                for t in sorted(self.catalog.types.values(), key=lambda t: t.label.lower())
            ]

    # --------------------------------------------------------------------------------- find

    def find(
        self,
        session: Session | None,
        place: str | Place,
        office_type: str,
        at: str | datetime | None = None,
        limit: int | None = 5,
    ) -> dict[str, Any]:
        """The competent offices of a type for a place, with distance and opening status."""
        moment = self._at(at)
        count = _limit(limit)
        kind = self.catalog.resolve(office_type)
        with self._session(session) as s:
            index = self.index(s)
            resolution = (
                Resolution(place, [], "insee")
                if isinstance(place, Place)
                else index.places.resolve(place)
            )
            selection = competent.select(
                index, self.catalog, resolution.place, kind, count, _competence(s)
            )
            rows = repo.offices_by_ids(s, [c.office_id for c in selection.candidates])
            offices = _offices(selection, rows, moment)
        return {
            "place": resolution.to_dict(),
            "type": {
                "code": selection.office_type,
                "label": self.catalog.label(selection.office_type),
            },
            "requested_type": kind.code,
            "at": moment.isoformat(),
            "notice": selection.notice,
            "offices": offices,
        }

    def for_query(
        self,
        session: Session | None,
        text: str,
        at: str | datetime | None = None,
        limit: int | None = 3,
        ordinary: Callable[[str], bool] | None = None,
    ) -> tuple[str, dict[str, Any] | None]:
        """A search query that names an office type and a place ("caf lyon"): the query without
        the place words, for the fiche search, and the competent offices (None when the query
        names no type and place, the query then unchanged). `ordinary(word)`: see
        `allo.directory.query.detect`."""
        if type_span(text or "", self.catalog) is None:
            return text, None  # most queries: no database read
        with self._session(session) as s:
            found = detect(text or "", self.index(s).places, self.catalog, ordinary)
            if found is None:
                return text, None
            result = self.find(s, found.place, found.office_type, at, limit)
        result["query"] = {"place_text": found.place_text, "rest": found.rest}
        return found.rest, result

    def office(
        self, session: Session | None, office_id: str, at: str | datetime | None = None
    ) -> dict[str, Any]:
        moment = self._at(at)
        with self._session(session) as s:
            row = repo.get_office(s, office_id)
            if row is None:
                raise NotFound(f"Organisme introuvable : « {office_id[:80]} ».")
            return office_dict(row, moment)

    # ------------------------------------------------------------------------ knowledge base

    def where_for_fiche(
        self,
        session: Session | None,
        fiche: FichePivots,
        place: str | Place,
        at: str | datetime | None = None,
        limit: int | None = 1,
    ) -> dict[str, Any]:
        """For each PivotLocal type of a fiche, the competent office for the place."""
        moment = self._at(at)
        count = _limit(limit, 1)
        with self._session(session) as s:
            index = self.index(s)
            resolution = (
                Resolution(place, [], "insee")
                if isinstance(place, Place)
                else index.places.resolve(place)
            )
            where = resolution.place
            entries: list[dict[str, Any]] = []
            seen: set[str] = set()
            for pivot in fiche.pivots:
                code = self.catalog.for_fiche(pivot)
                if code is None:
                    entries.append(
                        {
                            "pivot": pivot,
                            "type": None,
                            "label": None,
                            "offices": [],
                            "notice": "Ce type d'organisme n'est pas dans l'annuaire local.",
                        }
                    )
                    continue
                kind = self.catalog.types[code]
                if kind.paris and where.departement != "75":
                    # The fiche names the general type too (préfecture…): Paris offices do not apply.
                    entries.append(
                        {
                            "pivot": pivot,
                            "type": code,
                            "label": kind.label,
                            "offices": [],
                            "notice": "Concerne Paris uniquement.",
                        }
                    )
                    continue
                if code in seen:
                    continue
                seen.add(code)
                selection = competent.select(
                    index, self.catalog, where, kind, count, _competence(s)
                )
                if selection.office_type in seen and selection.office_type != code:
                    continue
                seen.add(selection.office_type)
                rows = repo.offices_by_ids(s, [c.office_id for c in selection.candidates])
                entries.append(
                    {
                        "pivot": pivot,
                        "type": selection.office_type,
                        "label": self.catalog.label(selection.office_type),
                        "notice": selection.notice,
                        "offices": _offices(selection, rows, moment),
                    }
                )
        return {
            "fiche": {"id": fiche.id, "title": fiche.title},
            "place": resolution.to_dict(),
            "at": moment.isoformat(),
            "types": entries,
        }


def _offices(
    selection: competent.Selection, rows: dict[str, dict[str, Any]], moment: datetime
) -> list[dict[str, Any]]:
    """The selected offices as the API shows them, each with why it was chosen."""
    return [
        office_dict(
            rows[c.office_id],
            moment,
            distance_km=c.distance_km,
            match=c.match,
            match_label=c.label,
        )
        for c in selection.candidates
        if c.office_id in rows
    ]


def _competence(session: Session) -> competent.CompetenceLookup:
    """The territorial competence as `competent.select` asks for it (one indexed query)."""
    return lambda insee, code: repo.competent_services(session, insee, code)


def get_directory(runtime: Runtime) -> DirectoryService:
    """The process's directory service (built once per runtime)."""
    return runtime.service("directory", DirectoryService)
