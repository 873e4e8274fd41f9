"""Office types (the DILA `pivotLocal` codes): French labels, scope, and recognising a typed type.

The data file `allo/data/directory/types.json` holds every code of the directory with its
official label, a short name and French synonyms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from allo.directory.text import fold
from allo.errors import InvalidInput

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "directory"


@dataclass(frozen=True)
class OfficeType:
    code: str
    label: str
    short: str
    aliases: tuple[str, ...] = ()
    #: "commune": the commune's own office is the competent one; "epci": the intercommunality's;
    #: None: the nearest offices of the type, caller's département first.
    scope: str | None = None
    #: exists for Paris only (Préfecture de police, mairies d'arrondissement…)
    paris: bool = False
    #: codes DILA uses for the same offices since 2017 (`france_travail` for `pole_emploi`):
    #: offices published under them are found under this type, and a search by either finds them
    codes: tuple[str, ...] = ()
    #: what callers say for this type in a question, too vague to announce it in an office's
    #: name (« tribunal »: the tribunal judiciaire for a caller, but « Tribunal paritaire des baux
    #: ruraux » is another court): read in queries and type filters, never by `infer_from_name`
    query_aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "short": self.short,
            "scope": self.scope or "nearest",
            "paris_only": self.paris,
            "codes": list(self.codes),
        }


@dataclass(frozen=True)
class TypeCatalog:
    types: dict[str, OfficeType]
    fiche_aliases: dict[str, str]
    paris_substitutes: dict[str, tuple[str, ...]]
    #: a code DILA introduced since 2017 → the catalogue's type (see OfficeType.codes)
    renamed: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)
    #: every type's `query_aliases`, folded → code
    _query_names: dict[str, str] = field(default_factory=dict)

    def get(self, code: str) -> OfficeType | None:
        return self.types.get(code) or self.types.get(self.renamed.get(code, ""))

    def canonical(self, code: str) -> str:
        """The catalogue's code for a source code: a new code maps to the type it renamed."""
        return self.renamed.get(code, code)

    def known(self, code: str) -> bool:
        return code in self.types or code in self.renamed

    def label(self, code: str) -> str:
        t = self.get(code)
        return t.label if t else code

    def resolve(self, text: str) -> OfficeType:
        """A type from its code (`caf`), label or synonym ("caisse d'allocations familiales")."""
        raw = (text or "").strip()
        if not raw:
            raise InvalidInput("Indiquez un type d'organisme.", details={"types": self.codes()})
        if raw in self.types:
            return self.types[raw]
        lowered = raw.lower()
        if lowered in self.types:
            return self.types[lowered]
        if lowered in self.renamed:
            return self.types[self.renamed[lowered]]
        folded = fold(raw)
        code = (
            self._by_name.get(folded.replace(" ", "_"))
            or self._by_name.get(folded)
            or self._query_names.get(folded)
        )
        if code is None:
            code = self.fiche_aliases.get(raw)
        if code is None and len(folded) >= 6:
            # A misspelt label ("caisse d'alocations familliales"): only a near-certain match.
            best = process.extractOne(
                folded, list(self._by_name), scorer=fuzz.token_sort_ratio, score_cutoff=90
            )
            code = self._by_name[best[0]] if best else None
        if code is None:
            raise InvalidInput(
                f"Type d'organisme inconnu : « {raw[:80]} ». "
                "Types valides : " + ", ".join(self.codes()) + ".",
                details={"types": self.codes()},
            )
        return self.types[code]

    def for_fiche(self, pivot: str) -> str | None:
        """The directory code a fiche's PivotLocal names, or None when the directory lacks it."""
        if pivot in self.types:
            return pivot
        if pivot in self.renamed:
            return self.renamed[pivot]
        return self.fiche_aliases.get(pivot)

    def infer_from_name(self, name: str) -> str | None:
        """The type an office's name announces ("Mairie déléguée de X" → mairie), if any."""
        folded = fold(name)
        best: tuple[int, str] | None = None
        for key, code in self._by_name.items():
            if "_" in key:
                continue
            if (folded == key or folded.startswith(key + " ")) and (
                best is None or len(key) > best[0]
            ):
                best = (len(key), code)
        return best[1] if best else None

    def codes(self) -> list[str]:
        return sorted(self.types)

    def names(self) -> dict[str, str]:
        """Every folded code, label and synonym → its type's code (read-only)."""
        return self._by_name

    def query_names(self) -> dict[str, str]:
        """Every folded query alias → its type's code (read-only): read only where no name is."""
        return self._query_names


def _words(item: dict[str, object], key: str) -> tuple[str, ...]:
    """A list of names of a types.json entry; a lone string would be read letter by letter."""
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(
            f"types.json, type {item.get('code')!r} : « {key} » doit être une liste de noms."
        )
    return tuple(value)


def _build(path: Path) -> TypeCatalog:
    raw = json.loads(path.read_text(encoding="utf-8"))
    types: dict[str, OfficeType] = {}
    by_name: dict[str, str] = {}
    for item in raw["types"]:
        t = OfficeType(
            code=item["code"],
            label=item["label"],
            short=item["short"],
            aliases=_words(item, "aliases"),
            scope=item.get("scope"),
            paris=bool(item.get("paris", False)),
            codes=_words(item, "codes"),
            query_aliases=_words(item, "query_aliases"),
        )
        types[t.code] = t
    # Names are registered from the least to the most specific so that the type's own code,
    # label and short name win over another type's synonym.
    for t in types.values():
        for alias in t.aliases:
            by_name.setdefault(fold(alias), t.code)
    for t in types.values():
        by_name[fold(t.short)] = t.code
        by_name[fold(t.label)] = t.code
        label_head = t.label.split(" (")[0]
        by_name[fold(label_head)] = t.code
    for t in types.values():
        by_name[t.code] = t.code
    aliases = {k: v for k, v in raw.get("fiche_aliases", {}).items() if not k.startswith("_")}
    subst = {
        k: tuple(v) for k, v in raw.get("paris_substitutes", {}).items() if not k.startswith("_")
    }
    renamed = {code: t.code for t in types.values() for code in t.codes}
    for code, target in renamed.items():
        by_name[code] = target
    query_names = {fold(a): t.code for t in types.values() for a in t.query_aliases}
    return TypeCatalog(
        types=types,
        fiche_aliases=aliases,
        paris_substitutes=subst,
        renamed=renamed,
        _by_name=by_name,
        _query_names=query_names,
    )


@cache
def catalog() -> TypeCatalog:
    return _build(DATA_DIR / "types.json")
