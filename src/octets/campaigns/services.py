"""Writes on campaigns: create, edit, archive, delete; join, test, retry and share.

Every function checks its rule and raises ``CampaignError`` (French message, code, HTTP status)
before writing anything, and writes in one transaction.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from octets.assessments import selectors as assessment_selectors
from octets.assessments.models import Assessment
from octets.campaigns import selectors
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Campaign, Participation
from octets.content.selectors import NoContentLoaded, current_content, current_release
from octets.engine.selection import next_challenge as engine_next_challenge
from octets.organizations.models import Membership
from octets.organizations.permissions import active_membership

CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"  # no I, L, O: readable on a board
CODE_DIGITS = "123456789"  # no 0 (read as O)
NAME_MAX = 255
TITLE_MAX = 50
LANDING_TEXT_MAX = 5000


def new_campaign_code() -> str:
    """Six readable capital letters then three digits, e.g. ``QWERTY123``."""
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(6))
    digits = "".join(secrets.choice(CODE_DIGITS) for _ in range(3))
    return letters + digits


def normalize_code(code: str) -> str:
    return "".join(str(code or "").split()).upper()


# -- permissions ------------------------------------------------------------------------------


def can_manage(user, campaign: Campaign, membership: Membership | None = None) -> bool:
    """The campaign's owner and the organization's admins may edit, archive and delete it."""
    membership = membership or active_membership(user, campaign.organization)
    if membership is None:
        return False
    return membership.role == Membership.Role.ADMIN or campaign.owner_id == user.pk


def _require_manager(user, campaign: Campaign, membership=None) -> None:
    if not can_manage(user, campaign, membership):
        raise CampaignError(
            _(
                "Seuls le propriétaire de la campagne et les administrateurs de l'organisation "
                "peuvent la modifier, l'archiver ou la supprimer."
            ),
            code="CAMPAIGN_FORBIDDEN",
            status=403,
        )


# -- creation and edition ---------------------------------------------------------------------


def _clean_text(value, *, field: str, label: str, max_length: int, required=False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise CampaignError(
            _("%(label)s est obligatoire.") % {"label": label},
            code=f"CAMPAIGN_{field.upper()}_IS_REQUIRED",
            details=[field],
        )
    if len(text) > max_length:
        raise CampaignError(
            _("%(label)s ne doit pas dépasser %(max)d caractères (%(length)d actuellement).")
            % {"label": label, "max": max_length, "length": len(text)},
            code=f"CAMPAIGN_{field.upper()}_IS_TOO_LONG",
            details=[field],
        )
    return text


def _owner(organization, owner_id, default):
    if owner_id in (None, ""):
        return default
    try:
        owner_id = int(owner_id)
    except (TypeError, ValueError):
        owner_id = -1
    membership = (
        Membership.objects.filter(
            organization=organization, user_id=owner_id, disabled_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        raise CampaignError(
            _("Le propriétaire choisi n'est pas membre de l'organisation."),
            code="OWNER_NOT_IN_ORGANIZATION",
            details=["owner"],
        )
    return membership.user


def create_campaign(
    *,
    organization,
    creator,
    type: str,
    name: str,
    target_profile_id=None,
    title: str = "",
    landing_text: str = "",
    external_id_label: str = "",
    external_id_type: str = "",
    multiple_sendings: bool = False,
    owner_id=None,
) -> Campaign:
    """A new campaign with a unique code. Any member of the organization may create one."""
    if active_membership(creator, organization) is None:
        raise CampaignError(
            _("Vous n'êtes pas membre de cette organisation."), code="NOT_A_MEMBER", status=403
        )
    if organization.archived_at is not None:
        raise CampaignError(
            _("Cette organisation est archivée : elle ne peut plus créer de campagne."),
            code="ORGANIZATION_ARCHIVED",
            status=409,
        )
    if type not in Campaign.Type.values:
        raise CampaignError(
            _("Choisissez l'objectif de la campagne : évaluer ou collecter les profils."),
            code="CAMPAIGN_PURPOSE_IS_REQUIRED",
            details=["type"],
        )
    name = _clean_text(name, field="name", label=_("Le nom"), max_length=NAME_MAX, required=True)
    landing_text = _clean_text(
        landing_text,
        field="landing_text",
        label=_("Le texte de la page d'accueil"),
        max_length=LANDING_TEXT_MAX,
    )
    target_profile = None
    if type == Campaign.Type.ASSESSMENT:
        title = _clean_text(
            title, field="title", label=_("Le titre du parcours"), max_length=TITLE_MAX
        )
        if target_profile_id in (None, ""):
            raise CampaignError(
                _("Choisissez le parcours (profil cible) à faire passer."),
                code="TARGET_PROFILE_IS_REQUIRED",
                details=["target_profile"],
            )
        target_profile = (
            selectors.target_profiles_for(organization)
            .filter(pk=_int_or_none(target_profile_id))
            .first()
        )
        if target_profile is None:
            raise CampaignError(
                _("Ce parcours n'existe pas ou n'est pas accessible à votre organisation."),
                code="TARGET_PROFILE_NOT_AVAILABLE",
                status=403,
                details=["target_profile"],
            )
    else:
        if target_profile_id not in (None, ""):
            raise CampaignError(
                _("Une collecte de profils ne s'appuie sur aucun parcours."),
                code="TARGET_PROFILE_NOT_ALLOWED",
                details=["target_profile"],
            )
        if str(title or "").strip():
            raise CampaignError(
                _("Une collecte de profils n'a pas de titre de parcours."),
                code="TITLE_NOT_ALLOWED",
                details=["title"],
            )
        title = ""
    external_id_label = _clean_text(
        external_id_label,
        field="external_id_label",
        label=_("Le libellé de l'identifiant externe"),
        max_length=255,
    )
    if external_id_label:
        if external_id_type not in Campaign.ExternalIdType.values:
            raise CampaignError(
                _("Précisez le type de l'identifiant externe : texte ou adresse e-mail."),
                code="MISSING_ID_PIX_TYPE",
                details=["external_id_type"],
            )
    else:
        external_id_type = ""
    owner = _owner(organization, owner_id, creator)
    capped = []
    if target_profile is not None:
        capped = [
            [tube_id, level]
            for tube_id, level in target_profile.capped_tubes.order_by("tube_id").values_list(
                "tube_id", "level"
            )
        ]
    for _attempt in range(20):
        try:
            with transaction.atomic():
                return Campaign.objects.create(
                    organization=organization,
                    code=new_campaign_code(),
                    type=type,
                    name=name,
                    title=title,
                    landing_text=landing_text,
                    target_profile=target_profile,
                    capped_tubes=capped,
                    external_id_label=external_id_label,
                    external_id_type=external_id_type,
                    multiple_sendings=bool(multiple_sendings),
                    owner=owner,
                    creator=creator,
                )
        except IntegrityError:  # the code was taken meanwhile: draw another
            continue
    raise CampaignError(  # pragma: no cover - 23^6 * 9^3 codes
        _("Impossible de trouver un code libre, réessayez."), code="CODE_EXHAUSTED", status=503
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def update_campaign(
    *, campaign: Campaign, user, name: str, title: str = "", landing_text: str = "", owner_id=None
) -> Campaign:
    """Edit what a school may change: name, title, landing text and owner."""
    _require_manager(user, campaign)
    _not_deleted(campaign)
    campaign.name = _clean_text(
        name, field="name", label=_("Le nom"), max_length=NAME_MAX, required=True
    )
    if campaign.is_assessment:
        campaign.title = _clean_text(
            title, field="title", label=_("Le titre du parcours"), max_length=TITLE_MAX
        )
    campaign.landing_text = _clean_text(
        landing_text,
        field="landing_text",
        label=_("Le texte de la page d'accueil"),
        max_length=LANDING_TEXT_MAX,
    )
    campaign.owner = _owner(campaign.organization, owner_id, campaign.owner)
    campaign.save(update_fields=["name", "title", "landing_text", "owner"])
    return campaign


def _not_deleted(campaign: Campaign) -> None:
    if campaign.is_deleted:
        raise CampaignError(
            _("Cette campagne a été supprimée."), code="CAMPAIGN_DELETED", status=404
        )


def archive_campaign(*, campaign: Campaign, user) -> Campaign:
    _require_manager(user, campaign)
    _not_deleted(campaign)
    if campaign.is_archived:
        raise CampaignError(
            _("Cette campagne est déjà archivée."), code="CAMPAIGN_ALREADY_ARCHIVED", status=409
        )
    campaign.archived_at = timezone.now()
    campaign.archived_by = user
    campaign.save(update_fields=["archived_at", "archived_by"])
    return campaign


def unarchive_campaign(*, campaign: Campaign, user) -> Campaign:
    _require_manager(user, campaign)
    _not_deleted(campaign)
    if not campaign.is_archived:
        raise CampaignError(
            _("Cette campagne n'est pas archivée."), code="CAMPAIGN_NOT_ARCHIVED", status=409
        )
    campaign.archived_at = None
    campaign.archived_by = None
    campaign.save(update_fields=["archived_at", "archived_by"])
    return campaign


def delete_campaigns(*, organization, user, campaign_ids) -> int:
    """Delete campaigns (soft): every participation is anonymised and deleted with them.

    All or nothing: the user must be an admin or own every campaign listed, and every campaign
    must belong to the organization.
    """
    ids = {_int_or_none(pk) for pk in campaign_ids} - {None}
    if not ids:
        raise CampaignError(_("Cochez au moins une campagne à supprimer."), code="NOTHING_SELECTED")
    with transaction.atomic():
        campaigns = list(
            Campaign.objects.select_for_update().filter(
                pk__in=ids, organization=organization, deleted_at__isnull=True
            )
        )
        if len(campaigns) != len(ids):
            raise CampaignError(
                _("Une des campagnes choisies n'existe pas dans cette organisation."),
                code="CAMPAIGN_NOT_FOUND",
                status=404,
            )
        membership = active_membership(user, organization)
        for campaign in campaigns:
            _require_manager(user, campaign, membership)
        now = timezone.now()
        Participation.objects.filter(campaign__in=campaigns, deleted_at__isnull=True).update(
            deleted_at=now,
            deleted_by=user,
            user=None,
            participant_external_id="",
        )
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(
            deleted_at=now, deleted_by=user
        )
    return len(campaigns)


def delete_participant(*, campaign: Campaign, user, participation: Participation) -> int:
    """Delete (anonymise) every participation of that participant in the campaign."""
    _require_manager(user, campaign)
    with transaction.atomic():
        same = Participation.objects.filter(campaign=campaign, deleted_at__isnull=True)
        if participation.organization_learner_id:
            same = same.filter(organization_learner_id=participation.organization_learner_id)
        elif participation.user_id:
            same = same.filter(user_id=participation.user_id)
        else:
            same = same.filter(pk=participation.pk)
        return same.update(
            deleted_at=timezone.now(), deleted_by=user, user=None, participant_external_id=""
        )


# -- the learner's side -----------------------------------------------------------------------


def campaign_by_code(code: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organization", "target_profile")
        .filter(code=normalize_code(code), deleted_at__isnull=True)
        .first()
    )
    if campaign is None:
        raise CampaignError(
            _("Aucune campagne ne correspond à ce code : vérifiez-le auprès de votre enseignant."),
            code="CAMPAIGN_CODE_UNKNOWN",
            status=404,
        )
    return campaign


def _open(campaign: Campaign) -> None:
    if campaign.is_archived or campaign.organization.archived_at is not None:
        raise CampaignError(
            _(
                "Cette campagne est archivée : on ne peut plus y participer ni y envoyer de résultats."
            ),
            code="CAMPAIGN_ARCHIVED",
            status=409,
        )


def is_restricted(campaign: Campaign) -> bool:
    """Campaigns of a school that imports its pupils are open to those pupils only."""
    return campaign.organization.is_managing_students


def _clean_external_id(campaign: Campaign, value) -> str:
    value = str(value or "").strip()
    if not campaign.external_id_label:
        return ""
    if not value:
        raise CampaignError(
            _("Renseignez « %(label)s » pour commencer.") % {"label": campaign.external_id_label},
            code="MISSING_EXTERNAL_ID",
            details=["external_id"],
        )
    if len(value) > 255:
        raise CampaignError(
            _("« %(label)s » ne doit pas dépasser 255 caractères.")
            % {"label": campaign.external_id_label},
            code="EXTERNAL_ID_TOO_LONG",
            details=["external_id"],
        )
    if campaign.external_id_type == Campaign.ExternalIdType.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise CampaignError(
                _("« %(label)s » doit être une adresse e-mail valide.")
                % {"label": campaign.external_id_label},
                code="INVALID_EMAIL",
                details=["external_id"],
            ) from None
    return value


def _days_text(days: int) -> str:
    return ngettext("dans %(days)d jour", "dans %(days)d jours", days) % {"days": days}


def retry_delay_days() -> int:
    return settings.OCTETS_CAMPAIGN_RETRY_DELAY_DAYS


def join_campaign(
    *,
    user,
    code: str,
    first_name: str = "",
    last_name: str = "",
    birthdate: date | None = None,
    external_id: str = "",
) -> Participation:
    """The learner's participation in the campaign with this code (resumed when it exists).

    In a school that manages its pupils, the learner must be one of its enabled pupils: linked
    automatically (an account already linked to the same pupil, or by INE from another school),
    or by first name, last name and birth date. A new participation after a shared one needs
    multiple sendings and the retry delay.
    """
    from octets.students import association

    campaign = campaign_by_code(code)
    _open(campaign)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        current = (
            Participation.objects.filter(
                campaign=campaign, user=user, is_improved=False, deleted_at__isnull=True
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if current is not None and not current.is_shared:
            return current
        learner = None
        if is_restricted(campaign):
            learner = association.learner_of(user, campaign.organization)
            if learner is None:
                learner = association.associate_automatically(
                    user=user, organization=campaign.organization
                )
            if learner is None:
                if not (first_name and last_name and birthdate):
                    raise CampaignError(
                        _(
                            "Cette campagne est réservée aux élèves de l'établissement : "
                            "indiquez votre prénom, votre nom et votre date de naissance."
                        ),
                        code="IDENTITY_REQUIRED",
                        status=422,
                        details=["first_name", "last_name", "birthdate"],
                    )
                learner = association.associate_learner(
                    user=user,
                    organization=campaign.organization,
                    first_name=first_name,
                    last_name=last_name,
                    birthdate=birthdate,
                )
            if learner.is_disabled:
                raise CampaignError(
                    _("Vous ne faites plus partie des élèves de cet établissement."),
                    code="LEARNER_DISABLED",
                    status=403,
                )
            other = (
                Participation.objects.filter(
                    campaign=campaign,
                    organization_learner=learner,
                    is_improved=False,
                    deleted_at__isnull=True,
                )
                .exclude(user=user)
                .exists()
            )
            if other:
                raise CampaignError(
                    _("Un autre compte a déjà participé à cette campagne pour cet élève."),
                    code="ORGANIZATION_LEARNER_HAS_ALREADY_PARTICIPATED",
                    status=409,
                )
        if current is not None:  # shared: a new sending?
            previous = current
            if not campaign.multiple_sendings:
                raise CampaignError(
                    _("Vous avez déjà envoyé vos résultats pour cette campagne."),
                    code="ALREADY_SHARED",
                    status=409,
                )
            wait = selectors.days_before_new_sending(current)
            if wait > 0:
                raise CampaignError(
                    _("Vous pourrez repasser ce parcours %(when)s.") % {"when": _days_text(wait)},
                    code="RETRY_TOO_EARLY",
                    status=409,
                )
            if campaign.is_assessment and (current.mastery_rate or 0) >= 1:
                raise CampaignError(
                    _("Vous avez déjà réussi tout ce parcours : rien à repasser."),
                    code="NOTHING_TO_RETRY",
                    status=409,
                )
            external = previous.participant_external_id
            Participation.objects.filter(pk=previous.pk).update(is_improved=True)
        else:
            external = _clean_external_id(campaign, external_id)
        participation = Participation.objects.create(
            campaign=campaign,
            user=user,
            organization_learner=learner,
            participant_external_id=external,
            status=Participation.Status.STARTED
            if campaign.is_assessment
            else Participation.Status.TO_SHARE,
        )
        if campaign.is_assessment:
            _new_assessment(participation)
        return participation


def _new_assessment(participation: Participation, *, retry: bool = False) -> Assessment:
    try:
        release = current_release()
    except NoContentLoaded as exc:
        raise CampaignError(str(exc), code="NO_CONTENT", status=503) from exc
    return Assessment.objects.create(
        user_id=participation.user_id,
        competence_id="",
        content_release=release,
        campaign_participation=participation,
        seed=secrets.randbelow(2**31),
        is_improving=True,
        retry_since=participation.created_at if retry else None,
    )


def current_assessment(participation: Participation) -> Assessment | None:
    return participation.assessments.order_by("-created_at", "-pk").first()


def can_retry(participation: Participation) -> bool:
    """Before sending: the test is finished and some failed skill has another challenge left."""
    if not participation.campaign.is_assessment or participation.is_shared:
        return False
    if participation.deleted_at or participation.campaign.is_archived:
        return False
    assessment = current_assessment(participation)
    if assessment is None or assessment.state != Assessment.State.COMPLETED:
        return False
    probe = Assessment(
        user_id=participation.user_id,
        competence_id="",
        content_release_id=assessment.content_release_id,
        campaign_participation=participation,
        is_improving=True,
        retry_since=participation.created_at,
        created_at=timezone.now(),
    )
    content = current_content()
    catalog = assessment_selectors.catalog_of(probe, content)
    knowledge = assessment_selectors.knowledge_seen_by(
        probe,
        assessment_selectors.knowledge_of(participation.user_id, skill_ids=catalog.skills_by_id),
    )
    answered = participation.assessments.values_list("answers__challenge_id", flat=True)
    return (
        engine_next_challenge(
            catalog,
            knowledge=knowledge,
            answered_challenge_ids=[a for a in answered if a],
            seed=0,
        )
        is not None
    )


def retry(*, participation: Participation, user) -> Assessment:
    """ "Retenter": a new try on the failed skills, with challenges not seen before."""
    _own(participation, user)
    with transaction.atomic():
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        running = participation.assessments.filter(state=Assessment.State.STARTED).first()
        if running is not None:
            return running
        if not can_retry(participation):
            raise CampaignError(
                _(
                    "Pas de nouvel essai possible : vos résultats sont déjà envoyés, ou il ne reste "
                    "aucune question à retenter."
                ),
                code="CANNOT_RETRY",
                status=409,
            )
        participation.status = Participation.Status.STARTED
        participation.save(update_fields=["status"])
        return _new_assessment(participation, retry=True)


def _own(participation: Participation, user) -> None:
    if participation.user_id != user.pk or participation.deleted_at is not None:
        raise CampaignError(
            _("Participation introuvable."), code="PARTICIPATION_NOT_FOUND", status=404
        )


def share(*, participation: Participation, user) -> Participation:
    """ "J'envoie mes résultats": freeze the results and show them to the school."""
    _own(participation, user)
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update(of=("self",))
            .select_related("campaign__organization", "campaign__target_profile")
            .get(pk=participation.pk)
        )
        campaign = participation.campaign
        if participation.is_shared:
            raise CampaignError(
                _("Vos résultats ont déjà été envoyés."), code="ALREADY_SHARED", status=409
            )
        if campaign.is_deleted:
            raise CampaignError(
                _("Cette campagne a été supprimée."), code="CAMPAIGN_DELETED", status=404
            )
        _open(campaign)
        if campaign.is_assessment:
            assessment = current_assessment(participation)
            if assessment is None or assessment.state != Assessment.State.COMPLETED:
                raise CampaignError(
                    _("Terminez le parcours avant d'envoyer vos résultats."),
                    code="ASSESSMENT_NOT_COMPLETED",
                    status=409,
                )
            result = selectors.live_result(participation)
            participation.mastery_rate = result.mastery_rate
            participation.validated_skills_count = result.validated
            participation.reached_stage = result.reached_stage
            participation.total_stages = result.total_stages
            participation.badge_keys = [badge.key for badge in result.badges]
            participation.pix_score = result.pix_score
            participation.snapshot = result.snapshot()
        else:
            profile = assessment_selectors.profile(participation.user)
            participation.pix_score = profile.total_pix
            participation.is_certifiable = profile.is_certifiable
            participation.certifiable_competences = sum(
                1 for card in profile.competences if card.level >= 1
            )
            participation.snapshot = {
                "competences": {card.id: [card.level, card.pix] for card in profile.competences}
            }
            if participation.organization_learner_id:
                from octets.students.models import OrganizationLearner

                OrganizationLearner.objects.filter(pk=participation.organization_learner_id).update(
                    is_certifiable=profile.is_certifiable, certifiable_at=timezone.now()
                )
        participation.status = Participation.Status.SHARED
        participation.shared_at = timezone.now()
        participation.save()
        return participation
