"""The one place where errors become HTTP responses: JSON for the API, a French page otherwise."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from allo.errors import AlloError, TooManyRequests
from allo.french import plural, validation_reason

HTTP_MESSAGES = {
    400: "Requête incorrecte.",
    401: "Vous devez vous connecter.",
    403: "Vous n'avez pas accès à cette action.",
    404: "Page ou ressource introuvable.",
    405: "Méthode non autorisée.",
    409: "Cette action n'est pas possible dans l'état actuel.",
    413: "Les données envoyées sont trop volumineuses.",
    422: "Les données envoyées ne sont pas valides.",
    429: "Trop de demandes : veuillez patienter avant de réessayer.",
    500: "Une erreur interne s'est produite. Veuillez réessayer.",
}


# What the pages' forms call the fields a request names (API clients read the names themselves).
PAGE_FIELD_LABELS = {
    "q": "Recherche",
    "place": "Commune",
    "lieu": "Commune",
    "commune": "Commune",
    "type": "Type d’organisme",
    "audience": "Public",
    "page": "Numéro de page",
    "question": "Question",
    "email": "Adresse électronique",
    "commentaire": "Commentaire",
    "note": "Note",
    "motif": "Motif",
    "reponse": "Réponse",
    "article": "Article de code",
    "jour": "Jour",
    "jours": "Période",
    "idcc": "Convention collective",
    "secteur": "Secteur",
    "fiche": "Fiche",
    "fiche_id": "Fiche",
    "etat": "État",
    "identifiant": "Identifiant",
    "mot_de_passe": "Mot de passe",
}


def wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api"):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, message: str, details: Any = None) -> Response:
    if wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {"status": status, "message": message, "title": f"Erreur {status}"},
                status_code=status,
            )
        return HTMLResponse(f"<p>{message}</p>", status_code=status)
    body: dict[str, Any] = {"detail": message}
    if details:
        body["errors"] = details
    return JSONResponse(body, status_code=status)


def _french_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Each error's field and French reason; `type` stays Pydantic's, for programs."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        if err.get("type") == "json_invalid":
            loc = []  # its « loc » is a character's position, not a field
        reason = validation_reason(err) or "valeur invalide"
        out.append({"champ": ".".join(loc) or None, "erreur": reason, "type": err.get("type")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AlloError)
    async def _domain(request: Request, exc: AlloError) -> Response:
        response = error_response(request, exc.status_code, exc.message, exc.details or None)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        # A number too large for the database driver (an id of 20 digits): bad input, not a 500.
        return error_response(request, 422, "Données invalides : nombre hors limites.")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _french_validation_errors(exc)
        labels = PAGE_FIELD_LABELS if wants_html(request) else {}
        said = " ; ".join(
            f"{labels.get(e['champ'], e['champ']) or 'la requête'} : {e['erreur']}"
            for e in errors[:3]
        )
        more = f" ; et {plural(len(errors) - 3, 'autre')}" if len(errors) > 3 else ""
        return error_response(request, 422, f"Données invalides — {said}{more}.", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # Starlette's default detail is the English reason phrase: replace it by our French text.
        default = (
            HTTPStatus(exc.status_code).phrase
            if exc.status_code in HTTPStatus._value2member_map_
            else None
        )
        detail = str(exc.detail) if exc.detail else ""
        if not detail or detail == default:
            detail = HTTP_MESSAGES.get(exc.status_code, detail or "Erreur.")
        return error_response(request, exc.status_code, detail)
