"""API errors: one JSON shape ``{code, message, details}`` in French, whatever went wrong."""

from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from octets.errors import RuleError

FIELD_NAMES = {
    "emails": "adresses e-mail",
    "role": "rôle",
    "page": "page",
    "page_size": "taille de page",
    "birthdate": "date de naissance",
    "first_name": "prénom",
    "last_name": "nom",
    "external_id": "identifiant externe",
    "name": "nom",
    "title": "titre",
    "landing_text": "texte de la page d'accueil",
    "target_profile_id": "parcours",
}


def _describe(error: dict) -> str:
    loc = [
        str(part)
        for part in error.get("loc", [])
        if part not in ("body", "query", "path", "payload")
    ]
    field = FIELD_NAMES.get(loc[-1], loc[-1]) if loc else "requête"
    kind = error.get("type", "")
    if kind == "missing":
        return f"Le champ « {field} » est obligatoire."
    if kind.startswith("int") or kind.startswith("float"):
        return f"Le champ « {field} » doit être un nombre."
    if kind in ("enum", "literal_error"):
        return f"La valeur du champ « {field} » n'est pas autorisée."
    if kind == "json_invalid":
        return "Le corps de la requête n'est pas un JSON valide."
    return f"Le champ « {field} » n'est pas valide."


def install(api):
    @api.exception_handler(RuleError)
    def rule_error(request, exc: RuleError):
        return api.create_response(
            request,
            {"code": exc.code, "message": exc.message, "details": exc.details},
            status=exc.status,
        )

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        details = [_describe(e) for e in exc.errors]
        return api.create_response(
            request,
            {
                "code": "VALIDATION_ERROR",
                "message": "La requête contient des erreurs.",
                "details": details,
            },
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request,
            {
                "code": "UNAUTHENTICATED",
                "message": "Jeton d'accès absent, invalide ou révoqué (en-tête Authorization: Bearer …).",
                "details": [],
            },
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request,
            {"code": "NOT_FOUND", "message": str(exc) or "Ressource introuvable.", "details": []},
            status=404,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja could not parse the body (malformed JSON): same shape as validation errors.
            return api.create_response(
                request,
                {
                    "code": "VALIDATION_ERROR",
                    "message": "La requête contient des erreurs.",
                    "details": ["Le corps de la requête n'est pas un JSON valide."],
                },
                status=422,
            )
        code = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}.get(
            exc.status_code, "ERROR"
        )
        return api.create_response(
            request, {"code": code, "message": str(exc), "details": []}, status=exc.status_code
        )


class Error(Schema):
    """The shape of every error answer of the API."""

    code: str
    message: str
    details: list[str] = []


def unknown_endpoint(request, *args, **kwargs):
    """Any address under /api/ that no endpoint serves: a JSON 404 like every API error."""
    from django.http import JsonResponse
    from django.utils.translation import gettext

    return JsonResponse(
        {
            "code": "NOT_FOUND",
            "message": gettext(
                "Cette adresse d'API n'existe pas : la liste des points d'accès est sur "
                "/api/v1/docs."
            ),
            "details": [],
        },
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
