"""The written channel for citizens: « Poser une question » without an account, the private page
where the answer is read (`/ma-question?jeton=…`), and the satisfaction form on it.

The question goes through allo.contacts.messages (redaction, level-1 queue, private token whose
hash only is stored). The token travels in the query string, which the app never logs, and the
private page tells the browser to send no Referer and to keep no copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from allo.contacts import messages, surveys
from allo.directory.services import get_directory
from allo.errors import AlloError, InvalidInput
from allo.french import moment_fr
from allo.kb import services as kb
from allo.privacy import audit
from allo.web.api.messages import notifier, private_link_base
from allo.web.deps import DbSession, RuntimeDep
from allo.web.pages._base import HOME, AgentView, Crumb, Page, doc, render
from allo.web.pages._filters import date_fr
from allo.web.pages.portal import Agent
from allo.web.security.limits import check

router = APIRouter(include_in_schema=False)

MAX_QUESTION = 5000
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
RATING_LABELS = {
    1: "Pas du tout satisfait",
    2: "Peu satisfait",
    3: "Moyennement satisfait",
    4: "Satisfait",
    5: "Très satisfait",
}


@dataclass(kw_only=True)
class QuestionPage(Page):
    template: ClassVar[str] = "portal/question.html"

    question: str = field(default="", metadata=doc("The question typed (kept after an error)."))
    commune: str = field(default="", metadata=doc("The commune typed (optional)."))
    email: str = field(default="", metadata=doc("The email typed (optional)."))
    errors: dict[str, str] = field(
        default_factory=dict, metadata=doc("French error per field: question, commune, email.")
    )
    error: str = field(default="", metadata=doc("French message for the whole form, if any."))
    fiche: Crumb | None = field(
        default=None, metadata=doc("The fiche the reader came from, if any.")
    )
    fiche_id: str = field(default="", metadata=doc("Its identifier (kept in the form)."))


@dataclass(kw_only=True)
class AnswerPage(Page):
    template: ClassVar[str] = "portal/answer.html"

    token: str = field(metadata=doc("The private token (for the satisfaction form only)."))
    reference: int = field(metadata=doc("Number of the question, to quote on the phone."))
    link: str = field(metadata=doc("The private address of this page, to keep."))
    just_sent: bool = field(metadata=doc("The question has just been sent: say how to come back."))
    status: str = field(metadata=doc("waiting, taken, closed or abandoned."))
    status_label: str = field(metadata=doc("Where the question stands, in French."))
    sent_at: str = field(metadata=doc("When it was sent, in French."))
    expires_at: str = field(metadata=doc("Until when the private address works, in French."))
    question: str = field(metadata=doc("The question as stored (personal data masked)."))
    purged: bool = field(metadata=doc("The texts were erased (retention period over)."))
    answered_at: str = field(metadata=doc("When it was answered, in French, or empty."))
    answer: str = field(metadata=doc("The advisor's written answer, or empty."))
    fiches: list[Crumb] = field(metadata=doc("Fiches the answer refers to."))
    orientation: dict[str, Any] | None = field(
        metadata=doc("Where to go (label, url, phone) when the question was oriented.")
    )
    specialist: bool = field(metadata=doc("A specialist sector handled it."))
    can_rate: bool = field(metadata=doc("The satisfaction form is offered."))
    rated: bool = field(metadata=doc("An opinion has just been recorded."))
    ratings: list[tuple[int, str]] = field(metadata=doc("(value, French label) from 1 to 5."))
    error: str = field(default="", metadata=doc("French message when the opinion failed."))


def _tz(runtime: Any) -> ZoneInfo:
    return runtime.settings.zone


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment_fr(moment, tz) if moment is not None else ""


def _fiche_crumb(session: Any, fiche_id: str) -> Crumb | None:
    if not fiche_id:
        return None
    titles = kb.titles(session, [fiche_id[:64]])
    title = titles.get(fiche_id[:64])
    return Crumb(title, f"/fiches/{fiche_id}") if title else None


@router.get("/poser-une-question", response_class=HTMLResponse)
def question_form(
    request: Request,
    session: DbSession,
    agent: Agent,
    fiche: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    ctx = QuestionPage(
        title="Poser une question",
        breadcrumb=[HOME],
        nav="question",
        agent=agent,
        fiche=_fiche_crumb(session, fiche),
        fiche_id=fiche,
    )
    return render(request, ctx)


@router.post("/poser-une-question", response_class=HTMLResponse)
def send_question(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: Agent,
    question: Annotated[str, Form(max_length=20000)] = "",
    commune: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    fiche: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    ctx = QuestionPage(
        title="Poser une question",
        breadcrumb=[HOME],
        nav="question",
        agent=agent,
        question=question[:MAX_QUESTION],
        commune=commune[:120],
        email=email[:254],
        fiche=_fiche_crumb(session, fiche),
        fiche_id=fiche,
    )
    text = question.strip()
    if not text:
        ctx.errors["question"] = "Écrivez votre question."
    elif len(text) > MAX_QUESTION:
        ctx.errors["question"] = (
            f"Votre question est trop longue ({MAX_QUESTION} caractères au plus)."
        )
    code = None
    if commune.strip():
        try:
            code = get_directory(runtime).resolve_place(commune, session).place.insee
        except AlloError as exc:
            ctx.errors["commune"] = exc.message
    if ctx.errors:
        return render(request, ctx, status_code=422)
    check(request, "questions")
    try:
        done = messages.submit(
            session,
            question=text,
            commune=code,
            email=email,
            retention_days=runtime.settings.retention_days,
            tz=_tz(runtime),
            notifier=notifier(runtime),
            link_base=private_link_base(runtime),
        )
    except InvalidInput as exc:
        session.rollback()
        field_ = "email" if "électronique" in exc.message else "question"
        ctx.errors[field_] = exc.message
        return render(request, ctx, status_code=422)
    audit.record(
        session,
        agent_id=None,
        action="create",
        object_type="contact",
        object_id=done.contact.id,
        detail={"channel": "web"},
    )
    target = "/ma-question?" + urlencode({"jeton": done.token, "envoye": "1"})
    return RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)


def _answer_page(
    request: Request,
    runtime: Any,
    session: Any,
    agent: AgentView | None,
    token: str,
    *,
    just_sent: bool = False,
    rated: bool = False,
    error: str = "",
) -> AnswerPage:
    message, contact = messages.find(session, token)
    view = messages.public_view(session, message, contact)
    tz = _tz(runtime)
    titles = kb.titles(session, view["fiche_ids"]) if view["fiche_ids"] else {}
    return AnswerPage(
        title="Votre question",
        breadcrumb=[HOME],
        nav="question",
        agent=agent,
        token=token,
        reference=contact.id,
        link=runtime.settings.public_url + "/ma-question?" + urlencode({"jeton": token}),
        just_sent=just_sent,
        status=view["status"],
        status_label=view["status_label"],
        sent_at=_when(view["sent_at"], tz),
        expires_at=date_fr(view["expires_at"].astimezone(tz)),
        question=view["question"],
        purged=view["purged"],
        answered_at=_when(view["answered_at"], tz),
        answer=view["answer"],
        fiches=[Crumb(titles.get(f, f), f"/fiches/{f}") for f in view["fiche_ids"]],
        orientation=view["orientation"],
        specialist=view["transferred_to_specialist"],
        can_rate=view["can_rate"],
        rated=rated,
        ratings=list(RATING_LABELS.items()),
        error=error,
    )


@router.get("/ma-question", response_class=HTMLResponse)
def answer_page(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: Agent,
    jeton: Annotated[str, Query(max_length=128)] = "",
    envoye: Annotated[str, Query(max_length=1)] = "",
    avis: Annotated[str, Query(max_length=8)] = "",
) -> HTMLResponse:
    ctx = _answer_page(
        request, runtime, session, agent, jeton, just_sent=envoye == "1", rated=avis == "merci"
    )
    return render(request, ctx, headers=PRIVATE_HEADERS)


@router.post("/ma-question/avis", response_class=HTMLResponse)
def rate(
    request: Request,
    runtime: RuntimeDep,
    session: DbSession,
    agent: Agent,
    jeton: Annotated[str, Form(max_length=128)] = "",
    note: Annotated[str, Form(max_length=2)] = "",
    commentaire: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    check(request, "surveys")
    _message, contact = messages.find(session, jeton)
    try:
        rating = int(note) if note.isdigit() else 0
        if rating not in RATING_LABELS:
            raise InvalidInput("Choisissez une note de 1 à 5.")
        surveys.submit(session, contact, rating=rating, comment=commentaire, tz=_tz(runtime))
    except AlloError as exc:
        session.rollback()
        ctx = _answer_page(request, runtime, session, agent, jeton, error=exc.message)
        return render(request, ctx, status_code=exc.status_code, headers=PRIVATE_HEADERS)
    target = "/ma-question?" + urlencode({"jeton": jeton, "avis": "merci"})
    return RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)
