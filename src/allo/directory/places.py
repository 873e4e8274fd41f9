"""Place resolution: an INSEE code, a postal code or a loosely typed commune name → communes.

Built once per process from the communes table (see services.get_directory) and kept in memory:
lookups are dictionary hits; only an unknown name pays for a fuzzy search (rapidfuzz).

Rules:
- "42218", "insee:42218" → the commune with that INSEE code;
- "75015", "cp 75015" → the communes with that postal code (an arrondissement is preferred to
  its city; several communes → the most populous, the others as alternatives). A bare 5-digit
  code that is both a postal code and another commune's INSEE code is read as a postal code
  (what callers know), the INSEE reading is given as an alternative; write "insee:…" to force it;
- "st etienne", "Saint Étienne", "saint-etienne" → 42218; homonyms → the most populous first,
  narrowed by a département ("Saint-Denis 93", "Saint-Denis (974)") or a postal code
  ("13001 Marseille");
- "Paris 15", "Paris 15e", "Lyon 3ème", "Marseille 1er arrondissement" → the arrondissement;
- anything else → NotFound listing the closest communes.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from allo.directory.text import fold, without_article
from allo.errors import InvalidInput, NotFound

_KIND_RANK = {
    "commune-actuelle": 0,
    "arrondissement-municipal": 1,
    "commune-deleguee": 2,
    "commune-associee": 3,
}
_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_PREFIX = re.compile(r"^(insee|cp|code postal)\s*[: ]\s*(\S+)$", re.IGNORECASE)
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) (\d{1,2})(?:er|e)? arrondissement$")
_POSTAL_IN_TEXT = re.compile(r"\b(\d{5})\b")
_DEP_SUFFIX = re.compile(r"^(.*?)[\s,]*\(?\s*(\d{2,3}|2[ab])\s*\)?$", re.IGNORECASE)
MAX_QUERY = 120


@dataclass(slots=True, eq=False)
class Place:
    """A commune as the index holds it (identity comparison: one object per commune)."""

    insee: str
    kind: str
    name: str
    departement: str
    departement_name: str | None
    postal_codes: tuple[str, ...]
    population: int | None
    latitude: float | None
    longitude: float | None
    parent: str | None = None
    epci: str | None = None
    former_codes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """ "Saint-Étienne (42)": a name a person can pick from a list."""
        return f"{self.name} ({self.departement})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "insee": self.insee,
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "departement": self.departement,
            "departement_name": self.departement_name,
            "postal_codes": list(self.postal_codes),
            "population": self.population,
            "parent": self.parent,
            "epci": self.epci,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


@dataclass
class Resolution:
    place: Place
    #: other communes the query could mean (same postal code, homonyms)
    alternatives: list[Place] = field(default_factory=list)
    #: insee, postal_code, name
    matched_by: str = "name"

    def to_dict(self) -> dict[str, Any]:
        data = self.place.to_dict()
        data["matched_by"] = self.matched_by
        data["alternatives"] = [
            {"insee": p.insee, "name": p.name, "label": p.label, "kind": p.kind}
            for p in self.alternatives
        ]
        return data


def _rank(p: Place) -> tuple[int, int, str]:
    return (_KIND_RANK.get(p.kind, 9), -(p.population or 0), p.insee)


def _distinct(places: list[Place]) -> list[Place]:
    """One entry per commune a person can tell apart: a commune déléguée that keeps its new
    commune's INSEE code and name (Saint-Denis 93066 since its 2025 merger with Pierrefitte) is
    the same answer as that commune, listed once (ranked first, the current commune stays)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in places:
        if (p.insee, p.name) not in seen:
            seen.add((p.insee, p.name))
            out.append(p)
    return out


def _arrondissement_keys(folded_name: str) -> list[str]:
    m = _ARRONDISSEMENT.match(folded_name)
    if not m:
        return []
    city, n = m.group(1), m.group(2)
    suffixes = ["", "e", "eme", "em", "e arrondissement", "eme arrondissement", " arrondissement"]
    if n == "1":
        suffixes += ["er", "ere", "er arrondissement", "ere arrondissement"]
    return [f"{city} {n}{s}" for s in suffixes] + [f"{city} arrondissement {n}"]


