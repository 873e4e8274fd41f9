"""Escalation sheets: what each specialist sector covers and the questions that qualify a contact.

The sheets are data files (`allo/kb/escalation/<sector>.json`) that an editor can change; a file
of the same name in `<ALLO_HOME>/escalation/` replaces the bundled one, and changes are picked up
without a restart (the cache is keyed by the files' modification times). `niveau1.json` describes
what the first level keeps (`aucun`): it has the same shape and feeds the sector suggestion.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allo.errors import AlloError, InvalidInput

BUNDLED_DIR = Path(__file__).with_name("escalation")
SECTORS: tuple[str, ...] = (
    "interieur",
    "travail",
    "consommation",
    "justice",
    "fiscalite",
    "logement",
)
LEVEL1 = "aucun"
LEVEL1_FILE = "niveau1"
#: What an answer may lead to (one of the first four, plus an optional note / contact).
_LEADS_TO_KEYS = {"sector", "body", "level1", "continue", "note", "contact"}


@dataclass(frozen=True)
class Answer:
    value: str
    label: str
    #: {"sector": s} | {"body": name, "contact": url} | {"level1": true} | {"continue": true}, + "note"
    leads_to: dict[str, Any]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[Answer, ...]
    help: str = ""

    def answer(self, value: str) -> Answer | None:
        return next((a for a in self.answers if a.value == value), None)


@dataclass(frozen=True)
class OutsideBody:
    id: str
    name: str
    when: str
    contact: str = ""


@dataclass(frozen=True)
class EscalationSheet:
    sector: str
    label: str
    definition: str
    subjects: tuple[str, ...]
    #: words and phrases of questions that belong to the sector (sector suggestion)
    keywords: tuple[str, ...]
    #: fiche subjects and breadcrumb titles that belong to the sector (sector suggestion)
    fiche_themes: tuple[str, ...]
    questions: tuple[Question, ...] = ()
    outside_bodies: tuple[OutsideBody, ...] = ()

    def validate_answers(self, answers: dict[str, str]) -> None:
        """Raise InvalidInput unless every answer names one of this sheet's questions and choices."""
        known = {q.id: q for q in self.questions}
        for question_id, value in answers.items():
            question = known.get(question_id)
            if question is None:
                raise InvalidInput(
                    f"La fiche d'escalade « {self.label} » n'a pas de question « {question_id} »."
                )
            if question.answer(value) is None:
                choices = ", ".join(a.value for a in question.answers)
                raise InvalidInput(
                    f"Réponse « {value} » inconnue pour la question « {question_id} » "
                    f"(choix possibles : {choices})."
                )


@dataclass(frozen=True)
class SheetSet:
    #: the six sectors' sheets, in the seed's order
    sheets: dict[str, EscalationSheet]
    #: what level 1 keeps (`aucun`)
    level1: EscalationSheet
    sources: dict[str, str] = field(default_factory=dict)

    def get(self, sector: str) -> EscalationSheet:
        sheet = self.sheets.get(sector)
        if sheet is None:
            raise InvalidInput(
                f"Secteur inconnu : « {sector} ». Secteurs possibles : {', '.join(SECTORS)}."
            )
        return sheet


def _files(override_dir: Path | None) -> dict[str, Path]:
    files = {}
    for name in (*SECTORS, LEVEL1_FILE):
        path = BUNDLED_DIR / f"{name}.json"
        if override_dir is not None and (override_dir / f"{name}.json").is_file():
            path = override_dir / f"{name}.json"
        files[name] = path
    return files


_cache: dict[tuple[tuple[str, float], ...], SheetSet] = {}
_cache_lock = threading.Lock()


def load_sheets(override_dir: Path | None = None) -> SheetSet:
    """The current sheets (bundled, or the editor's copies in `override_dir`), validated."""
    files = _files(override_dir)
    key = tuple((str(p), p.stat().st_mtime) for p in files.values())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    sheets = {name: _parse(path, name) for name, path in files.items() if name != LEVEL1_FILE}
    result = SheetSet(
        sheets={s: sheets[s] for s in SECTORS},
        level1=_parse(files[LEVEL1_FILE], LEVEL1),
        sources={name: str(path) for name, path in files.items()},
    )
    with _cache_lock:
        _cache.clear()
        _cache[key] = result
    return result


def sheets_for_home(home: Path) -> SheetSet:
    return load_sheets(home / "escalation")


