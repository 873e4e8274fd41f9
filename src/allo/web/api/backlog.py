"""Feedback from the floor and the content gaps: the editorial backlog's JSON API.

Agents flag fiches (`POST /api/kb/flags`); editors list and handle them; the gap backlog
(`GET /api/editorial/gaps`) groups what the base did not answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from allo.backlog import flags, gaps
from allo.backlog.models import FLAG_KINDS
from allo.contacts.models import Agent
from allo.web.auth import CurrentAgent, require_role
from allo.web.deps import DbSession

router = APIRouter(prefix="/api", tags=["rédaction : retours et manques"])

FlagId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Numéro du signalement.")]
Editor = Annotated[Agent, require_role(*flags.EDITOR_ROLES)]
Reader = Annotated[Agent, require_role(*gaps.READER_ROLES)]


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["a_corriger", "incomplete", "obsolete", "manque"] = Field(
        description="Type : " + ", ".join(f"{k} ({v})" for k, v in FLAG_KINDS.items()) + "."
    )
    fiche_id: str | None = Field(
        default=None,
        max_length=64,
        description="Fiche signalée (facultative pour « manque une fiche »).",
    )
    note: str = Field(
        default="",
        max_length=flags.MAX_NOTE,
        description="Note courte ; les données personnelles sont masquées avant l'enregistrement.",
    )
    contact_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="Contact en cours : son thème et son secteur sont joints au signalement.",
    )


class HandleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(
        default="",
        max_length=flags.MAX_ANSWER,
        description="Réponse courte lue par l'agent qui a signalé (masquée comme toute note).",
    )


@router.post(
    "/kb/flags",
    status_code=status.HTTP_201_CREATED,
    summary="Signaler une fiche (conseillers, spécialistes, supervision)",
)
def create_flag(session: DbSession, agent: CurrentAgent, body: FlagIn) -> dict[str, Any]:
    """« À corriger », « incomplète », « obsolète » ou « manque une fiche », avec une note
    courte. `redaction_summary` dit ce qui a été masqué dans la note."""
    flag = flags.create(
        session,
        agent,
        flags.NewFlag(
            kind=body.kind, fiche_id=body.fiche_id, note=body.note, contact_id=body.contact_id
        ),
    )
    out = flags.as_dict(flag, {agent.id: agent.display_name})
    out["redaction_summary"] = flags.redaction_summary(flag)
    return out


@router.get("/kb/flags", summary="Signalements des fiches")
def list_flags(
    session: DbSession,
    agent: CurrentAgent,
    state: Annotated[
        Literal["open", "handled", "all"],
        Query(description="open (à traiter, les plus anciens d'abord), handled ou all."),
    ] = "open",
    mine: Annotated[
        bool, Query(description="Seulement mes signalements (tout agent qui signale).")
    ] = False,
    limit: Annotated[int, Query(ge=1, le=flags.MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    """L'équipe de rédaction et la supervision voient tous les signalements ; un conseiller ou
    un spécialiste voit les siens (`mine=true`) et la réponse de la rédaction."""
    wanted = None if state == "all" else state
    if mine or agent.role not in flags.ALL_FLAGS_ROLES:
        found = flags.list_mine(session, agent, state=wanted, limit=limit)
    else:
        found = flags.list_for_editors(session, agent, state=wanted, limit=limit)
    names = flags.agent_names(session, found)
    return {"flags": [flags.as_dict(f, names) for f in found], "open": flags.open_count(session)}


@router.post("/kb/flags/{flag_id}/handle", summary="Marquer un signalement traité (rédaction)")
def handle_flag(
    session: DbSession, agent: Editor, flag_id: FlagId, body: HandleIn
) -> dict[str, Any]:
    """La réponse est montrée à l'agent qui a signalé ; un signalement déjà traité donne 409."""
    flag = flags.handle(session, agent, flag_id, body.answer)
    return flags.as_dict(flag, flags.agent_names(session, [flag]))


@router.get("/editorial/gaps", summary="Manques de la base (rédaction)")
def list_gaps(
    session: DbSession,
    agent: Reader,
    days: Annotated[int, Query(ge=1, le=gaps.MAX_DAYS, description="Période, en jours.")] = 30,
    source: Annotated[
        Literal[
            "contact_sans_fiche",
            "escalade_sans_reponse",
            "portail_sans_resultat",
            "portail_sans_ouverture",
        ]
        | None,
        Query(description="Une seule origine."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Questions restées sans fiche, regroupées par formulation proche, les plus fréquentes
    d'abord : contacts traités sans fiche consultée, escalades dont la note dit que la base
    n'avait pas la réponse, recherches du portail sans résultat ou sans fiche ouverte (comptes
    agrégés et masqués, jamais les requêtes elles-mêmes)."""
    found = gaps.gaps(session, agent, days=days, source=source, limit=limit)
    return {"days": days, "gaps": [g.as_dict() for g in found]}
