"""Reads on assessments: an assessment of its owner, the engine's inputs, the profile."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from octets.assessments.models import Assessment
from octets.assessments.models import KnowledgeElement as KnowledgeRow
from octets.assessments.presentation import answer_text, challenge_view, solution_text
from octets.content.release import LearningContent, i18n
from octets.content.selectors import (
    current_content,
    release_content,
    release_content_with_checksum,
)
from octets.engine.answers import AnswerResult
from octets.engine.content import Challenge, Skill, Tutorial
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    knowledge_for_improvement,
    latest_by_skill,
)
from octets.engine.results import target_skills
from octets.engine.scoring import PIX_PER_LEVEL, score_profile
from octets.engine.selection import CAMPAIGN_STATUSES, Catalog, build_catalog


def assessment_of(user, assessment_id: int) -> Assessment:
    """The user's own assessment; anyone else's, or one of a deleted campaign participation,
    is reported as missing (404)."""
    assessment = (
        Assessment.objects.filter(pk=assessment_id, user=user)
        .exclude(campaign_participation__deleted_at__isnull=False)
        .exclude(campaign_participation__campaign__deleted_at__isnull=False)
        .first()
    )
    if assessment is None:
        raise Http404("Évaluation introuvable.")
    return assessment


def content_of(assessment: Assessment) -> LearningContent:
    """The release the assessment started with (its challenges stay answerable).

    No query when the assessment was read with its release (``select_related``, the release's
    JSON deferred): its checksum is then at hand.
    """
    if Assessment.content_release.is_cached(assessment):
        release = assessment.content_release
        return release_content_with_checksum(release.pk, release.checksum)
    return release_content(assessment.content_release_id)


# Engine catalogs per (release checksum, target): a release never changes in place, and a
# campaign's capped tubes are frozen when it is created.
_CATALOG_CACHE_SIZE = 64
_catalogs: dict[tuple[str, str], Catalog] = {}
_catalogs_lock = threading.Lock()


def campaign_tubes(assessment: Assessment) -> tuple[tuple[str, int], ...]:
    """The capped tubes of the assessment's campaign, frozen when the campaign was created (no
    query when the assessment was read with its participation and campaign)."""
    if Assessment.campaign_participation.is_cached(assessment):
        capped = assessment.campaign_participation.campaign.capped_tubes
    else:
        from octets.campaigns.models import Participation

        capped = (
            Participation.objects.filter(pk=assessment.campaign_participation_id)
            .values_list("campaign__capped_tubes", flat=True)
            .first()
        )
    return tuple(sorted((str(tube), int(level)) for tube, level in capped or ()))


def catalog_of(assessment: Assessment, content: LearningContent) -> Catalog:
    """The engine's index of what the assessment targets (its competence, or its campaign's
    capped tubes), built once per process and release."""
    if assessment.campaign_participation_id:
        tubes = campaign_tubes(assessment)
        key = (content.checksum, "campaign:" + ",".join(f"{t}={lvl}" for t, lvl in tubes))
    else:
        tubes = ()
        key = (content.checksum, assessment.competence_id)
    catalog = _catalogs.get(key)
    if catalog is None:
        if assessment.campaign_participation_id:
            catalog = build_catalog(
                target_skills(content.skills, dict(tubes)),
                content.challenges,
                statuses=CAMPAIGN_STATUSES,
            )
        else:
            catalog = build_catalog(
                content.skills_of(assessment.competence_id),
                content.challenges_of(assessment.competence_id),
            )
        with _catalogs_lock:
            while len(_catalogs) >= _CATALOG_CACHE_SIZE:
                _catalogs.pop(next(iter(_catalogs)))
            _catalogs[key] = catalog
    return catalog


_STATUSES = {status.value: status for status in KnowledgeStatus}
_SOURCES = {source.value: source for source in KnowledgeSource}


def knowledge_of(user, *, skill_ids: Iterable[str] | None = None) -> list[KnowledgeElement]:
    """Every knowledge element of the user (a user or its id), in every assessment, as engine
    records (the row id is the history order); only those of ``skill_ids`` when given."""
    rows = KnowledgeRow.objects.filter(user=user)
    if skill_ids is not None:
        rows = rows.filter(skill_id__in=list(skill_ids))
    return [
        KnowledgeElement(
            skill_id=skill_id,
            status=_STATUSES[status],
            source=_SOURCES[source],
            earned_pix=earned_pix,
            order=pk,
            competence_id=competence_id,
            created_at=created_at,
            answer_id=str(answer_id) if answer_id else None,
        )
        for pk, skill_id, status, source, earned_pix, competence_id, created_at, answer_id in (
            rows.order_by("pk").values_list(
                "pk",
                "skill_id",
                "status",
                "source",
                "earned_pix",
                "competence_id",
                "created_at",
                "answer_id",
            )
        )
    ]


def _competence_sort_key(competence) -> list[int]:
    return [int(part) if part.isdigit() else 0 for part in competence.index.split(".")]


@dataclass(frozen=True)
class Scorecard:
    """One competence of the learner's profile: score, state and what can be done next."""

    id: str
    index: str
    name: str
    description: str
    area_code: str
    area_name: str
    pix: int
    level: int
    pix_to_next_level: int
    progress_percent: int  # progress towards the next level, 0–100
    is_max_level: bool
    status: str  # "not_started" | "started" | "completed"
    assessment_id: int | None  # the running assessment, or the latest finished one
    days_before_reset: int | None  # None: nothing to reset
    days_before_improve: int | None  # None: nothing to improve

    @property
    def can_reset(self) -> bool:
        return self.days_before_reset == 0

    @property
    def can_improve(self) -> bool:
        return self.days_before_improve == 0