class PlaceIndex:
    """In-memory index of the communes, built once per process."""

    def __init__(self, communes: Iterable[dict[str, Any]], departements: dict[str, str]) -> None:
        self.by_code: dict[str, list[Place]] = defaultdict(list)
        self.by_postal: dict[str, list[Place]] = defaultdict(list)
        self.by_name: dict[str, list[Place]] = defaultdict(list)
        #: city (75056, 69123, 13055) → its arrondissements municipaux
        self.arrondissements: dict[str, list[Place]] = defaultdict(list)
        self.departements = departements
        self._dep_by_name = {fold(name): code for code, name in departements.items()}
        for row in communes:
            place = Place(
                insee=row["insee"],
                kind=row["kind"],
                name=row["name"],
                departement=row["departement"],
                departement_name=departements.get(row["departement"]),
                postal_codes=tuple(row.get("postal_codes") or ()),
                population=row.get("population"),
                latitude=row.get("latitude"),
                longitude=row.get("longitude"),
                parent=row.get("parent"),
                epci=row.get("epci"),
                former_codes=tuple(row.get("former_codes") or ()),
            )
            self.by_code[place.insee].append(place)
            if place.kind == "arrondissement-municipal" and place.parent:
                self.arrondissements[place.parent].append(place)
            if place.kind in ("commune-actuelle", "arrondissement-municipal"):
                for cp in place.postal_codes:
                    self.by_postal[cp].append(place)
            folded = fold(place.name)
            keys = {folded, *_arrondissement_keys(folded)}
            bare = without_article(folded)
            if bare:
                keys.add(bare)
            for key in keys:
                self.by_name[key].append(place)
        for table in (self.by_code, self.by_postal, self.by_name):
            for key, places in table.items():
                table[key] = _distinct(sorted(places, key=_rank))
        self._keys = sorted(self.by_name)
        self._postal_keys = sorted(self.by_postal)
        self._fuzzy_by_initial: dict[str, list[str]] = defaultdict(list)
        self._fuzzy_by_second: dict[str, list[str]] = defaultdict(list)
        for key in self._keys:
            self._fuzzy_by_initial[key[:1]].append(key)
            self._fuzzy_by_second[key[1:2]].append(key)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_code.values())

    # ----------------------------------------------------------------------------- lookups

    def commune(self, insee: str) -> Place | None:
        """The commune with this INSEE code (a current commune before a commune déléguée)."""
        places = self.by_code.get(insee.upper())
        return places[0] if places else None

    def postal(self, code: str) -> list[Place]:
        places = list(self.by_postal.get(code, ()))
        # "75015" is both Paris and Paris 15e: the arrondissement is the precise answer.
        arrondissement_parents = {p.parent for p in places if p.kind == "arrondissement-municipal"}
        return [p for p in places if p.insee not in arrondissement_parents]

    def resolve(self, query: str) -> Resolution:
        """The place a person meant; NotFound (with the closest communes) when none matches."""
        text = " ".join((query or "").split())
        if not text:
            raise InvalidInput("Indiquez une commune, un code postal ou un code INSEE.")
        if len(text) > MAX_QUERY:
            raise InvalidInput("Le lieu indiqué est trop long.")
        prefixed = _PREFIX.match(text)
        if prefixed:
            kind, code = prefixed.group(1).lower(), prefixed.group(2).upper()
            if kind == "insee":
                place = self.commune(code)
                if place is None:
                    raise NotFound(f"Aucune commune n'a le code INSEE {code}.")
                return Resolution(place, self.by_code[code][1:], "insee")
            found = self.postal(code)
            if not found:
                raise NotFound(f"Aucune commune n'a le code postal {code}.")
            return Resolution(found[0], found[1:], "postal_code")
        if _CODE.match(text):
            code = text.upper()
            found = self.postal(code)
            by_insee = self.commune(code)
            if found:
                extra = [by_insee] if by_insee and by_insee not in found else []
                return Resolution(found[0], found[1:] + extra, "postal_code")
            if by_insee is not None:
                return Resolution(by_insee, self.by_code[code][1:], "insee")
            raise NotFound(
                f"Aucune commune n'a le code postal ou le code INSEE {code}.",
                details={"suggestions": []},
            )
        return self._resolve_name(text)

    def _resolve_name(self, text: str) -> Resolution:
        folded = fold(text)
        places = self.by_name.get(folded)
        if places:
            return Resolution(places[0], places[1:6], "name")
        # A postal code next to the name: "13001 Marseille", "Marseille 13001".
        postal = _POSTAL_IN_TEXT.search(text)
        if postal:
            rest = fold(_POSTAL_IN_TEXT.sub(" ", text))
            in_code = self.postal(postal.group(1))
            chosen = [p for p in in_code if fold(p.name).startswith(rest)] if rest else in_code
            if chosen:
                return Resolution(chosen[0], chosen[1:], "postal_code")
        # A département next to the name: "Saint-Denis 93", "Saint-Denis (974)", "Metz, Moselle".
        qualified = _DEP_SUFFIX.match(folded)
        if qualified and qualified.group(1):
            name, dep = qualified.group(1).strip(), qualified.group(2).upper()
            hits = [p for p in self.by_name.get(name, ()) if p.departement == dep]
            if hits:
                return Resolution(hits[0], hits[1:], "name")
        head, _, tail = folded.rpartition(" ")
        dep_code = self._dep_by_name.get(tail) if head else None
        if dep_code:
            hits = [p for p in self.by_name.get(head, ()) if p.departement == dep_code]
            if hits:
                return Resolution(hits[0], hits[1:], "name")
        suggestions = self.closest(text)
        listed = ", ".join(p.label for p in suggestions[:5])
        raise NotFound(
            f"Commune introuvable : « {text[:60]} »."
            + (f" Vouliez-vous dire : {listed} ?" if listed else ""),
            details={"suggestions": [p.to_dict() for p in suggestions]},
        )

    # ---------------------------------------------------------------------- suggestions

    def closest(self, text: str, limit: int = 8) -> list[Place]:
        """The communes whose name is closest to a misspelt one (rapidfuzz ratio)."""
        folded = fold(text)
        if not folded:
            return []
        # Typos rarely hit the first letter: names sharing it first; then names whose second
        # letter is the query's first (first letter dropped) or second (first letter mistyped);
        # all names only if none of these is close.
        pools = (
            self._fuzzy_by_initial.get(folded[:1], []),
            self._fuzzy_by_second.get(folded[:1], []),
            self._fuzzy_by_second.get(folded[1:2], []),
            self._keys,
        )
        hits: list[tuple[str, float, int]] = []
        for pool in pools:
            hits = process.extract(folded, pool, scorer=fuzz.ratio, limit=limit, score_cutoff=70)
            if hits:
                break
        places: list[Place] = []
        for key, _score, _i in sorted(hits, key=lambda h: -h[1]):
            for p in self.by_name[key]:
                if p not in places:
                    places.append(p)
        return places[:limit]

    def suggest(self, text: str, limit: int = 10) -> list[Place]:
        """As-you-type completion: codes by prefix, names by prefix, then fuzzy matches."""
        query = " ".join((text or "").split())[:MAX_QUERY]
        if not query:
            return []
        out: list[Place] = []

        def add(places: Iterable[Place]) -> None:
            for p in places:
                if p not in out:
                    out.append(p)

        if query.isdigit() or _CODE.match(query):
            code = query.upper()
            if len(code) == 5:
                add(self.postal(code))
                add(self.by_code.get(code, ()))
            else:
                start = bisect.bisect_left(self._postal_keys, code)
                for cp in self._postal_keys[start : start + limit]:
                    if not cp.startswith(code):
                        break
                    add(self.postal(cp))
            return out[:limit]
        folded = fold(query)
        add(self.by_name.get(folded, ()))
        start = bisect.bisect_left(self._keys, folded)
        prefixed: list[Place] = []
        for key in self._keys[start : start + 400]:
            if not key.startswith(folded):
                break
            prefixed.extend(self.by_name[key])
        prefixed.sort(key=lambda p: (-(p.population or 0), _KIND_RANK.get(p.kind, 9)))
        add(prefixed)
        if len(out) < 3:  # nothing starts like this: a misspelt name
            add(self.closest(query, limit))
        return out[:limit]
