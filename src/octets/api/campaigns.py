"""Campaign endpoints: the learner's side (join with a code, result, retry, share) and the
school's side (create, list, edit, archive, delete; activity, results, analysis, exports).

The same services and selectors as the Campagnes pages, hence the same rules and permissions:
a campaign of an organization the caller is not a member of is missing (404); editing,
archiving and deleting are for its owner and the organization's admins (403 otherwise).
The test of an assessment campaign is then taken with the ``/assessments/{id}`` endpoints.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from octets.api.errors import Error
from octets.api.team import organization_for
from octets.assessments import selectors as assessment_selectors
from octets.assessments.models import Assessment
from octets.campaigns import exports, selectors, services
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Badge, Campaign, Participation, TargetProfile
from octets.content.selectors import current_content
from octets.errors import RuleError
from octets.jobs.models import Job
from octets.organizations.permissions import active_membership
from octets.students.association import AssociationError, learner_of

learner_router = Router(tags=["Campagnes (élève)"])
router = Router(tags=["Campagnes"])

CampaignType = Literal["assessment", "profiles_collection"]
ExternalIdType = Literal["", "string", "email"]
ParticipationStatus = Literal["started", "to_share", "shared"]


# -- schemas -----------------------------------------------------------------------------------


class JoinErrorMeta(Schema):
    short_code: str | None = Field(
        None, description="Code de la situation à donner à l'enseignant (R11…R90)"
    )
    value: str | None = Field(
        None, description="Identifiant masqué du compte déjà rattaché à cet élève"
    )


class JoinError(Error):
    """An error of the join, with what a pupil needs to find the right account."""

    meta: JoinErrorMeta | None = None


class ParticipationRef(Schema):
    id: int
    status: ParticipationStatus
    assessment_id: int | None = Field(description="le test en cours ou le dernier (évaluation)")


class CampaignPublicOut(Schema):
    code: str
    name: str
    title: str
    organization_name: str
    type: CampaignType
    landing_text: str = Field(description="Markdown")
    external_id_label: str
    external_id_type: ExternalIdType
    multiple_sendings: bool
    is_archived: bool
    is_restricted: bool = Field(description="réservée aux élèves importés de l'établissement")
    identity_required: bool = Field(
        description=(
            "true : ce compte n'est rattaché à aucun élève de l'établissement ; envoyez prénom, "
            "nom et date de naissance (sauf rattachement automatique par l'INE)"
        )
    )
    participation: ParticipationRef | None = Field(description="ma participation actuelle")


class JoinIn(Schema):
    first_name: str = ""
    last_name: str = ""
    birthdate: date | None = Field(None, description="AAAA-MM-JJ")
    external_id: str = ""


class StageOut(Schema):
    number: int = Field(description="1 = le palier zéro")
    total: int
    stars: int = Field(description="étoiles obtenues : paliers atteints au-dessus du palier zéro")
    stars_total: int = Field(description="étoiles possibles (paliers moins le palier zéro)")
    title: str
    message: str


class BadgeOut(Schema):
    key: str
    title: str
    message: str
    alt_message: str
    is_certifiable: bool


class CompetenceResultOut(Schema):
    id: str
    index: str
    name: str
    area_name: str
    validated: int | None = None
    total: int | None = None
    percentage: int | None = None
    level: int | None = Field(None, description="collecte de profils")
    pix: int | None = Field(None, description="collecte de profils")


class ResultOut(Schema):
    frozen: bool = Field(description="true : le résultat envoyé, qui ne change plus")
    mastery_rate: float | None = None
    percentage: int | None = None
    validated_skills: int | None = None
    total_skills: int | None = None
    stage: StageOut | None = None
    badges: list[BadgeOut] = []
    pix_score: int | None = None
    is_certifiable: bool | None = None
    certifiable_competences: int | None = None
    competences: list[CompetenceResultOut] = []


class CampaignBriefOut(Schema):
    code: str
    name: str
    title: str
    type: CampaignType
    organization_name: str
    is_archived: bool


class ParticipationOut(Schema):
    id: int
    status: ParticipationStatus
    created_at: datetime
    shared_at: datetime | None
    campaign: CampaignBriefOut
    assessment_id: int | None
    assessment_state: str | None
    result: ResultOut | None = Field(description="null tant que le test n'est pas terminé")
    can_retry: bool
    can_share: bool
    days_before_new_sending: int | None = Field(
        description="après l'envoi, avec envoi multiple : jours avant de pouvoir repasser"
    )


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str


class TargetProfileRef(Schema):
    id: int
    name: str


class CampaignOut(Schema):
    id: int
    code: str
    type: CampaignType
    name: str
    title: str
    landing_text: str
    target_profile: TargetProfileRef | None
    external_id_label: str
    external_id_type: ExternalIdType
    multiple_sendings: bool
    owner: PersonOut
    created_at: datetime
    archived_at: datetime | None
    participants_count: int
    shared_count: int
    can_manage: bool


class CampaignPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CampaignOut]


class CampaignIn(Schema):
    type: CampaignType
    name: str
    target_profile_id: int | None = None
    title: str = ""
    landing_text: str = ""
    external_id_label: str = ""
    external_id_type: ExternalIdType = ""
    multiple_sendings: bool = False
    owner_id: int | None = Field(None, description="par défaut : l'auteur de la requête")


class CampaignPatch(Schema):
    name: str | None = None
    title: str | None = None
    landing_text: str | None = None
    owner_id: int | None = None


class DeleteIn(Schema):
    ids: list[int]


class DeletedOut(Schema):
    deleted: int


class CampaignFilters(Schema):
    mine: bool = False
    archived: bool = False
    name: str = ""
    owner: str = ""
    page: int = 1
    page_size: int = 25


class DayOut(Schema):
    date: date
    started: int
    shared: int


class CountOut(Schema):
    label: str
    count: int


class ActivityOut(Schema):
    participants: int
    started: int
    to_share: int
    shared: int
    average_result: int | None = Field(description="% moyen des résultats reçus (évaluation)")
    average_stage: float | None = Field(
        description="palier moyen en étoiles (le palier zéro ne compte pas)"
    )
    by_day: list[DayOut]
    by_stage: list[CountOut]
    by_result_band: list[CountOut]


class ParticipantFilters(Schema):
    division: list[str] = Field([], description="classes (répétable)")
    status: list[ParticipationStatus] = Field([], description="statuts (répétable)")
    stage: list[int] = Field([], description="paliers atteints, 1 = palier zéro (répétable)")
    badge: list[str] = Field([], description="clés de badges, tous exigés (répétable)")
    search: str = Field("", description="nom, prénom ou identifiant externe")
    page: int = 1
    page_size: int = 50


class ParticipantOut(Schema):
    id: int
    last_name: str
    first_name: str
    division: str
    external_id: str
    status: ParticipationStatus
    created_at: datetime
    shared_at: datetime | None
    mastery_rate: float | None
    percentage: int | None
    validated_skills: int | None
    reached_stage: int | None = Field(description="1 = le palier zéro")
    total_stages: int | None
    stars: int | None = Field(description="étoiles : paliers atteints au-dessus du palier zéro")
    stars_total: int | None
    badges: list[str] = Field(description="clés des badges obtenus")
    evolution: Literal["increase", "decrease", "stable"] | None
    sendings: int
    pix_score: int | None
    is_certifiable: bool | None
    certifiable_competences: int | None


class ParticipantPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ParticipantOut]


class TubeResultOut(Schema):
    id: str
    title: str
    competence_id: str
    reached_level: int
    max_level: int
    validated: int
    total: int


class SendingOut(Schema):
    id: int
    shared_at: datetime | None
    mastery_rate: float | None
    pix_score: int | None


class ParticipantDetailOut(Schema):
    participant: ParticipantOut
    result: ResultOut | None = Field(description="null tant que les résultats ne sont pas reçus")
    tubes: list[TubeResultOut]
    sendings: list[SendingOut] = Field(description="les envois de ce participant, du plus ancien")


class TutorialOut(Schema):
    title: str
    link: str
    format: str
    duration: str
    source: str


class CompetenceAnalysisOut(Schema):
    id: str
    index: str
    name: str
    area_name: str
    total: int
    average_percentage: int


class TubeAnalysisOut(Schema):
    id: str
    title: str
    competence_index: str
    competence_name: str
    max_level: int
    average_level: float
    score: float
    label: str
    tutorials: list[TutorialOut]


class AnalysisOut(Schema):
    counted: int = Field(description="résultats reçus pris en compte")
    competences: list[CompetenceAnalysisOut]
    tubes: list[TubeAnalysisOut] = Field(description="du plus recommandé au moins recommandé")


class TargetProfileOut(Schema):
    id: int
    name: str
    category: str
    category_label: str
    description: str
    tubes: int
    stages: int
    badges: int


# -- helpers -----------------------------------------------------------------------------------


def _current_assessment(participation: Participation) -> Assessment | None:
    if not participation.campaign.is_assessment:
        return None
    return services.current_assessment(participation)


def _participation_ref(participation: Participation) -> ParticipationRef:
    assessment = _current_assessment(participation)
    return ParticipationRef(
        id=participation.pk,
        status=participation.status,
        assessment_id=assessment.pk if assessment else None,
    )


def _badge_out(badge: Badge) -> BadgeOut:
    return BadgeOut(
        key=badge.key,
        title=badge.title,
        message=badge.message,
        alt_message=badge.alt_message,
        is_certifiable=badge.is_certifiable,
    )


def _stage_out(stage, number, total) -> StageOut | None:
    if stage is None or not number or not total:
        return None
    return StageOut(
        number=number,
        total=total,
        stars=max(0, number - 1),
        stars_total=max(0, total - 1),
        title=stage.title,
        message=stage.message,
    )


def _named_competences(snapshot_competences: dict, *, collection: bool, content=None):
    """Competence lines of a frozen snapshot, named from the content, in index order."""
    content = content or current_content()
    lines = []
    for competence_id, values in snapshot_competences.items():
        competence = content.get("competences", competence_id)
        area = content.get("areas", competence.area_id) if competence else None
        line = CompetenceResultOut(
            id=competence_id,
            index=competence.index if competence else "",
            name=competence.name if competence else competence_id,
            area_name=area.name if area else "",
        )
        if collection:
            line.level, line.pix = int(values[0]), int(values[1])
        else:
            line.validated, line.total = int(values[0]), int(values[1])
            line.percentage = round(100 * line.validated / line.total) if line.total else 0
        lines.append(line)
    lines.sort(key=lambda line: [int(p) if p.isdigit() else 0 for p in line.index.split(".")])
    return lines


def _frozen_result(participation: Participation) -> ResultOut:
    campaign = participation.campaign
    snapshot = participation.snapshot or {}
    if not campaign.is_assessment:
        return ResultOut(
            frozen=True,
            pix_score=participation.pix_score,
            is_certifiable=participation.is_certifiable,
            certifiable_competences=participation.certifiable_competences,
            competences=_named_competences(snapshot.get("competences") or {}, collection=True),
        )
    return _result_out(selectors.frozen_result(participation), frozen=True)


def _live_result(participation: Participation) -> ResultOut:
    campaign = participation.campaign
    if not campaign.is_assessment:
        profile = assessment_selectors.profile(participation.user)
        return ResultOut(
            frozen=False,
            pix_score=profile.total_pix,
            is_certifiable=profile.is_certifiable,
            certifiable_competences=sum(1 for card in profile.competences if card.level >= 1),
            competences=[
                CompetenceResultOut(
                    id=card.id,
                    index=card.index,
                    name=card.name,
                    area_name=card.area_name,
                    level=card.level,
                    pix=card.pix,
                )
                for card in profile.competences
            ],
        )
    return _result_out(selectors.live_result(participation), frozen=False)


def _result_out(result: selectors.ParticipationResult, *, frozen: bool) -> ResultOut:
    return ResultOut(
        frozen=frozen,
        mastery_rate=result.mastery_rate,
        percentage=result.percentage,
        validated_skills=result.validated,
        total_skills=result.total,
        stage=_stage_out(result.stage, result.reached_stage, result.total_stages),
        badges=[_badge_out(b) for b in result.badges],
        pix_score=result.pix_score,
        competences=[
            CompetenceResultOut(
                id=line.id,
                index=line.index,
                name=line.name,
                area_name=line.area_name,
                validated=line.validated,
                total=line.total,
                percentage=line.percentage,
            )
            for line in result.competences
        ],
    )


def _participation_out(participation: Participation) -> ParticipationOut:
    campaign = participation.campaign
    assessment = _current_assessment(participation)
    finished = campaign.is_assessment is False or (
        assessment is not None and assessment.state == Assessment.State.COMPLETED
    )
    if participation.is_shared:
        result = _frozen_result(participation)
    elif finished:
        result = _live_result(participation)
    else:
        result = None
    is_open = not campaign.is_archived and campaign.organization.archived_at is None
    wait = None
    if participation.is_shared and campaign.multiple_sendings:
        wait = selectors.days_before_new_sending(participation)
    return ParticipationOut(
        id=participation.pk,
        status=participation.status,
        created_at=participation.created_at,
        shared_at=participation.shared_at,
        campaign=CampaignBriefOut(
            code=campaign.code,
            name=campaign.name,
            title=campaign.title,
            type=campaign.type,
            organization_name=campaign.organization.name,
            is_archived=campaign.is_archived,
        ),
        assessment_id=assessment.pk if assessment else None,
        assessment_state=assessment.state if assessment else None,
        result=result,
        can_retry=is_open and finished and services.can_retry(participation),
        can_share=is_open and participation.status == Participation.Status.TO_SHARE,
        days_before_new_sending=wait,
    )


def _own_participation(request, participation_id: int) -> Participation:
    participation = (
        Participation.objects.select_related("campaign__organization", "campaign__target_profile")
        .filter(
            pk=participation_id,
            user=request.user,
            deleted_at__isnull=True,
            campaign__deleted_at__isnull=True,
        )
        .first()
    )
    if participation is None:
        raise Http404(_("Participation introuvable."))
    return participation


def _member_campaign(request, campaign_id: int) -> Campaign:
    """The campaign of the URL if the caller is an active member of its organization (404)."""
    campaign = (
        Campaign.objects.filter(selectors.campaigns_viewable_by(request.user), pk=campaign_id)
        .select_related("owner", "target_profile", "organization")
        .first()
    )
    if campaign is None:
        raise Http404(_("Campagne introuvable, ou vous n'êtes pas membre de son organisation."))
    organization_for(request, campaign.organization_id)
    return campaign


def _campaign_out(
    campaign: Campaign, user, counts: tuple[int, int] | None = None, membership=None
) -> CampaignOut:
    if counts is None:
        current = Q(deleted_at__isnull=True, is_improved=False)
        numbers = Participation.objects.filter(current, campaign=campaign).aggregate(
            participants=Count("pk"),
            shared=Count("pk", filter=Q(status=Participation.Status.SHARED)),
        )
        counts = (numbers["participants"], numbers["shared"])
    profile = campaign.target_profile
    return CampaignOut(
        id=campaign.pk,
        code=campaign.code,
        type=campaign.type,
        name=campaign.name,
        title=campaign.title,
        landing_text=campaign.landing_text,
        target_profile=TargetProfileRef(id=profile.pk, name=profile.name) if profile else None,
        external_id_label=campaign.external_id_label,
        external_id_type=campaign.external_id_type,
        multiple_sendings=campaign.multiple_sendings,
        owner=PersonOut(
            id=campaign.owner_id,
            first_name=campaign.owner.first_name,
            last_name=campaign.owner.last_name,
        ),
        created_at=campaign.created_at,
        archived_at=campaign.archived_at,
        participants_count=counts[0],
        shared_count=counts[1],
        can_manage=services.can_manage(user, campaign, membership),
    )


def _participant_out(participation, *, sendings, previous) -> ParticipantOut:
    last_name, first_name = selectors.participant_name(participation)
    learner = participation.organization_learner
    key = selectors.participant_key(participation)
    rate = participation.mastery_rate
    return ParticipantOut(
        id=participation.pk,
        last_name=last_name,
        first_name=first_name,
        division=learner.division if learner else "",
        external_id=participation.participant_external_id,
        status=participation.status,
        created_at=participation.created_at,
        shared_at=participation.shared_at,
        mastery_rate=rate,
        percentage=round(rate * 100) if rate is not None else None,
        validated_skills=participation.validated_skills_count,
        reached_stage=participation.reached_stage,
        total_stages=participation.total_stages,
        stars=participation.stars if participation.total_stages else None,
        stars_total=participation.stars_total if participation.total_stages else None,
        badges=list(participation.badge_keys or []),
        evolution=selectors.evolution(rate, previous.get(key)),
        sendings=sendings.get(key, 0),
        pix_score=participation.pix_score,
        is_certifiable=participation.is_certifiable,
        certifiable_competences=participation.certifiable_competences,
    )


def _page(page: int, page_size: int, limit: int = 100) -> tuple[int, int]:
    return max(1, page), max(1, min(page_size, limit))


def _participants(campaign, filters: ParticipantFilters, *, statuses) -> ParticipantPage:
    qs = selectors.filter_participations(
        selectors.current_participations(campaign),
        divisions=filters.division,
        statuses=statuses,
        search=filters.search,
        stages=filters.stage,
        badges=filters.badge,
    ).select_related("organization_learner", "user")
    qs = qs.annotate(
        sort_last=Coalesce("organization_learner__last_name", "user__last_name", Value("")),
        sort_first=Coalesce("organization_learner__first_name", "user__first_name", Value("")),
    ).order_by("sort_last", "sort_first", "pk")
    page, page_size = _page(filters.page, filters.page_size, limit=200)
    count = qs.count()
    rows = list(qs[(page - 1) * page_size : page * page_size])
    sendings = selectors.sending_counts(campaign)
    previous = selectors.previous_rates(campaign)
    return ParticipantPage(
        count=count,
        page=page,
        page_size=page_size,
        results=[_participant_out(p, sendings=sendings, previous=previous) for p in rows],
    )


# -- the learner's side ------------------------------------------------------------------------

# Not ``/campaigns/{code}``: OpenAPI forbids two paths that differ only by the name of a
# parameter, and the school's side has ``/campaigns/{campaign_id}``.


@learner_router.get(
    "/campaigns/by-code/{code}",
    response={200: CampaignPublicOut, 404: Error},
    summary="Présentation d'une campagne à partir de son code",
    description=(
        "Ce qu'affiche la page d'accueil de la campagne. `participation` est la participation "
        "en cours de l'élève, à reprendre ; `identity_required` dit s'il faudra envoyer prénom, "
        "nom et date de naissance pour rejoindre."
    ),
)
def campaign_by_code(request, code: str):
    campaign = services.campaign_by_code(code)
    restricted = services.is_restricted(campaign)
    current = selectors.participation_of(request.user, campaign)
    identity_required = False
    if restricted and current is None:
        identity_required = learner_of(request.user, campaign.organization) is None
    return CampaignPublicOut(
        code=campaign.code,
        name=campaign.name,
        title=campaign.title,
        organization_name=campaign.organization.name,
        type=campaign.type,
        landing_text=campaign.landing_text,
        external_id_label=campaign.external_id_label,
        external_id_type=campaign.external_id_type,
        multiple_sendings=campaign.multiple_sendings,
        is_archived=campaign.is_archived or campaign.organization.archived_at is not None,
        is_restricted=restricted,
        identity_required=identity_required,
        participation=_participation_ref(current) if current else None,
    )


@learner_router.post(
    "/campaigns/{code}/participations",
    response={
        200: ParticipationRef,
        201: ParticipationRef,
        400: JoinError,
        403: JoinError,
        404: JoinError,
        409: JoinError,
        422: JoinError,
        503: JoinError,
    },
    summary="Rejoindre une campagne avec son code (201), ou reprendre sa participation (200)",
    description=(
        "Pour une campagne réservée aux élèves de l'établissement, envoyez `first_name`, "
        "`last_name` et `birthdate` quand `identity_required` est vrai. Les refus de "
        "rattachement donnent dans `meta` le code à transmettre à l'enseignant (`short_code`, "
        "R11…R90) et l'identifiant masqué du compte déjà rattaché (`value`). Le test d'une "
        "campagne d'évaluation se passe ensuite avec `/assessments/{assessment_id}/next-challenge` "
        "et `/assessments/{assessment_id}/answers`."
    ),
)
def join(request, code: str, payload: JoinIn):
    started = timezone.now()
    try:
        participation = services.join_campaign(
            user=request.user,
            code=code,
            first_name=payload.first_name.strip(),
            last_name=payload.last_name.strip(),
            birthdate=payload.birthdate,
            external_id=payload.external_id,
        )
    except RuleError as exc:  # every refusal of the join has the same shape, with ``meta``
        meta = None
        if isinstance(exc, AssociationError):
            meta = JoinErrorMeta(short_code=exc.short_code, value=exc.value)
        return Status(
            exc.status,
            JoinError(code=exc.code, message=exc.message, details=exc.details, meta=meta),
        )
    # join_campaign gives back the running participation when there is one
    resumed = participation.created_at < started
    return Status(200 if resumed else 201, _participation_ref(participation))


@learner_router.get(
    "/participations/{participation_id}",
    response={200: ParticipationOut, 404: Error},
    summary="Ma participation : statut, résultat (en direct, ou figé une fois envoyé)",
)
def my_participation(request, participation_id: int):
    return _participation_out(_own_participation(request, participation_id))


@learner_router.post(
    "/participations/{participation_id}/retry",
    response={200: ParticipationOut, 201: ParticipationOut, 404: Error, 409: Error, 503: Error},
    summary="Retenter les acquis échoués avant l'envoi (201 : nouveau test ; 200 : déjà en cours)",
)
def retry(request, participation_id: int):
    participation = _own_participation(request, participation_id)
    running = participation.assessments.filter(state=Assessment.State.STARTED).exists()
    services.retry(participation=participation, user=request.user)
    participation.refresh_from_db()
    return Status(200 if running else 201, _participation_out(participation))


@learner_router.post(
    "/participations/{participation_id}/share",
    response={200: ParticipationOut, 404: Error, 409: Error},
    summary="Envoyer mes résultats à l'établissement (ils ne changent plus ensuite)",
)
def share(request, participation_id: int):
    participation = services.share(
        participation=_own_participation(request, participation_id), user=request.user
    )
    return _participation_out(participation)


# -- the school's side -------------------------------------------------------------------------


@router.get(
    "/organizations/{organization_id}/target-profiles",
    response={200: list[TargetProfileOut], 404: Error},
    summary="Les parcours (profils cibles) que l'organisation peut utiliser",
)
def target_profiles(request, organization_id: int):
    organization = organization_for(request, organization_id)
    ids = selectors.target_profiles_for(organization).values("pk")
    profiles = (
        TargetProfile.objects.filter(pk__in=ids)
        .annotate(
            tube_count=Count("capped_tubes", distinct=True),
            stage_count=Count("stages", distinct=True),
            badge_count=Count("badges", distinct=True),
        )
        .order_by("category", "name", "pk")
    )
    return [
        TargetProfileOut(
            id=p.pk,
            name=p.name,
            category=p.category,
            category_label=str(p.get_category_display()),
            description=p.description,
            tubes=p.tube_count,
            stages=p.stage_count,
            badges=p.badge_count,
        )
        for p in profiles
    ]


@router.get(
    "/organizations/{organization_id}/campaigns",
    response={200: CampaignPage, 404: Error},
    summary="Campagnes de l'organisation (mes campagnes, archivées, recherche, pagination)",
)
def list_campaigns(request, organization_id: int, filters: Query[CampaignFilters]):
    organization = organization_for(request, organization_id)
    page, page_size = _page(filters.page, filters.page_size)
    qs = selectors.campaign_list(
        viewer=request.user,
        organization=organization,
        mine=filters.mine,
        archived=filters.archived,
        name=filters.name,
        owner=filters.owner,
    )
    count = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    membership = active_membership(request.user, organization)
    return CampaignPage(
        count=count,
        page=page,
        page_size=page_size,
        results=[
            _campaign_out(
                c, request.user, (c.participants_count, c.shared_count), membership=membership
            )
            for c in rows
        ],
    )


@router.post(
    "/organizations/{organization_id}/campaigns",
    response={201: CampaignOut, 400: Error, 403: Error, 404: Error, 409: Error},
    summary="Créer une campagne (évaluation sur un parcours, ou collecte de profils)",
)
def create_campaign(request, organization_id: int, payload: CampaignIn):
    organization = organization_for(request, organization_id)
    campaign = services.create_campaign(
        organization=organization,
        creator=request.user,
        type=payload.type,
        name=payload.name,
        target_profile_id=payload.target_profile_id,
        title=payload.title,
        landing_text=payload.landing_text,
        external_id_label=payload.external_id_label,
        external_id_type=payload.external_id_type,
        multiple_sendings=payload.multiple_sendings,
        owner_id=payload.owner_id,
    )
    return Status(201, _campaign_out(campaign, request.user, (0, 0)))


@router.delete(
    "/organizations/{organization_id}/campaigns",
    response={200: DeletedOut, 400: Error, 403: Error, 404: Error},
    summary="Supprimer des campagnes (leurs participations sont anonymisées)",
    description="Tout ou rien : il faut être administrateur ou propriétaire de chacune.",
)
def delete_campaigns(request, organization_id: int, payload: DeleteIn):
    organization = organization_for(request, organization_id)
    deleted = services.delete_campaigns(
        organization=organization, user=request.user, campaign_ids=payload.ids
    )
    return DeletedOut(deleted=deleted)


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, 404: Error},
    summary="Une campagne",
)
def campaign_detail(request, campaign_id: int):
    return _campaign_out(_member_campaign(request, campaign_id), request.user)


@router.patch(
    "/campaigns/{int:campaign_id}",
    response={200: CampaignOut, 400: Error, 403: Error, 404: Error},
    summary="Modifier une campagne : nom, titre, texte d'accueil, propriétaire",
)
def edit_campaign(request, campaign_id: int, payload: CampaignPatch):
    campaign = _member_campaign(request, campaign_id)
    campaign = services.update_campaign(
        campaign=campaign,
        user=request.user,
        name=campaign.name if payload.name is None else payload.name,
        title=campaign.title if payload.title is None else payload.title,
        landing_text=campaign.landing_text
        if payload.landing_text is None
        else payload.landing_text,
        owner_id=payload.owner_id,
    )
    return _campaign_out(campaign, request.user)


@router.put(
    "/campaigns/{int:campaign_id}/archive",
    response={200: CampaignOut, 403: Error, 404: Error, 409: Error},
    summary="Archiver une campagne (plus de participation ni d'envoi)",
)
def archive(request, campaign_id: int):
    campaign = services.archive_campaign(
        campaign=_member_campaign(request, campaign_id), user=request.user
    )
    return _campaign_out(campaign, request.user)


@router.delete(
    "/campaigns/{int:campaign_id}/archive",
    response={200: CampaignOut, 403: Error, 404: Error, 409: Error},
    summary="Désarchiver une campagne",
)
def unarchive(request, campaign_id: int):
    campaign = services.unarchive_campaign(
        campaign=_member_campaign(request, campaign_id), user=request.user
    )
    return _campaign_out(campaign, request.user)


@router.get(
    "/campaigns/{int:campaign_id}/activity",
    response={200: ActivityOut, 404: Error},
    summary="Activité : participants par statut, résultat moyen, participations par jour",
)
def campaign_activity(request, campaign_id: int):
    numbers = selectors.activity(_member_campaign(request, campaign_id))
    return ActivityOut(
        participants=numbers.participants,
        started=numbers.started,
        to_share=numbers.to_share,
        shared=numbers.shared,
        average_result=numbers.average_result,
        average_stage=numbers.average_stage,
        by_day=[DayOut(date=day, started=s, shared=sh) for day, s, sh in numbers.by_day],
        by_stage=[CountOut(label=str(stage), count=n) for stage, n in numbers.by_stage],
        by_result_band=[CountOut(label=label, count=n) for label, n in numbers.by_result_band],
    )


@router.get(
    "/campaigns/{int:campaign_id}/participants",
    response={200: ParticipantPage, 404: Error},
    summary="Participants (onglet Activité) : filtres par classe, statut et nom, pagination",
)
def campaign_participants(request, campaign_id: int, filters: Query[ParticipantFilters]):
    campaign = _member_campaign(request, campaign_id)
    return _participants(campaign, filters, statuses=filters.status)


@router.get(
    "/campaigns/{int:campaign_id}/results",
    response={200: ParticipantPage, 404: Error},
    summary="Résultats reçus : filtres par classe, palier, badge et nom, pagination",
)
def campaign_results(request, campaign_id: int, filters: Query[ParticipantFilters]):
    campaign = _member_campaign(request, campaign_id)
    return _participants(campaign, filters, statuses=[Participation.Status.SHARED])


@router.get(
    "/campaigns/{int:campaign_id}/analysis",
    response={200: AnalysisOut, 404: Error},
    summary="Analyse collective par compétence et par sujet, sujets recommandés d'abord",
)
def campaign_analysis(request, campaign_id: int):
    competences, tubes, counted = selectors.analysis(_member_campaign(request, campaign_id))
    return AnalysisOut(
        counted=counted,
        competences=[
            CompetenceAnalysisOut(
                id=c.id,
                index=c.index,
                name=c.name,
                area_name=c.area_name,
                total=c.total,
                average_percentage=c.average_percentage,
            )
            for c in competences
        ],
        tubes=[
            TubeAnalysisOut(
                id=t.id,
                title=t.title,
                competence_index=t.competence_index,
                competence_name=t.competence_name,
                max_level=t.max_level,
                average_level=t.average_level,
                score=t.score,
                label=t.label,
                tutorials=[
                    TutorialOut(
                        title=tutorial.title,
                        link=tutorial.link,
                        format=tutorial.format,
                        duration=tutorial.duration,
                        source=tutorial.source,
                    )
                    for tutorial in t.tutorials
                ],
            )
            for t in tubes
        ],
    )


@router.get(
    "/campaigns/{int:campaign_id}/participations/{participation_id}",
    response={200: ParticipantDetailOut, 404: Error},
    summary="Un participant : son résultat reçu, par compétence et par sujet, ses envois",
)
def campaign_participation(request, campaign_id: int, participation_id: int):
    campaign = _member_campaign(request, campaign_id)
    participation = (
        Participation.objects.filter(
            campaign=campaign, deleted_at__isnull=True, pk=participation_id
        )
        .select_related("organization_learner", "user")
        .first()
    )
    if participation is None:
        raise Http404(_("Cette participation n'existe pas dans cette campagne."))
    participation.campaign = campaign
    same = Participation.objects.filter(campaign=campaign, deleted_at__isnull=True)
    if participation.organization_learner_id:
        same = same.filter(organization_learner_id=participation.organization_learner_id)
    else:
        same = same.filter(user_id=participation.user_id)
    history = list(same.filter(status=Participation.Status.SHARED).order_by("shared_at", "pk"))
    key = selectors.participant_key(participation)
    earlier = [
        p
        for p in history
        if participation.shared_at and p.shared_at and p.shared_at < participation.shared_at
    ]
    previous = {key: earlier[-1].mastery_rate} if earlier else {}
    tubes = []
    result = None
    if participation.is_shared:
        result = _frozen_result(participation)
        content = current_content()
        for tube_id, values in ((participation.snapshot or {}).get("tubes") or {}).items():
            tube = content.get("tubes", tube_id)
            tubes.append(
                TubeResultOut(
                    id=tube_id,
                    title=(tube.title or tube.name) if tube else tube_id,
                    competence_id=tube.competence_id if tube else "",
                    reached_level=values[0],
                    max_level=values[1],
                    validated=values[2],
                    total=values[3],
                )
            )
    return ParticipantDetailOut(
        participant=_participant_out(
            participation, sendings={key: len(history)}, previous=previous
        ),
        result=result,
        tubes=tubes,
        sendings=[
            SendingOut(
                id=p.pk, shared_at=p.shared_at, mastery_rate=p.mastery_rate, pix_score=p.pix_score
            )
            for p in history
        ],
    )


# -- exports -----------------------------------------------------------------------------------


class ExportJobOut(Schema):
    id: int
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: int
    rows: int | None = Field(description="lignes écrites, une fois terminé")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="le fichier est supprimé à cette date")
    download_url: str | None = Field(description="le fichier CSV, une fois terminé")


def _export_job_out(campaign: Campaign, job: Job) -> ExportJobOut:
    ready = (
        job.status == Job.Status.SUCCEEDED
        and bool((job.result or {}).get("path"))
        and not exports.is_expired(job)
    )
    return ExportJobOut(
        id=job.pk,
        status=job.status,
        progress=job.progress,
        rows=(job.result or {}).get("rows"),
        created_at=job.created_at,
        finished_at=job.finished_at,
        expires_at=job.finished_at + exports.EXPORT_RETENTION if job.finished_at else None,
        download_url=(f"/api/v1/campaigns/{campaign.pk}/exports/{job.pk}/file" if ready else None),
    )


def _export_job(campaign: Campaign, job_id: int) -> Job:
    job = exports.export_jobs(campaign).filter(pk=job_id).first()
    if job is None:
        raise Http404(_("Cet export n'existe pas pour cette campagne."))
    return job


@router.get(
    "/campaigns/{int:campaign_id}/export",
    response={200: None, 404: Error, 409: Error},
    summary="Les résultats en CSV (séparateur « ; », UTF-8 avec BOM), envoyés au fil de l'eau",
    description=(
        "Au-delà de `OCTETS_EXPORT_SYNC_MAX` participations (5 000 par défaut), la réponse est "
        "409 `EXPORT_TOO_BIG` : lancez l'export en tâche de fond avec "
        "`POST /campaigns/{campaign_id}/exports`."
    ),
    openapi_extra={
        "responses": {200: {"description": "Le fichier CSV", "content": {"text/csv": {}}}}
    },
)
def export_csv(request, campaign_id: int):
    campaign = _member_campaign(request, campaign_id)
    if exports.export_size(campaign) > settings.OCTETS_EXPORT_SYNC_MAX:
        raise CampaignError(
            _(
                "Cette campagne a trop de participations pour un téléchargement direct : lancez "
                "l'export en tâche de fond (POST /campaigns/%(id)d/exports)."
            )
            % {"id": campaign.pk},
            code="EXPORT_TOO_BIG",
            status=409,
        )
    return exports.streaming_response(campaign)


@router.post(
    "/campaigns/{int:campaign_id}/exports",
    response={202: ExportJobOut, 404: Error},
    summary="Lancer l'export CSV en tâche de fond (l'export déjà en cours est rendu)",
)
def start_export(request, campaign_id: int):
    campaign = _member_campaign(request, campaign_id)
    exports.purge_expired_exports()
    job = exports.start_export(campaign=campaign, user=request.user)
    return Status(202, _export_job_out(campaign, job))


@router.get(
    "/campaigns/{int:campaign_id}/exports/{job_id}",
    response={200: ExportJobOut, 404: Error},
    summary="État d'un export en tâche de fond (avec le lien du fichier une fois prêt)",
)
def export_status(request, campaign_id: int, job_id: int):
    campaign = _member_campaign(request, campaign_id)
    return _export_job_out(campaign, _export_job(campaign, job_id))


@router.get(
    "/campaigns/{int:campaign_id}/exports/{job_id}/file",
    response={200: None, 404: Error},
    summary="Télécharger le fichier d'un export terminé (gardé 7 jours)",
    openapi_extra={
        "responses": {200: {"description": "Le fichier CSV", "content": {"text/csv": {}}}}
    },
)
def export_file(request, campaign_id: int, job_id: int):
    campaign = _member_campaign(request, campaign_id)
    job = _export_job(campaign, job_id)
    path = (job.result or {}).get("path")
    if (
        job.status != Job.Status.SUCCEEDED
        or not path
        or exports.is_expired(job)
        or not default_storage.exists(path)
    ):
        raise Http404(_("Ce fichier n'est pas prêt ou n'est plus disponible : relancez l'export."))
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=job.result.get("filename") or exports.export_filename(campaign),
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response