def _days_before(dates: list, *, now, delay_days: int) -> int | None:
    if not dates:
        return None
    elapsed_days = (now - max(dates)) / timedelta(days=1)
    return max(0, math.ceil(delay_days - elapsed_days))


@dataclass(frozen=True)
class Profile:
    competences: list[Scorecard]
    total_pix: int
    is_certifiable: bool

    def by_area(self) -> list[tuple[str, str, list[Scorecard]]]:
        """(area code, area name, its competences), in order."""
        groups: dict[str, tuple[str, str, list[Scorecard]]] = {}
        for card in self.competences:
            groups.setdefault(card.area_code, (card.area_code, card.area_name, []))[2].append(card)
        return list(groups.values())


def knowledge_seen_by(assessment: Assessment, history: list[KnowledgeElement]):
    """The learner's knowledge as this assessment sees it: everything, except that an
    improving session forgets the failures older than the improvement delay (4 days), and a
    campaign retry also forgets the failures made since its participation began."""
    if not assessment.is_improving and not assessment.is_retrying:
        return history
    kept = knowledge_for_improvement(
        history,
        assessment_created_at=assessment.created_at,
        delay_days=settings.OCTETS_IMPROVE_DELAY_DAYS if assessment.is_improving else 10**5,
    )
    if assessment.is_retrying:
        since = assessment.retry_since
        kept = {
            skill_id: ke
            for skill_id, ke in kept.items()
            if ke.is_validated or ke.created_at is None or ke.created_at < since
        }
    return list(kept.values())


def profile(user, *, now=None) -> Profile:
    """Every competence of the current release for this learner (index order), the total pix
    and whether the learner is certifiable.

    Three queries whatever the history: the current release, the learner's knowledge
    elements, the learner's assessments.
    """
    now = now or timezone.now()
    content = current_content()
    max_level = settings.OCTETS_MAX_REACHABLE_LEVEL
    areas = {area.id: area for area in content.areas}
    competences = sorted(content.competences, key=_competence_sort_key)
    current = latest_by_skill(knowledge_of(user)).values()
    score = score_profile([c.id for c in competences], current, max_level=max_level)
    by_competence: dict[str, list[KnowledgeElement]] = {}
    for ke in current:
        by_competence.setdefault(ke.competence_id, []).append(ke)
    running: dict[str, int] = {}
    finished: dict[str, int] = {}
    for assessment_id, competence_id, state in (
        Assessment.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("pk", "competence_id", "state")
    ):
        if state == Assessment.State.STARTED:
            running[competence_id] = assessment_id
        elif state == Assessment.State.COMPLETED:
            finished[competence_id] = assessment_id
    cards = []
    for competence in competences:
        competence_score = score.for_competence(competence.id)
        area = areas.get(competence.area_id)
        known = by_competence.get(competence.id, [])
        dates = [ke.created_at for ke in known if ke.created_at is not None]
        is_max = competence_score.level >= max_level
        ahead = competence_score.pix_ahead_for_next_level
        if competence.id in running:
            status = "started"
        elif known:
            status = "completed"
        else:
            status = "not_started"
        improvable = (
            status == "completed"
            and not is_max
            and any(ke.status is KnowledgeStatus.INVALIDATED for ke in known)
        )
        cards.append(
            Scorecard(
                id=competence.id,
                index=competence.index,
                name=competence.name,
                description=i18n(content.raw["competences"][competence.id].get("description_i18n")),
                area_code=area.code if area else "",
                area_name=area.name if area else "",
                pix=competence_score.pix,
                level=competence_score.level,
                pix_to_next_level=0 if is_max else PIX_PER_LEVEL - ahead,
                progress_percent=100 if is_max else round(ahead * 100 / PIX_PER_LEVEL),
                is_max_level=is_max,
                status=status,
                assessment_id=running.get(competence.id) or finished.get(competence.id),
                days_before_reset=_days_before(
                    dates, now=now, delay_days=settings.OCTETS_RESET_DELAY_DAYS
                ),
                days_before_improve=_days_before(
                    dates, now=now, delay_days=settings.OCTETS_IMPROVE_DELAY_DAYS
                )
                if improvable
                else None,
            )
        )
    return Profile(
        competences=cards, total_pix=score.total_pix, is_certifiable=score.is_certifiable
    )


