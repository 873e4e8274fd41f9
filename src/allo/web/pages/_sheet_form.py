"""An escalation sheet as a form, question by question: what the editor page shows, and the
sheet's content read back from the posted fields.

The content is the sheet's JSON structure (`allo.kb.escalation.parse_sheet` checks it when the
services save it); the JSON stays the export format and the text area of « Modifier en JSON ».
Without JavaScript, adding is done with spare empty rows (a question with its answers, an
answer per question, an outside body), removing with a « Supprimer » box: blank rows are
ignored. Field names are `q-<i>-…`, `q-<i>-a-<j>-…` and `b-<i>-…`; the counts are posted too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from allo.errors import InvalidInput
from allo.kb.escalation import SECTORS
from allo.web.pages._base import doc

#: empty rows offered for adding without JavaScript
SPARE_ANSWERS = 1
SPARE_QUESTION_ANSWERS = 3
#: more rows than this in one post is not a sheet (a sheet has about ten questions)
MAX_ROWS = 200
LIST_FIELDS = ("subjects", "keywords", "fiche_themes")


@dataclass(frozen=True)
class AnswerView:
    """One answer of a qualifying question and where it leads."""

    value: str = field(default="", metadata=doc("Identifier (made from the label if blank)."))
    label: str = field(default="", metadata=doc("The answer as the advisor reads it."))
    sector: str = field(default="", metadata=doc("Leads to this sector (transfer), or empty."))
    body: str = field(default="", metadata=doc("Leads to this outside body, or empty."))
    level1: bool = field(default=False, metadata=doc("Level 1 answers it (no transfer)."))
    next: bool = field(default=False, metadata=doc("Go on to the next question."))
    note: str = field(default="", metadata=doc("Note shown with the orientation."))
    contact: str = field(default="", metadata=doc("Address or number of the body."))


@dataclass(frozen=True)
class QuestionView:
    """One qualifying question with its answers (and a spare empty answer)."""

    id: str = field(default="", metadata=doc("Identifier (made from the text if blank)."))
    text: str = field(default="", metadata=doc("The question the advisor asks."))
    help: str = field(default="", metadata=doc("Hint for the advisor."))
    answers: tuple[AnswerView, ...] = field(default=(), metadata=doc("Its answers."))
    spare: bool = field(default=False, metadata=doc("The empty question for adding one."))


@dataclass(frozen=True)
class BodyView:
    """One outside body the sheet orients to."""

    id: str = field(default="", metadata=doc("Identifier (made from the name if blank)."))
    name: str = field(default="", metadata=doc("Name."))
    when: str = field(default="", metadata=doc("When to orient there."))
    contact: str = field(default="", metadata=doc("Address or number."))
    spare: bool = field(default=False, metadata=doc("The empty row for adding one."))


@dataclass(frozen=True)
class SheetForm:
    """What the template renders; lists are one item a line."""

    label: str = field(metadata=doc("Sector name."))
    definition: str = field(metadata=doc("Sector definition."))
    subjects: str = field(metadata=doc("Subjects, one a line."))
    keywords: str = field(metadata=doc("Keywords, one a line."))
    fiche_themes: str = field(metadata=doc("Fiche themes of the sector, one a line."))
    questions: tuple[QuestionView, ...] = field(metadata=doc("Questions, then a spare one."))
    bodies: tuple[BodyView, ...] = field(metadata=doc("Outside bodies, then a spare one."))
    sectors: tuple[str, ...] = field(default=SECTORS, metadata=doc("Sectors to lead to."))


def _answer(raw: Mapping[str, Any]) -> AnswerView:
    leads = raw.get("leads_to") or {}
    return AnswerView(
        value=str(raw.get("value") or ""),
        label=str(raw.get("label") or ""),
        sector=str(leads.get("sector") or ""),
        body=str(leads.get("body") or ""),
        level1=bool(leads.get("level1")),
        next=bool(leads.get("continue")),
        note=str(leads.get("note") or ""),
        contact=str(leads.get("contact") or ""),
    )


def form_view(content: Mapping[str, Any]) -> SheetForm:
    """The form of a sheet's content, with the spare rows for adding."""
    questions = [
        QuestionView(
            id=str(q.get("id") or ""),
            text=str(q.get("text") or ""),
            help=str(q.get("help") or ""),
            answers=(
                *(_answer(a) for a in q.get("answers") or [] if isinstance(a, Mapping)),
                *(AnswerView() for _ in range(SPARE_ANSWERS)),
            ),
        )
        for q in content.get("questions") or []
        if isinstance(q, Mapping)
    ]
    spare = QuestionView(answers=tuple(AnswerView() for _ in range(SPARE_QUESTION_ANSWERS)))
    bodies = [
        BodyView(
            id=str(b.get("id") or ""),
            name=str(b.get("name") or ""),
            when=str(b.get("when") or ""),
            contact=str(b.get("contact") or ""),
        )
        for b in content.get("outside_bodies") or []
        if isinstance(b, Mapping)
    ]

    def lines(name: str) -> str:
        value = content.get(name) or []
        return "\n".join(str(x) for x in value) if isinstance(value, list) else str(value)

    return SheetForm(
        label=str(content.get("label") or ""),
        definition=str(content.get("definition") or ""),
        subjects=lines("subjects"),
        keywords=lines("keywords"),
        fiche_themes=lines("fiche_themes"),
        questions=(*questions, QuestionView(answers=spare.answers, spare=True)),
        bodies=(*bodies, BodyView(spare=True)),
    )


