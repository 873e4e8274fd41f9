"""The contact flow over JSON: queues, taking, consulting, answering, orienting, escalating.

Thin handlers: each checks the role with a dependency, calls one service of allo.contacts and
returns the contact as the caller's role may see it. The request's session commits the step.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from allo.contacts import reading, services
from allo.contacts.fiche_search import search_function
from allo.contacts.models import Agent
from allo.db.base import utcnow
from allo.db.session import unit_of_work
from allo.errors import InvalidInput
from allo.kb.escalation import SheetSet
from allo.kb.local import sheets as sheet_store
from allo.privacy import audit
from allo.runtime import Runtime
from allo.web.api._contact_schemas import (
    AgreementIn,
    AnswerIn,
    CloseIn,
    ConsultIn,
    ContactDetailOut,
    ContactIn,
    ContactPatch,
    ContactSummaryOut,
    EscalateIn,
    NoteIn,
    NoteOut,
    OrientIn,
    QueueOut,
    SheetOut,
    SheetsOut,
    SuggestIn,
    SuggestionOut,
)
from allo.web.auth import CurrentAgent, require_role
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["contacts"])

Handler = Annotated[Agent, require_role("advisor", "specialist")]
Creator = Annotated[Agent, require_role("advisor", "supervisor", "administrator")]
# Capped at the 32-bit INTEGER of the id column: a larger number is a 422, not a PostgreSQL overflow.
ContactId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Numéro du contact.")]

_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Non connecté"},
    403: {"description": "Rôle insuffisant ou contact hors de vos files"},
    404: {"description": "Contact inconnu"},
    409: {
        "description": "Action impossible dans l'état du contact, ou appel hors des horaires "
        "du service (message en français)"
    },
    422: {"description": "Données invalides"},
}


def _sheets(runtime: Runtime) -> SheetSet:
    """The published escalation sheets of the base (docs/EDITORIAL.md)."""
    with unit_of_work(runtime.read_sessions) as session:
        return sheet_store.published_set(session, runtime.settings.home)


def _calls(runtime: Runtime) -> services.CallControl | None:
    """The telephony bridge when this process has one (the demo and the tests install it)."""
    return runtime.services.get("telephony")


def _detail(session: DbSession, agent: Agent, contact_id: int) -> ContactDetailOut:
    """The contact as `agent` may see it. After a step, call it with `contact.id` while the
    handler still holds the contact: the session then answers from its identity map (weakly
    held) instead of reading the row again."""
    return ContactDetailOut.of(reading.view(session, agent, contact_id))


@router.post(
    "/contacts",
    response_model=ContactDetailOut,
    status_code=status.HTTP_201_CREATED,
    summary="Enregistrer un contact (file du premier niveau)",
    responses=_ERRORS,
)
def create_contact(
    body: ContactIn, session: DbSession, runtime: RuntimeDep, agent: Creator
) -> ContactDetailOut:
    """La question est masquée (téléphones, courriels, NIR, IBAN, cartes, noms) avant
    l'enregistrement ; la réponse dit ce qui a été masqué. Aucune identité de l'appelant n'est gardée.
    Hors des horaires du service, un contact téléphonique est refusé (409, avec les horaires)."""
    contact = services.create_contact(
        session,
        channel=body.channel,
        question=body.question,
        commune=body.commune,
        theme=body.theme,
        agent=agent,
        tz=runtime.settings.zone,
    )
    return _detail(session, agent, contact.id)


@router.get(
    "/queues",
    response_model=list[QueueOut],
    summary="Les files : longueur, contacts en cours, attente du plus ancien",
    responses=_ERRORS,
)
def queues(session: DbSession, agent: CurrentAgent) -> list[QueueOut]:
    """Superviseurs et administrateurs voient toutes les files ; un agent voit les siennes."""
    rows = reading.queue_overview(session)
    if agent.role in ("supervisor", "administrator"):
        return [QueueOut.of(q) for q in rows]
    if agent.role == "advisor":
        return [QueueOut.of(q) for q in rows if q.queue == "niveau1"]
    if agent.role == "specialist":
        return [QueueOut.of(q) for q in rows if q.queue in agent.sectors]
    return []


@router.get(
    "/queues/{queue}/contacts",
    response_model=list[ContactSummaryOut],
    summary="Les contacts ouverts d'une file, du plus ancien au plus récent",
    responses=_ERRORS,
)
def queue_contacts(
    queue: Annotated[str, Path(max_length=32, description="niveau1 ou un secteur.")],
    session: DbSession,
    agent: Annotated[Agent, require_role("advisor", "specialist", "supervisor", "administrator")],
    limit: Annotated[int, Query(ge=1, le=500, description="Nombre maximal de contacts.")] = 100,
) -> list[ContactSummaryOut]:
    now = utcnow()
    return [
        ContactSummaryOut.of(c, agent.id, now)
        for c in reading.queue_contacts(session, agent, queue, limit=limit)
    ]


@router.post(
    "/queues/{queue}/next",
    response_model=ContactDetailOut,
    summary="Prendre le contact suivant de la file",
    responses={**_ERRORS, 204: {"description": "File vide"}},
)
def take_next(
    queue: Annotated[str, Path(max_length=32, description="niveau1 ou un secteur.")],
    session: DbSession,
    runtime: RuntimeDep,
    agent: Handler,
) -> ContactDetailOut | Response:
    """Atomique : deux agents qui demandent au même instant n'obtiennent jamais le même contact."""
    contact = services.take_next(session, agent, queue, calls=_calls(runtime))
    if contact is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/take",
    response_model=ContactDetailOut,
    summary="Prendre un contact précis de sa file",
    responses=_ERRORS,
)
def take(
    contact_id: ContactId, session: DbSession, runtime: RuntimeDep, agent: Handler
) -> ContactDetailOut:
    contact = services.take(session, agent, contact_id, calls=_calls(runtime))
    return _detail(session, agent, contact.id)


