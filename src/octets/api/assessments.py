"""Training through the API: assessments, next challenge, answers, profile, API login."""

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from octets.accounts.models import PersonalAccessToken
from octets.api.errors import Error
from octets.assessments import selectors, services
from octets.assessments.errors import AssessmentError
from octets.content.selectors import NoContentLoaded
from octets.engine.content import Challenge

router = Router(tags=["Entraînement"])
auth_router = Router(tags=["Compte"])


class AssessmentIn(Schema):
    competence: str
    improve: bool = False


class AssessmentOut(Schema):
    id: int
    competence_id: str
    state: str
    is_improving: bool
    created_at: datetime


class ChallengeOut(Schema):
    """What a learner may see of a challenge: never its solution."""

    id: str
    type: str
    instruction: str
    proposals: str
    timer: int | None
    format: str
    illustration_url: str
    illustration_alt: str
    attachments: list[str]
    embed_url: str

    @staticmethod
    def of(challenge: Challenge) -> "ChallengeOut":
        return ChallengeOut(
            id=challenge.id,
            type=challenge.type.value,
            instruction=challenge.instruction,
            proposals=challenge.proposals,
            timer=challenge.timer,
            format=challenge.format,
            illustration_url=challenge.illustration_url,
            illustration_alt=challenge.illustration_alt,
            attachments=list(challenge.attachments),
            embed_url=challenge.embed_url,
        )


class AnswerIn(Schema):
    challenge_id: str
    value: str = Field(
        description=(
            "QCU : la position choisie (« 2 ») ; QCM : les positions séparées par des virgules "
            '(« 1,3 ») ; QROC : le texte saisi ; QROCM : une ligne `clé: "valeur"` par champ '
            "`${clé}` des propositions ; « #ABAND# » pour passer."
        )
    )
    timeout: int | None = Field(
        None, description="Secondes restantes sur le chronomètre (négatif : hors délai)."
    )


class AnswerOut(Schema):
    id: int
    challenge_id: str
    result: str
    created_at: datetime


class CompetenceOut(Schema):
    id: str
    index: str
    name: str
    area_code: str
    area_name: str
    pix: int
    level: int
    pix_to_next_level: int
    is_max_level: bool
    status: str = Field(description="not_started, started ou completed")
    assessment_id: int | None = Field(description="l'entraînement en cours, sinon le dernier")
    days_before_reset: int | None = Field(description="0 : remise à zéro possible ; null : rien")
    days_before_improve: int | None = Field(description="0 : amélioration possible ; null : rien")


class ResetOut(Schema):
    reset_skills: int
    competence: CompetenceOut


class TutorialOut(Schema):
    title: str
    link: str
    format: str
    duration: str
    source: str


class SkillToWorkOut(Schema):
    skill_id: str
    level: int
    tube_title: str
    hint: str
    tutorials: list[TutorialOut]
    learning_more: list[TutorialOut]


class ReviewedAnswerOut(Schema):
    challenge_id: str
    instruction: str
    result: str
    answer: list[str]
    expected: list[str]
    explanation: str


class ResultsOut(Schema):
    assessment: AssessmentOut
    competence: CompetenceOut | None
    validated_skills: int
    skills_to_work: list[SkillToWorkOut]
    answers: list[ReviewedAnswerOut]


class ProfileOut(Schema):
    competences: list[CompetenceOut]
    total_pix: int
    is_certifiable: bool


class TokenIn(Schema):
    email: str | None = None
    username: str | None = None
    password: str


class TokenOut(Schema):
    token: str


def _assessment_out(assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.pk,
        competence_id=assessment.competence_id,
        state=assessment.state,
        is_improving=assessment.is_improving,
        created_at=assessment.created_at,
    )


@router.post(
    "/assessments",
    response={200: AssessmentOut, 201: AssessmentOut, 404: Error, 409: Error, 503: Error},
    summary="Commencer (201) ou reprendre (200) un entraînement sur une compétence",
    description=(
        "Un entraînement non terminé sur la compétence est repris (200) plutôt que doublé. "
        "`improve: true` ouvre un entraînement qui peut reproposer les acquis échoués il y a "
        "plus de 4 jours (compétence terminée, sous le niveau maximum)."
    ),
)
def start(request, payload: AssessmentIn):
    assessment = services.start_assessment(
        user=request.user, competence_index=payload.competence, improve=payload.improve
    )
    return Status(200 if assessment.was_resumed else 201, _assessment_out(assessment))


