"""Writes on assessments: start, serve the next challenge, record an answer.

Each function runs in one transaction and locks the assessment row first, so two requests on
the same assessment are serialized. The engine does the thinking (``octets.engine``); this
module only loads its inputs and stores its outputs.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from octets.assessments import selectors
from octets.assessments.errors import AssessmentError
from octets.assessments.models import Answer, Assessment, KnowledgeElement
from octets.content.selectors import NoContentLoaded, current_content, current_release
from octets.engine.answers import AnswerResult, check_answer
from octets.engine.content import Challenge
from octets.engine.knowledge import knowledge_for_answer, latest_by_skill
from octets.engine.knowledge import reset_competence as reset_competence_knowledge
from octets.engine.selection import next_challenge as engine_next_challenge


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _competence(competence_index: str):
    try:
        content = current_content()
    except NoContentLoaded as exc:
        raise AssessmentError(str(exc), code="NO_CONTENT", status=503) from exc
    competence = content.competence_by_index(competence_index)
    if competence is None:
        raise AssessmentError(
            _("La compétence « %(index)s » n'existe pas.") % {"index": competence_index},
            code="UNKNOWN_COMPETENCE",
            status=404,
        )
    return content, competence


def _lock_learner(user) -> None:
    """Serialize a learner's starts and resets (one running session per competence)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _in_days(days: int) -> str:
    return ngettext("dans %(days)d jour", "dans %(days)d jours", days) % {"days": days}