@router.get(
    "/contacts/{contact_id}",
    response_model=ContactDetailOut,
    summary="Un contact avec tout son contexte",
    responses=_ERRORS,
)
def get_contact(
    contact_id: ContactId,
    session: DbSession,
    runtime: RuntimeDep,
    agent: Annotated[Agent, require_role("advisor", "specialist", "supervisor", "administrator")],
) -> ContactDetailOut:
    """La question, la qualification, les fiches consultées, les notes des deux niveaux, les étapes.
    Chaque lecture est tracée au journal d'audit (qui, quel contact, quand ; aucun contenu)."""
    detail = _detail(session, agent, contact_id)
    # Reading a contact is access to personal data: traced once it succeeded (not on 403/404),
    # in its own short write (the GET session is read-only).
    audit.record_separately(
        runtime.sessions,
        agent_id=agent.id,
        action="read",
        object_type="contact",
        object_id=contact_id,
        detail={"role": agent.role},
    )
    return detail


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactDetailOut,
    summary="Compléter la question, la commune, le thème",
    responses=_ERRORS,
)
def patch_contact(
    contact_id: ContactId, body: ContactPatch, session: DbSession, agent: Handler
) -> ContactDetailOut:
    contact = services.update_details(
        session, agent, contact_id, question=body.question, commune=body.commune, theme=body.theme
    )
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/consult",
    response_model=ContactDetailOut,
    summary="Noter une fiche consultée",
    responses=_ERRORS,
)
def consult(
    contact_id: ContactId, body: ConsultIn, session: DbSession, agent: Handler
) -> ContactDetailOut:
    contact = services.consult(session, agent, contact_id, body.fiche_id)
    return _detail(session, agent, contact.id)


@router.put(
    "/contacts/{contact_id}/agreement",
    response_model=ContactDetailOut,
    summary="Indiquer la convention collective de l'appelant",
    responses=_ERRORS,
)
def set_agreement(
    contact_id: ContactId, body: AgreementIn, session: DbSession, agent: Handler
) -> ContactDetailOut:
    """Gardée dans `qualification.agreement` et transmise avec une escalade ; null l'efface."""
    agreement = services.CallerAgreement.from_idcc(body.idcc)  # unknown: 422
    contact = services.set_agreement(session, agent, contact_id, agreement)
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/notes",
    response_model=NoteOut,
    status_code=status.HTTP_201_CREATED,
    summary="Ajouter une note (masquée avant enregistrement)",
    responses=_ERRORS,
)
def add_note(contact_id: ContactId, body: NoteIn, session: DbSession, agent: Handler) -> NoteOut:
    note = services.add_note(session, agent, contact_id, body.text)
    return NoteOut.of(note, {agent.id: agent.display_name})


