"""JSON shapes of the contacts and auth API: every field documented for the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from allo.contacts.agents import ROLE_LABELS, STATE_LABELS
from allo.contacts.models import Agent, Contact, ContactEvent, ContactNote
from allo.contacts.reading import ContactView, QueueStatus
from allo.contacts.suggestion import SectorSuggestion
from allo.kb.escalation import EscalationSheet
from allo.privacy.redaction import KIND_LABELS, PLACEHOLDERS

Channel = Literal["phone", "web", "email"]
Sector = Literal["interieur", "travail", "consommation", "justice", "fiscalite", "logement"]
Queue = Literal[
    "niveau1", "interieur", "travail", "consommation", "justice", "fiscalite", "logement"
]

_FORBID = ConfigDict(extra="forbid")


# --- auth and agents ---------------------------------------------------------------------------


class LoginIn(BaseModel):
    model_config = _FORBID
    username: str = Field(min_length=1, max_length=64, description="Identifiant de l'agent.")
    password: str = Field(min_length=1, max_length=1024, description="Mot de passe.")


class AgentOut(BaseModel):
    id: int = Field(description="Identifiant numérique de l'agent.")
    username: str = Field(description="Identifiant de connexion.")
    display_name: str = Field(description="Nom affiché dans les consoles.")
    role: str = Field(description="advisor, specialist, editor, supervisor ou administrator.")
    role_label: str = Field(description="Rôle en français.")
    sectors: list[str] = Field(description="Secteurs couverts (spécialistes seulement).")
    state: str = Field(description="available, busy, paused ou offline.")
    state_label: str = Field(description="État en français.")
    state_since: datetime = Field(description="Depuis quand l'agent est dans cet état.")

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls(
            id=agent.id,
            username=agent.username,
            display_name=agent.display_name,
            role=agent.role,
            role_label=ROLE_LABELS[agent.role],
            sectors=list(agent.sectors),
            state=agent.state,
            state_label=STATE_LABELS[agent.state],
            state_since=agent.state_since,
        )


class LoginOut(BaseModel):
    token: str = Field(
        description="Jeton à envoyer dans l'en-tête « Authorization: Bearer … » "
        "(le même secret est posé dans le cookie HttpOnly « allo_session »)."
    )
    token_type: Literal["bearer"] = Field(default="bearer", description="Toujours « bearer ».")
    expires_at: datetime = Field(description="Fin de validité de la session.")
    agent: AgentOut = Field(description="L'agent connecté.")


class StateIn(BaseModel):
    model_config = _FORBID
    state: Literal["available", "paused"] = Field(
        description="« available » (prêt à prendre un contact) ou « paused »."
    )


class AgentIn(BaseModel):
    model_config = _FORBID
    username: str = Field(min_length=2, max_length=64, description="Identifiant de connexion.")
    role: Literal["advisor", "specialist", "editor", "supervisor", "administrator"] = Field(
        description="Rôle de l'agent."
    )
    sectors: list[Sector] = Field(default_factory=list, description="Secteurs d'un spécialiste.")
    display_name: str = Field(default="", max_length=128, description="Nom affiché.")
    password: str | None = Field(
        default=None,
        min_length=10,
        max_length=1024,
        description="Mot de passe ; s'il est absent, un mot de passe est généré et renvoyé une fois.",
    )


class AgentCreatedOut(BaseModel):
    agent: AgentOut = Field(description="L'agent créé.")
    generated_password: str | None = Field(
        description="Mot de passe généré (affiché une seule fois), ou null s'il était fourni."
    )


# --- contacts ----------------------------------------------------------------------------------


class RedactionOut(BaseModel):
    kind: str = Field(
        description="Nature de la donnée masquée : phone, email, nir, iban, card, name."
    )
    label: str = Field(description="Nature en français.")
    placeholder: str = Field(
        description="Ce qui remplace la donnée dans le texte, ex. « [téléphone] »."
    )
    start: int = Field(description="Début du remplaçant dans le texte enregistré.")
    end: int = Field(description="Fin (exclue) du remplaçant dans le texte enregistré.")

    @classmethod
    def many(cls, raw: list[dict[str, Any]]) -> list[RedactionOut]:
        return [
            cls(
                kind=r["kind"],
                label=KIND_LABELS.get(r["kind"], r["kind"]),
                placeholder=PLACEHOLDERS.get(r["kind"], ""),
                start=r["start"],
                end=r["end"],
            )
            for r in raw
        ]


class ContactIn(BaseModel):
    model_config = _FORBID
    channel: Channel = Field(
        description="Canal : phone (téléphone), web (message du portail), email."
    )
    question: str = Field(
        default="",
        max_length=5000,
        description="Résumé de la question ; les données personnelles sont masquées avant l'enregistrement.",
    )
    commune: str | None = Field(
        default=None, max_length=5, description="Code INSEE de la commune de l'usager (facultatif)."
    )
    theme: str = Field(default="", max_length=255, description="Thème (facultatif).")


class ContactPatch(BaseModel):
    model_config = _FORBID
    question: str | None = Field(
        default=None, max_length=5000, description="Résumé de la question."
    )
    commune: str | None = Field(default=None, max_length=5, description="Code INSEE de la commune.")
    theme: str | None = Field(default=None, max_length=255, description="Thème.")


class NoteOut(BaseModel):
    id: int = Field(description="Identifiant de la note.")
    level: int = Field(description="Niveau du contact quand la note a été écrite (1 ou 2).")
    kind: str = Field(
        description="note, escalation (note d'escalade), redirect, return (renvoi au niveau 1) ou answer."
    )
    text: str = Field(description="Texte enregistré, données personnelles masquées.")
    redactions: list[RedactionOut] = Field(description="Ce qui a été masqué.")
    author: str | None = Field(description="Nom de l'agent auteur.")
    created_at: datetime = Field(description="Date d'écriture.")

    @classmethod
    def of(cls, note: ContactNote, names: dict[int, str]) -> NoteOut:
        return cls(
            id=note.id,
            level=note.level,
            kind=note.kind,
            text=note.text,
            redactions=RedactionOut.many(note.redactions),
            author=names.get(note.agent_id) if note.agent_id else None,
            created_at=note.created_at,
        )


class EventOut(BaseModel):
    kind: str = Field(description="Étape : created, queued, taken, consulted, escalated, closed…")
    at: datetime = Field(description="Horodatage de l'étape.")
    queue: str = Field(description="File du contact après l'étape.")
    level: int = Field(description="Niveau du contact après l'étape.")
    agent: str | None = Field(description="Agent à l'origine de l'étape.")
    data: dict[str, Any] = Field(
        description="Détails structurés (identifiants, durées), sans texte libre."
    )

    @classmethod
    def of(cls, event: ContactEvent, names: dict[int, str]) -> EventOut:
        return cls(
            kind=event.kind,
            at=event.at,
            queue=event.queue,
            level=event.level,
            agent=names.get(event.agent_id) if event.agent_id else None,
            data=event.data,
        )


class ContactOut(BaseModel):
    id: int = Field(description="Numéro du contact.")
    channel: str = Field(description="phone, web ou email.")
    created_at: datetime = Field(description="Heure d'arrivée.")
    state: str = Field(description="waiting (en file), taken (en cours), closed ou abandoned.")
    queue: str = Field(description="La file où se trouve le contact (toujours une et une seule).")
    level: int = Field(description="1 (premier niveau) ou 2 (secteur spécialisé).")
    sector: str | None = Field(description="Secteur d'escalade, null si jamais escaladé.")
    question: str = Field(description="Question, données personnelles masquées.")
    question_redactions: list[RedactionOut] = Field(
        description="Ce qui a été masqué dans la question."
    )
    commune: str | None = Field(description="Code INSEE de la commune.")
    theme: str = Field(description="Thème.")
    fiches_consulted: list[str] = Field(description="Fiches consultées, dans l'ordre.")
    qualification: dict[str, Any] = Field(
        description="Réponses à la fiche d'escalade : {sheet, answers: {question: réponse}, suggested_sector}."
    )
    outcome: str | None = Field(description="answered, oriented ou abandoned une fois clos.")
    outcome_detail: dict[str, Any] = Field(
        description="answered : {fiche_ids} ; oriented : {office_id, label, url, phone}."
    )
    agent: str | None = Field(description="Agent qui traite le contact en ce moment.")
    queued_at: datetime = Field(description="Entrée dans la file actuelle.")
    taken_at: datetime | None = Field(description="Prise en charge par l'agent actuel.")
    closed_at: datetime | None = Field(description="Clôture.")
    escalations: int = Field(description="Nombre de passages vers un secteur.")


class ContactSummaryOut(BaseModel):
    id: int = Field(description="Numéro du contact.")
    channel: str = Field(description="phone, web ou email.")
    state: str = Field(description="waiting (en file) ou taken (en cours).")
    queue: str = Field(description="La file.")
    level: int = Field(description="1 ou 2.")
    created_at: datetime = Field(description="Heure d'arrivée.")
    queued_at: datetime = Field(description="Entrée dans la file.")
    wait_seconds: float = Field(description="Attente dans la file jusqu'à maintenant (s).")
    question: str = Field(description="Début de la question (masquée), 200 caractères au plus.")
    escalations: int = Field(description="Passages vers un secteur.")
    mine: bool = Field(description="Vrai si le contact est traité par l'agent qui demande.")

    @classmethod
    def of(cls, c: Contact, agent_id: int, now: datetime) -> ContactSummaryOut:
        return cls(
            id=c.id,
            channel=c.channel,
            state=c.state,
            queue=c.queue,
            level=c.level,
            created_at=c.created_at,
            queued_at=c.queued_at,
            wait_seconds=round(max(0.0, (now - c.queued_at).total_seconds()), 1),
            question=c.question[:200],
            escalations=c.escalations,
            mine=c.agent_id == agent_id,
        )


class ContactDetailOut(ContactOut):
    notes: list[NoteOut] = Field(description="Notes des niveaux 1 et 2 (note d'escalade comprise).")
    events: list[EventOut] = Field(description="Chaque étape horodatée.")

    @classmethod
    def of(cls, view: ContactView) -> ContactDetailOut:
        c, names = view.contact, view.agent_names
        return cls(
            id=c.id,
            channel=c.channel,
            created_at=c.created_at,
            state=c.state,
            queue=c.queue,
            level=c.level,
            sector=c.sector,
            question=c.question,
            question_redactions=RedactionOut.many(c.question_redactions),
            commune=c.commune,
            theme=c.theme,
            fiches_consulted=list(c.fiches_consulted),
            qualification=dict(c.qualification),
            outcome=c.outcome,
            outcome_detail=dict(c.outcome_detail),
            agent=names.get(c.agent_id) if c.agent_id else None,
            queued_at=c.queued_at,
            taken_at=c.taken_at,
            closed_at=c.closed_at,
            escalations=c.escalations,
            notes=[NoteOut.of(n, names) for n in view.notes],
            events=[EventOut.of(e, names) for e in view.events],
        )


class AgreementIn(BaseModel):
    model_config = _FORBID
    idcc: str | None = Field(
        default=None,
        pattern=r"^\d{1,5}$",
        description="IDCC de la convention collective de l'appelant (liste : "
        "`/api/search/agreements`) ; null : aucune connue.",
    )


class ConsultIn(BaseModel):
    model_config = _FORBID
    fiche_id: str = Field(
        min_length=1, max_length=64, description="Identifiant de la fiche ouverte."
    )


class NoteIn(BaseModel):
    model_config = _FORBID
    text: str = Field(
        min_length=1, max_length=5000, description="Texte de la note (masqué avant enregistrement)."
    )


class AnswerIn(BaseModel):
    model_config = _FORBID
    fiche_ids: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Fiches utilisées pour répondre (au moins une au premier niveau).",
    )
    note: str = Field(default="", max_length=5000, description="Note facultative.")


class OrientIn(BaseModel):
    model_config = _FORBID
    office_id: str | None = Field(
        default=None, max_length=80, description="Organisme de l'annuaire."
    )
    label: str = Field(default="", max_length=255, description="Libellé de l'orientation.")
    url: str | None = Field(
        default=None, max_length=512, description="Site vers lequel l'usager est orienté."
    )
    phone: str | None = Field(
        default=None, max_length=32, description="Numéro de téléphone d'un service."
    )
    note: str = Field(default="", max_length=5000, description="Note facultative.")


class EscalateIn(BaseModel):
    model_config = _FORBID
    sector: Sector = Field(description="Secteur spécialisé vers lequel transférer.")
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="Réponses aux questions de la fiche d'escalade : {question: valeur}.",
    )
    note: str = Field(
        min_length=1, max_length=5000, description="Ce que le premier niveau a appris."
    )
    suggested_sector: str | None = Field(
        default=None, description="Secteur qu'Allo avait suggéré (pour mesurer la suggestion)."
    )
    idcc: str | None = Field(
        default=None,
        pattern=r"^\d{1,5}$",
        description="IDCC de la convention collective de l'appelant (liste : "
        "`/api/search/agreements`) : transmise au spécialiste dans `qualification.agreement`.",
    )


class CloseIn(BaseModel):
    model_config = _FORBID
    outcome: Literal["answered", "oriented", "redirected", "returned"] = Field(
        description="answered (répondu), oriented (orienté), redirected (autre secteur, niveau 2), "
        "returned (renvoyé au niveau 1, niveau 2)."
    )
    fiche_ids: list[str] = Field(
        default_factory=list, max_length=20, description="answered : fiches utilisées."
    )
    office_id: str | None = Field(
        default=None, max_length=80, description="oriented : organisme de l'annuaire."
    )
    label: str = Field(default="", max_length=255, description="oriented : libellé.")
    url: str | None = Field(default=None, max_length=512, description="oriented : site.")
    phone: str | None = Field(default=None, max_length=32, description="oriented : téléphone.")
    sector: Sector | None = Field(default=None, description="redirected : le nouveau secteur.")
    answers: dict[str, str] = Field(
        default_factory=dict, description="redirected : réponses à sa fiche."
    )
    reason: str = Field(
        default="", max_length=5000, description="redirected / returned : le motif."
    )
    note: str = Field(default="", max_length=5000, description="Note facultative.")


class SuggestIn(BaseModel):
    model_config = _FORBID
    fiche_ids: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Fiches trouvées à prendre en compte (en plus des consultées).",
    )


class SuggestionOut(BaseModel):
    sector: str = Field(
        description="Secteur suggéré, ou « aucun » : le premier niveau garde la question."
    )
    confidence: float = Field(description="Part des indices en faveur de ce secteur (0 à 1).")
    scores: dict[str, float] = Field(description="Score de chaque secteur.")
    reasons: list[str] = Field(
        description="Mots et thèmes de fiches qui ont orienté la suggestion."
    )
    fiche_ids: list[str] = Field(description="Fiches prises en compte.")

    @classmethod
    def of(cls, s: SectorSuggestion, fiche_ids: list[str]) -> SuggestionOut:
        return cls(
            sector=s.sector,
            confidence=s.confidence,
            scores=s.scores,
            reasons=s.reasons,
            fiche_ids=fiche_ids,
        )


class QueueOut(BaseModel):
    queue: str = Field(description="Nom de la file.")
    label: str = Field(description="Libellé en français.")
    level: int = Field(description="1 ou 2.")
    waiting: int = Field(description="Contacts en attente.")
    taken: int = Field(description="Contacts en cours de traitement.")
    oldest_wait_seconds: float | None = Field(
        description="Attente du plus ancien contact en file (s)."
    )

    @classmethod
    def of(cls, q: QueueStatus) -> QueueOut:
        return cls(**q.__dict__)


# --- escalation sheets -------------------------------------------------------------------------


class AnswerChoiceOut(BaseModel):
    value: str = Field(description="Valeur à renvoyer dans `answers`.")
    label: str = Field(description="Libellé du choix.")
    leads_to: dict[str, Any] = Field(
        description="Où mène ce choix : {sector} | {body, contact} (organisme extérieur) | {level1} | {continue}, et une note."
    )


class QuestionOut(BaseModel):
    id: str = Field(description="Identifiant de la question (clé dans `answers`).")
    text: str = Field(description="La question à se poser.")
    help: str = Field(description="Aide.")
    answers: list[AnswerChoiceOut] = Field(description="Choix possibles.")


class OutsideBodyOut(BaseModel):
    id: str = Field(description="Identifiant.")
    name: str = Field(description="Organisme extérieur.")
    when: str = Field(description="Quand y orienter.")
    contact: str = Field(description="Site ou contact.")


class SheetOut(BaseModel):
    sector: str = Field(description="Secteur (ou « aucun » pour le périmètre du premier niveau).")
    label: str = Field(description="Libellé.")
    definition: str = Field(description="Ce que couvre le secteur.")
    subjects: list[str] = Field(description="Sujets typiques.")
    questions: list[QuestionOut] = Field(description="Questions de qualification.")
    outside_bodies: list[OutsideBodyOut] = Field(description="Organismes extérieurs.")

    @classmethod
    def of(cls, s: EscalationSheet) -> SheetOut:
        return cls(
            sector=s.sector,
            label=s.label,
            definition=s.definition,
            subjects=list(s.subjects),
            questions=[
                QuestionOut(
                    id=q.id,
                    text=q.text,
                    help=q.help,
                    answers=[
                        AnswerChoiceOut(value=a.value, label=a.label, leads_to=a.leads_to)
                        for a in q.answers
                    ],
                )
                for q in s.questions
            ],
            outside_bodies=[
                OutsideBodyOut(id=b.id, name=b.name, when=b.when, contact=b.contact)
                for b in s.outside_bodies
            ],
        )


class SheetsOut(BaseModel):
    sheets: list[SheetOut] = Field(description="Les six fiches d'escalade.")
    level1: SheetOut = Field(description="Ce que le premier niveau garde (« aucun »).")