def start_assessment(*, user, competence_index: str, improve: bool = False) -> Assessment:
    """The learner's training session on a competence ("1.1") of the current release.

    An unfinished session on that competence is resumed rather than doubled. ``improve``
    starts a session that may ask again the skills failed more than 4 days ago; it is allowed
    once the competence is finished, below the maximum level, 4 days after its last answer.
    The result's ``was_resumed`` says whether an existing session was returned.
    """
    content, competence = _competence(competence_index)
    with transaction.atomic():
        _lock_learner(user)
        running = (
            Assessment.objects.filter(
                user=user, competence_id=competence.id, state=Assessment.State.STARTED
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if running is not None:
            running.was_resumed = True
            return running
        if improve:
            card = selectors.scorecard(user, competence_index)
            if card is None or card.days_before_improve is None:
                raise AssessmentError(
                    _(
                        "Rien à améliorer sur cette compétence : terminez-la d'abord, ou vous "
                        "avez déjà le niveau maximum ou réussi tous ses acquis."
                    ),
                    code="NOTHING_TO_IMPROVE",
                    status=409,
                )
            if not card.can_improve:
                raise AssessmentError(
                    _("Vous pourrez améliorer cette compétence %(when)s.")
                    % {"when": _in_days(card.days_before_improve)},
                    code="IMPROVE_TOO_EARLY",
                    status=409,
                )
        assessment = Assessment(
            user=user,
            competence_id=competence.id,
            content_release=current_release(),
            seed=secrets.randbelow(2**31),
            is_improving=improve,
        )
        if not improve and not _has_something_to_ask(assessment, content):
            # finished: a new session would be empty and hide the real results
            card = selectors.scorecard(user, competence_index)
            if card is not None and card.days_before_improve:
                hint = _("Vous pourrez l'améliorer %(when)s.") % {
                    "when": _in_days(card.days_before_improve)
                }
            elif card is not None and card.can_improve:
                hint = _("Vous pouvez l'améliorer.")
            else:
                hint = _("Vous pouvez la remettre à zéro 7 jours après votre dernière réponse.")
            raise AssessmentError(
                _("Vous avez terminé cette compétence : tous ses acquis sont évalués.")
                + " "
                + hint,
                code="COMPETENCE_COMPLETED",
                status=409,
            )
        assessment.save()
        assessment.was_resumed = False
        return assessment


def _has_something_to_ask(assessment: Assessment, content) -> bool:
    """Whether a fresh session on this competence would serve a challenge (the learner's
    knowledge may already cover every skill, unless the content grew since)."""
    catalog = selectors.catalog_of(assessment, content)
    knowledge = selectors.knowledge_of(assessment.user_id, skill_ids=catalog.skills_by_id)
    return engine_next_challenge(catalog, knowledge=knowledge, seed=0) is not None


def reset_competence(*, user, competence_index: str) -> int:
    """Forget what the learner showed on a competence, 7 days after its last answer.

    Writes a "reset" knowledge element over each current one (the history stays) and
    interrupts a running session on the competence. Returns the number of skills reset.
    """
    content, competence = _competence(competence_index)
    with transaction.atomic():
        _lock_learner(user)
        card = selectors.scorecard(user, competence_index)
        if card is None or card.days_before_reset is None:
            raise AssessmentError(
                _("Rien à remettre à zéro : vous n'avez encore rien acquis sur cette compétence."),
                code="NOTHING_TO_RESET",
                status=409,
            )
        if not card.can_reset:
            raise AssessmentError(
                _(
                    "Vous pourrez remettre cette compétence à zéro %(when)s (7 jours après "
                    "votre dernière réponse)."
                )
                % {"when": _in_days(card.days_before_reset)},
                code="RESET_TOO_EARLY",
                status=409,
            )
        history = selectors.knowledge_of(user)
        now = timezone.now()
        resets = reset_competence_knowledge(
            history,
            competence_skill_ids=[skill.id for skill in content.skills_of(competence.id)],
            next_order=max((ke.order for ke in history), default=0) + 1,
            created_at=now,
        )
        running = Assessment.objects.filter(
            user=user, competence_id=competence.id, state=Assessment.State.STARTED
        ).order_by("pk")
        holder = running.first() or (
            Assessment.objects.filter(user=user, competence_id=competence.id)
            .order_by("-created_at", "-pk")
            .first()
        )
        KnowledgeElement.objects.bulk_create(
            KnowledgeElement(
                user_id=user.pk,
                assessment=holder,
                answer=None,
                skill_id=ke.skill_id,
                competence_id=ke.competence_id,
                status=ke.status.value,
                source=ke.source.value,
                earned_pix=0.0,
                created_at=now,
            )
            for ke in resets
        )
        running.update(
            state=Assessment.State.ABORTED, current_challenge_id="", updated_at=timezone.now()
        )
        return len(resets)


def _campaign_still_open(assessment: Assessment) -> None:
    """A campaign test is answered only while its campaign is open (neither deleted nor
    archived): answers given after could never be sent."""
    if not assessment.campaign_participation_id:
        return
    participation = assessment.campaign_participation
    campaign = participation.campaign
    if participation.deleted_at is not None or campaign.deleted_at is not None:
        raise AssessmentError(
            _("Cette participation a été supprimée par l'établissement."),
            code="PARTICIPATION_DELETED",
            status=404,
        )
    if campaign.archived_at is not None:
        raise AssessmentError(
            _(
                "Cette campagne est archivée : on ne peut plus y répondre ni y envoyer de "
                "résultats."
            ),
            code="CAMPAIGN_ARCHIVED",
            status=409,
        )


def next_challenge(*, assessment: Assessment) -> Challenge | None:
    """The challenge to answer now, or None once the assessment is completed.

    The same challenge is served again until it is answered. The engine sees the learner's
    knowledge elements from every assessment (the profile is lifelong).
    """
    with transaction.atomic():
        # locked, with the release's checksum (not its JSON): the content is then cached
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("content_release", "campaign_participation__campaign")
            .defer("content_release__data")
            .get(pk=assessment.pk)
        )
        if assessment.state == Assessment.State.COMPLETED:
            return None
        _campaign_still_open(assessment)
        content = selectors.content_of(assessment)
        if assessment.current_challenge_id:
            return content.get("challenges", assessment.current_challenge_id)
        answered = list(
            assessment.answers.order_by("created_at", "pk").values_list("challenge_id", flat=True)
        )
        last = content.get("challenges", answered[-1]) if answered else None
        if assessment.is_retrying:
            # a retry serves other challenges than those of the participation's earlier tries
            answered_before = list(
                Answer.objects.filter(
                    assessment__campaign_participation_id=assessment.campaign_participation_id
                )
                .exclude(assessment=assessment)
                .values_list("challenge_id", flat=True)
            )
        else:
            answered_before = []
        catalog = selectors.catalog_of(assessment, content)
        selection = engine_next_challenge(
            catalog,
            # only the target's skills matter to the engine
            knowledge=selectors.knowledge_seen_by(
                assessment,
                selectors.knowledge_of(assessment.user_id, skill_ids=catalog.skills_by_id),
            ),
            answered_challenge_ids=answered_before + answered,
            last_answer_timed=bool(last and last.is_timed),
            seed=f"{assessment.seed}:{len(answered)}",
        )
        if selection is None:
            assessment.state = Assessment.State.COMPLETED
            assessment.current_challenge_id = ""
            assessment.save(update_fields=["state", "current_challenge_id", "updated_at"])
            if assessment.campaign_participation_id:
                from octets.campaigns.models import Participation

                Participation.objects.filter(
                    pk=assessment.campaign_participation_id, status=Participation.Status.STARTED
                ).update(status=Participation.Status.TO_SHARE)
            return None
        assessment.current_challenge_id = selection.challenge.id
        # a timed challenge's clock starts when the learner asks for it (start_timer)
        assessment.challenge_served_at = None if selection.challenge.is_timed else timezone.now()
        assessment.save(update_fields=["current_challenge_id", "challenge_served_at", "updated_at"])
        return selection.challenge


def submit_answer(
    *, assessment: Assessment, challenge_id: str, value: str, timeout: int | None = None
) -> tuple[Answer, AnswerResult]:
    """Mark and store the answer to the current challenge, with the knowledge it brings.

    A second answer to a challenge, or an answer to a challenge that is not the current one,
    is refused (409) and changes nothing.
    """
    with transaction.atomic():
        # locked, with the release's checksum (not its JSON): the content is then cached
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("content_release", "campaign_participation__campaign")
            .defer("content_release__data")
            .get(pk=assessment.pk)
        )
        _campaign_still_open(assessment)
        # The current challenge is never an answered one (the engine never serves an answered
        # challenge): only a refused answer needs the query that says which refusal it is.
        is_current = bool(challenge_id) and challenge_id == assessment.current_challenge_id
        if not is_current and assessment.answers.filter(challenge_id=challenge_id).exists():
            raise AssessmentError(
                _("Cette épreuve a déjà reçu une réponse."), code="ALREADY_ANSWERED", status=409
            )
        if not is_current:
            raise AssessmentError(
                _("Cette épreuve n'est pas celle en cours : demandez l'épreuve suivante."),
                code="CHALLENGE_NOT_CURRENT",
                status=409,
            )
        content = selectors.content_of(assessment)
        challenge = content.get("challenges", challenge_id)
        evaluation = check_answer(challenge, value, timeout=timeout)
        now = timezone.now()
        answer = Answer.objects.create(
            assessment=assessment,
            challenge_id=challenge_id,
            value=value,
            result=evaluation.result.value,
            timeout=timeout,
            created_at=now,
        )
        catalog = selectors.catalog_of(assessment, content)
        # only the competence's skills matter to the inference
        history = selectors.knowledge_of(assessment.user_id, skill_ids=catalog.skills_by_id)
        created = knowledge_for_answer(
            skill=content.get("skills", challenge.skill_id),
            result=evaluation.result,
            target_skills=catalog.skills,
            known=latest_by_skill(selectors.knowledge_seen_by(assessment, history)),
            pix_values=content.pix_values,
            next_order=max((ke.order for ke in history), default=0) + 1,
            created_at=now,
        )
        KnowledgeElement.objects.bulk_create(
            KnowledgeElement(
                user_id=assessment.user_id,
                assessment=assessment,
                answer=answer,
                skill_id=ke.skill_id,
                competence_id=ke.competence_id,
                status=ke.status.value,
                source=ke.source.value,
                earned_pix=ke.earned_pix,
                created_at=now,
            )
            for ke in sorted(created, key=lambda ke: ke.order)
        )
        assessment.current_challenge_id = ""
        assessment.save(update_fields=["current_challenge_id", "updated_at"])
        return answer, evaluation.result


def start_timer(*, assessment: Assessment) -> Assessment:
    """Start the clock of the current (timed) challenge, once: asking again changes nothing."""
    with transaction.atomic():
        assessment = _locked(assessment)
        if assessment.current_challenge_id and assessment.challenge_served_at is None:
            assessment.challenge_served_at = timezone.now()
            assessment.save(update_fields=["challenge_served_at", "updated_at"])
        return assessment