def slug(text: str) -> str:
    """An identifier from a label (`Salarié du privé` → `salarie_du_prive`)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:40]


def _count(form: Mapping[str, Any], name: str) -> int:
    raw = str(form.get(name) or "0")
    if not raw.isdigit() or int(raw) > MAX_ROWS:
        raise InvalidInput(f"Formulaire incomplet ou trop long ({name}) : rien n'a été enregistré.")
    return int(raw)


def content_from_form(form: Mapping[str, Any], sector: str) -> dict[str, Any]:
    """The sheet's content from the posted form (blank and « Supprimer » rows left out)."""

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    questions = []
    for i in range(_count(form, "q-count")):
        prefix = f"q-{i}-"
        if text(prefix + "delete"):
            continue
        answers = []
        for j in range(_count(form, prefix + "a-count")):
            a = f"{prefix}a-{j}-"
            if text(a + "delete"):
                continue
            leads: dict[str, Any] = {}
            if text(a + "sector"):
                leads["sector"] = text(a + "sector")
            for key in ("body", "note", "contact"):
                if text(a + key):
                    leads[key] = text(a + key)
            if text(a + "level1"):
                leads["level1"] = True
            if text(a + "next"):
                leads["continue"] = True
            label = text(a + "label")
            if not (label or text(a + "value") or leads):
                continue  # a spare row left blank
            answers.append(
                {"value": text(a + "value") or slug(label), "label": label, "leads_to": leads}
            )
        question_text = text(prefix + "text")
        if not (question_text or text(prefix + "id") or answers):
            continue
        question: dict[str, Any] = {
            "id": text(prefix + "id") or slug(question_text),
            "text": question_text,
        }
        if text(prefix + "help"):
            question["help"] = text(prefix + "help")
        question["answers"] = answers
        questions.append(question)
    bodies = []
    for i in range(_count(form, "b-count")):
        prefix = f"b-{i}-"
        name = text(prefix + "name")
        if text(prefix + "delete") or not (name or text(prefix + "id") or text(prefix + "when")):
            continue
        bodies.append(
            {
                "id": text(prefix + "id") or slug(name),
                "name": name,
                "when": text(prefix + "when"),
                "contact": text(prefix + "contact"),
            }
        )
    content: dict[str, Any] = {
        "sector": sector,
        "label": text("label"),
        "definition": text("definition"),
    }
    for name in LIST_FIELDS:
        content[name] = [line.strip() for line in text(name).splitlines() if line.strip()]
    content["questions"] = questions
    content["outside_bodies"] = bodies
    return content