@router.post(
    "/contacts/{contact_id}/answer",
    response_model=ContactDetailOut,
    summary="Clore : répondu, avec les fiches utilisées",
    responses=_ERRORS,
)
def answer(
    contact_id: ContactId, body: AnswerIn, session: DbSession, agent: Handler
) -> ContactDetailOut:
    contact = services.answer(session, agent, contact_id, body.fiche_ids, note=body.note)
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/orient",
    response_model=ContactDetailOut,
    summary="Clore : orienté vers un organisme, un site ou un numéro",
    responses=_ERRORS,
)
def orient(
    contact_id: ContactId, body: OrientIn, session: DbSession, agent: Handler
) -> ContactDetailOut:
    orientation = services.Orientation(
        office_id=body.office_id, label=body.label, url=body.url, phone=body.phone
    )
    contact = services.orient(session, agent, contact_id, orientation, note=body.note)
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/escalate",
    response_model=ContactDetailOut,
    summary="Transférer au secteur spécialisé, avec la qualification et une note",
    responses=_ERRORS,
)
def escalate(
    contact_id: ContactId,
    body: EscalateIn,
    session: DbSession,
    runtime: RuntimeDep,
    agent: Annotated[Agent, require_role("advisor")],
) -> ContactDetailOut:
    """En une seule transaction : le contact quitte le premier niveau et entre dans la file du
    secteur ; à aucun moment il n'est dans aucune file ni dans deux."""
    agreement = services.CallerAgreement.from_idcc(body.idcc)  # unknown: 422
    contact = services.escalate(
        session,
        agent,
        contact_id,
        sector=body.sector,
        answers=body.answers,
        note=body.note,
        suggested_sector=body.suggested_sector,
        agreement=agreement,
        sheets=_sheets(runtime),
        calls=_calls(runtime),
    )
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/close",
    response_model=ContactDetailOut,
    summary="Clore avec une issue (ou réorienter / renvoyer au premier niveau)",
    responses=_ERRORS,
)
def close(
    contact_id: ContactId,
    body: CloseIn,
    session: DbSession,
    runtime: RuntimeDep,
    agent: Handler,
) -> ContactDetailOut:
    if body.outcome == "answered":
        contact = services.answer(session, agent, contact_id, body.fiche_ids, note=body.note)
    elif body.outcome == "oriented":
        orientation = services.Orientation(
            office_id=body.office_id, label=body.label, url=body.url, phone=body.phone
        )
        contact = services.orient(session, agent, contact_id, orientation, note=body.note)
    elif body.outcome == "redirected":
        if body.sector is None:
            raise InvalidInput("Indiquez le secteur vers lequel réorienter le contact.")
        contact = services.redirect(
            session,
            agent,
            contact_id,
            sector=body.sector,
            reason=body.reason or body.note,
            answers=body.answers,
            sheets=_sheets(runtime),
            calls=_calls(runtime),
        )
    else:
        contact = services.return_to_level1(
            session, agent, contact_id, reason=body.reason or body.note, calls=_calls(runtime)
        )
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/release",
    response_model=ContactDetailOut,
    summary="Remettre le contact dans sa file sans issue",
    responses=_ERRORS,
)
def release(contact_id: ContactId, session: DbSession, agent: Handler) -> ContactDetailOut:
    contact = services.release(session, agent, contact_id)
    return _detail(session, agent, contact.id)


@router.post(
    "/contacts/{contact_id}/suggest-sector",
    response_model=SuggestionOut,
    summary="Suggérer un secteur (à confirmer par le conseiller)",
    responses=_ERRORS,
)
def suggest(
    contact_id: ContactId,
    session: DbSession,
    runtime: RuntimeDep,
    agent: Handler,
    body: SuggestIn | None = None,
) -> SuggestionOut:
    """D'après les mots de la question et les thèmes des fiches consultées (ou trouvées par la
    recherche). « aucun » : le premier niveau garde la question."""
    suggestion, fiche_ids = reading.suggest_for_contact(
        session,
        agent,
        contact_id,
        sheets=_sheets(runtime),
        search=search_function(runtime),
        extra_fiche_ids=body.fiche_ids if body else (),
    )
    return SuggestionOut.of(suggestion, fiche_ids)


@router.get(
    "/escalation-sheets",
    response_model=SheetsOut,
    summary="Les fiches d'escalade des six secteurs",
    responses={401: {"description": "Non connecté"}},
)
def escalation_sheets(runtime: RuntimeDep, _agent: CurrentAgent) -> SheetsOut:
    sheets = _sheets(runtime)
    return SheetsOut(
        sheets=[SheetOut.of(s) for s in sheets.sheets.values()], level1=SheetOut.of(sheets.level1)
    )
