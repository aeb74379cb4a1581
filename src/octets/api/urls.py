"""The public API under /api/v1: OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI, Schema
from ninja.renderers import JSONRenderer

from octets import __version__
from octets.api import errors
from octets.api.assessments import auth_router as auth_token_router
from octets.api.assessments import router as assessments_router
from octets.api.auth import TokenAuth
from octets.api.campaigns import learner_router as campaigns_learner_router
from octets.api.campaigns import router as campaigns_router
from octets.api.students import router as students_router
from octets.api.team import router as team_router


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON: French messages stay readable (« é » rather than \\u00e9)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="API Octets",
    version="1.0.0",
    description=(
        "API d'Octets. Authentification : `Authorization: Bearer <jeton>` "
        "(jeton créé par `octets create-token EMAIL`). Erreurs : `{code, message, details}` en français."
    ),
    auth=TokenAuth(),
    urls_namespace="api-1.0.0",
    docs_url="/docs",
)
errors.install(api)


class Me(Schema):
    id: int
    email: str | None
    first_name: str
    last_name: str


class Health(Schema):
    status: str
    version: str


@api.get("/me", response=Me, tags=["Compte"], summary="Le compte du jeton")
def me(request):
    user = request.user
    return Me(id=user.pk, email=user.email, first_name=user.first_name, last_name=user.last_name)


@api.get("/health", response=Health, auth=None, tags=["Plateforme"], summary="État du service")
def health(request):
    return Health(status="ok", version=__version__)


api.add_router("", team_router)
api.add_router("", students_router)
api.add_router("", assessments_router)
api.add_router("", auth_token_router)
api.add_router("", campaigns_router)
api.add_router("", campaigns_learner_router)