def scorecard(user, competence_index: str) -> Scorecard | None:
    """The learner's scorecard of the competence with this index ("1.1"), or None."""
    return next(
        (card for card in profile(user).competences if card.index == competence_index), None
    )


@dataclass(frozen=True)
class ReviewedAnswer:
    """One answer of an assessment, read again: own answer, expected answer, explanation."""

    number: int
    challenge: Challenge
    result: str
    answer_lines: list[str]
    solution_lines: list[str]
    explanation: str  # the release's solutionToDisplay (Markdown)

    @property
    def is_ok(self) -> bool:
        return self.result == AnswerResult.OK.value

    @property
    def is_skipped(self) -> bool:
        return self.result == AnswerResult.ABAND.value


@dataclass(frozen=True)
class SkillToWork:
    """A skill failed in the assessment, with the tutorials that teach it."""

    skill: Skill
    tube_title: str
    hint: str
    tutorials: list[Tutorial]
    learning_more: list[Tutorial]


@dataclass(frozen=True)
class Results:
    assessment: Assessment
    card: Scorecard | None  # the competence now (None when the current release dropped it)
    competence_name: str
    answers: list[ReviewedAnswer]
    skills_to_work: list[SkillToWork]
    validated_skills: int


def results(assessment: Assessment) -> Results:
    """What a learner sees at the end of a training session."""
    content = content_of(assessment)
    answers = []
    for number, answer in enumerate(assessment.answers.order_by("created_at", "pk"), start=1):
        challenge = content.get("challenges", answer.challenge_id)
        if challenge is None:  # never happens: releases keep the challenges they were answered in
            continue
        view = challenge_view(challenge)
        answers.append(
            ReviewedAnswer(
                number=number,
                challenge=challenge,
                result=answer.result,
                answer_lines=answer_text(view, answer.value),
                solution_lines=solution_text(view),
                explanation=str(
                    content.raw["challenges"][challenge.id].get("solutionToDisplay") or ""
                ),
            )
        )
    direct = assessment.knowledge_elements.filter(source=KnowledgeSource.DIRECT.value)
    failed_ids = [row.skill_id for row in direct if row.status == KnowledgeStatus.INVALIDATED.value]
    validated = assessment.knowledge_elements.filter(status=KnowledgeStatus.VALIDATED.value).count()
    to_work = []
    for skill in sorted(
        (content.get("skills", skill_id) for skill_id in dict.fromkeys(failed_ids)),
        key=lambda skill: (skill.level, skill.name) if skill else (0, ""),
    ):
        if skill is None:
            continue
        tube = content.get("tubes", skill.tube_id)
        raw = content.raw["skills"].get(skill.id, {})
        to_work.append(
            SkillToWork(
                skill=skill,
                tube_title=(tube.title or tube.name) if tube else "",
                hint=i18n(raw.get("hint_i18n")) or str(raw.get("hint") or ""),
                tutorials=[
                    t for t in (content.get("tutorials", i) for i in skill.tutorial_ids) if t
                ],
                learning_more=[
                    t
                    for t in (content.get("tutorials", i) for i in skill.learning_more_tutorial_ids)
                    if t
                ],
            )
        )
    competence = content.get("competences", assessment.competence_id)
    card = None
    if competence is not None:
        card = scorecard(assessment.user, competence.index)
    return Results(
        assessment=assessment,
        card=card,
        competence_name=competence.name if competence else assessment.competence_id,
        answers=answers,
        skills_to_work=to_work,
        validated_skills=validated,
    )
