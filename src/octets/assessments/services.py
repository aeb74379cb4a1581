"""Writes on assessments: start, serve the next challenge, record an answer.

Each function runs in one transaction and locks the assessment row first, so two requests on
the same assessment are serialized. The engine does the thinking (``octets.engine``); this
module only loads its inputs and stores its outputs.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from octets.assessments import selectors
from octets.assessments.errors import AssessmentError
from octets.assessments.models import Answer, Assessment, KnowledgeElement
from octets.content.selectors import NoContentLoaded, current_content, current_release
from octets.engine.answers import AnswerResult, check_answer
from octets.engine.content import Challenge
from octets.engine.knowledge import knowledge_for_answer, latest_by_skill
from octets.engine.selection import next_challenge as engine_next_challenge


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def start_assessment(*, user, competence_index: str) -> Assessment:
    """A new training session on the competence with this index ("1.1") in the current release."""
    try:
        content = current_content()
    except NoContentLoaded as exc:
        raise AssessmentError(str(exc), code="NO_CONTENT", status=503) from exc
    competence = content.competence_by_index(competence_index)
    if competence is None:
        raise AssessmentError(
            f"La compétence « {competence_index} » n'existe pas.",
            code="UNKNOWN_COMPETENCE",
            status=404,
        )
    release = current_release()
    with transaction.atomic():
        return Assessment.objects.create(
            user=user,
            competence_id=competence.id,
            content_release=release,
            seed=secrets.randbelow(2**31),
        )


def next_challenge(*, assessment: Assessment) -> Challenge | None:
    """The challenge to answer now, or None once the assessment is completed.

    The same challenge is served again until it is answered. The engine sees the learner's
    knowledge elements from every assessment (the profile is lifelong).
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        if assessment.state == Assessment.State.COMPLETED:
            return None
        content = selectors.content_of(assessment)
        if assessment.current_challenge_id:
            return content.get("challenges", assessment.current_challenge_id)
        answered = list(
            assessment.answers.order_by("created_at", "pk").values_list("challenge_id", flat=True)
        )
        last = content.get("challenges", answered[-1]) if answered else None
        selection = engine_next_challenge(
            selectors.catalog_of(assessment, content),
            knowledge=selectors.knowledge_of(assessment.user),
            answered_challenge_ids=answered,
            last_answer_timed=bool(last and last.is_timed),
            seed=f"{assessment.seed}:{len(answered)}",
        )
        if selection is None:
            assessment.state = Assessment.State.COMPLETED
            assessment.current_challenge_id = ""
            assessment.save(update_fields=["state", "current_challenge_id", "updated_at"])
            return None
        assessment.current_challenge_id = selection.challenge.id
        assessment.save(update_fields=["current_challenge_id", "updated_at"])
        return selection.challenge


def submit_answer(
    *, assessment: Assessment, challenge_id: str, value: str, timeout: int | None = None
) -> tuple[Answer, AnswerResult]:
    """Mark and store the answer to the current challenge, with the knowledge it brings.

    A second answer to a challenge, or an answer to a challenge that is not the current one,
    is refused (409) and changes nothing.
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        if assessment.answers.filter(challenge_id=challenge_id).exists():
            raise AssessmentError(
                "Cette épreuve a déjà reçu une réponse.", code="ALREADY_ANSWERED", status=409
            )
        if not challenge_id or challenge_id != assessment.current_challenge_id:
            raise AssessmentError(
                "Cette épreuve n'est pas celle en cours : demandez l'épreuve suivante.",
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
        history = selectors.knowledge_of(assessment.user)
        created = knowledge_for_answer(
            skill=content.get("skills", challenge.skill_id),
            result=evaluation.result,
            target_skills=content.skills_of(assessment.competence_id),
            known=latest_by_skill(history),
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