def readable_sheets(home: Path) -> SheetSet | None:
    """The installation's sheets for what only reads them (the editors' watch, its dashboard
    count, the legal watch): None when a file is broken, which must not hide those pages."""
    try:
        return sheets_for_home(home)
    except AlloError:
        return None


#: the sheets' ids: the six sectors, then what level 1 keeps
SHEET_IDS: tuple[str, ...] = (*SECTORS, LEVEL1_FILE)


def expected_sector(sheet_id: str) -> str:
    """The `sector` field a sheet must carry (`aucun` for `niveau1`)."""
    return LEVEL1 if sheet_id == LEVEL1_FILE else sheet_id


def read_raw_files(override_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The initial set as raw JSON (bundled, or the copies of `override_dir`), each validated."""
    out = {}
    for name, path in _files(override_dir).items():
        raw = _read(path)
        _parse_raw(raw, name, path.name)
        out[name] = raw
    return out


def parse_sheet(raw: Any, sheet_id: str) -> EscalationSheet:
    """Validate a sheet's structured data; every problem is a French `InvalidInput`."""
    return _parse_raw(raw, sheet_id, f"fiche « {sheet_id} »")


def sheet_set(raws: dict[str, dict[str, Any]], sources: dict[str, str]) -> SheetSet:
    """A set from raw sheets (one per id of SHEET_IDS), e.g. the published ones of the base."""
    return SheetSet(
        sheets={s: parse_sheet(raws[s], s) for s in SECTORS},
        level1=parse_sheet(raws[LEVEL1_FILE], LEVEL1_FILE),
        sources=dict(sources),
    )


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"Fiche d'escalade illisible ({path.name}) : {exc}") from exc


def _parse(path: Path, expected: str) -> EscalationSheet:
    name = LEVEL1_FILE if expected == LEVEL1 else expected
    return _parse_raw(_read(path), name, path.name)


def _parse_raw(raw: Any, sheet_id: str, origin: str) -> EscalationSheet:
    try:
        if not isinstance(raw, dict):
            raise ValueError("un objet JSON est attendu")
        return _sheet(raw, expected_sector(sheet_id))
    except KeyError as exc:
        raise InvalidInput(
            f"Fiche d'escalade mal formée ({origin}) : champ obligatoire manquant {exc}"
        ) from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"Fiche d'escalade mal formée ({origin}) : {exc}") from exc


def _strings(raw: Any, name: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ValueError(f"« {name} » doit être une liste de textes non vides")
    return tuple(x.strip() for x in raw)


def _sheet(raw: dict[str, Any], expected: str) -> EscalationSheet:
    sector = raw["sector"]
    if sector != expected:
        raise ValueError(f"le secteur « {sector} » ne correspond pas au fichier ({expected})")
    questions = []
    for q in raw.get("questions", []):
        answers = []
        for a in q["answers"]:
            leads_to = dict(a["leads_to"])
            unknown = set(leads_to) - _LEADS_TO_KEYS
            if unknown:
                raise ValueError(f"clé inconnue dans leads_to : {', '.join(sorted(unknown))}")
            target = leads_to.get("sector")
            if target is not None and target not in SECTORS:
                raise ValueError(f"secteur inconnu dans leads_to : {target}")
            if not {"sector", "body", "level1", "continue"} & set(leads_to):
                raise ValueError(f"la réponse « {a['value']} » ne mène nulle part")
            answers.append(Answer(value=str(a["value"]), label=str(a["label"]), leads_to=leads_to))
        if not answers:
            raise ValueError(f"la question « {q['id']} » n'a pas de réponse")
        questions.append(
            Question(
                id=str(q["id"]), text=str(q["text"]), answers=tuple(answers), help=q.get("help", "")
            )
        )
    return EscalationSheet(
        sector=sector,
        label=str(raw["label"]),
        definition=str(raw["definition"]),
        subjects=_strings(raw.get("subjects", []), "subjects"),
        keywords=_strings(raw.get("keywords", []), "keywords"),
        fiche_themes=_strings(raw.get("fiche_themes", []), "fiche_themes"),
        questions=tuple(questions),
        outside_bodies=tuple(
            OutsideBody(
                id=str(b["id"]),
                name=str(b["name"]),
                when=str(b["when"]),
                contact=b.get("contact", ""),
            )
            for b in raw.get("outside_bodies", [])
        ),
    )