@router.get(
    "/assessments/{assessment_id}/results",
    response={200: ResultsOut, 404: Error, 409: Error},
    summary="Les résultats d'un entraînement terminé : acquis à travailler, réponses revues",
)
def assessment_results(request, assessment_id: int):
    assessment = selectors.assessment_of(request.user, assessment_id)
    if assessment.state == assessment.State.STARTED:
        raise AssessmentError(
            _("Cet entraînement n'est pas terminé : demandez l'épreuve suivante."),
            code="ASSESSMENT_NOT_FINISHED",
            status=409,
        )
    results = selectors.results(assessment)
    return ResultsOut(
        assessment=_assessment_out(assessment),
        competence=results.card,
        validated_skills=results.validated_skills,
        skills_to_work=[
            SkillToWorkOut(
                skill_id=item.skill.id,
                level=item.skill.level,
                tube_title=item.tube_title,
                hint=item.hint,
                tutorials=item.tutorials,
                learning_more=item.learning_more,
            )
            for item in results.skills_to_work
        ],
        answers=[
            ReviewedAnswerOut(
                challenge_id=answer.challenge.id,
                instruction=answer.challenge.instruction,
                result=answer.result,
                answer=answer.answer_lines,
                expected=answer.solution_lines,
                explanation=answer.explanation,
            )
            for answer in results.answers
        ],
    )


@router.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, 404: Error},
    summary="Un entraînement",
)
def detail(request, assessment_id: int):
    return _assessment_out(selectors.assessment_of(request.user, assessment_id))


@router.get(
    "/assessments/{assessment_id}/next-challenge",
    response={200: ChallengeOut, 204: None, 404: Error},
    summary="L'épreuve à passer (204 quand l'entraînement est terminé)",
)
def next_challenge(request, assessment_id: int):
    assessment = selectors.assessment_of(request.user, assessment_id)
    challenge = services.next_challenge(assessment=assessment)
    if challenge is None:
        return HttpResponse(status=204)
    return ChallengeOut.of(challenge)


@router.post(
    "/assessments/{assessment_id}/answers",
    response={201: AnswerOut, 404: Error, 409: Error},
    summary="Répondre à l'épreuve en cours (« #ABAND# » pour passer)",
)
def answer(request, assessment_id: int, payload: AnswerIn):
    assessment = selectors.assessment_of(request.user, assessment_id)
    stored, result = services.submit_answer(
        assessment=assessment,
        challenge_id=payload.challenge_id,
        value=payload.value,
        timeout=payload.timeout,
    )
    return Status(
        201,
        AnswerOut(
            id=stored.pk,
            challenge_id=stored.challenge_id,
            result=result.value,
            created_at=stored.created_at,
        ),
    )


@router.get(
    "/me/profile", response={200: ProfileOut, 503: Error}, summary="Mon profil : pix et niveaux"
)
def my_profile(request):
    try:
        return selectors.profile(request.user)
    except NoContentLoaded as exc:
        raise AssessmentError(str(exc), code="NO_CONTENT", status=503) from exc


@router.post(
    "/me/competences/{index}/reset",
    response={200: ResetOut, 404: Error, 409: Error, 503: Error},
    summary="Remettre une compétence à zéro (7 jours après la dernière réponse)",
)
def reset_competence(request, index: str):
    count = services.reset_competence(user=request.user, competence_index=index)
    return ResetOut(reset_skills=count, competence=selectors.scorecard(request.user, index))


@auth_router.post(
    "/auth/token",
    response={201: TokenOut, 401: Error, 422: Error, 429: Error},
    auth=None,
    summary="Obtenir un jeton d'accès avec e-mail (ou identifiant) et mot de passe",
)
def token(request, payload: TokenIn):
    login = (payload.email or payload.username or "").strip()
    if not login:
        raise AssessmentError(
            "Indiquez une adresse e-mail ou un identifiant.", code="VALIDATION_ERROR", status=422
        )
    locked = not AxesProxyHandler.is_allowed(request, {"username": login})
    user = None
    if not locked:
        user = authenticate(request=request, username=login, password=payload.password)
    if locked or getattr(request, "axes_locked_out", False):
        raise AssessmentError(
            "Trop d'échecs de connexion : connexion bloquée temporairement, réessayez plus tard.",
            code="LOCKED_OUT",
            status=429,
        )
    if user is None or not user.is_active:
        raise AssessmentError(
            "Adresse e-mail, identifiant ou mot de passe incorrect.",
            code="INVALID_CREDENTIALS",
            status=401,
        )
    _record, raw = PersonalAccessToken.issue(user=user, name="API (connexion)")
    return Status(201, TokenOut(token=raw))
