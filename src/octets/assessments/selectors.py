"""Reads on assessments: an assessment of its owner, the engine's inputs, the profile."""

from __future__ import annotations

from django.http import Http404

from octets.assessments.models import Assessment
from octets.assessments.models import KnowledgeElement as KnowledgeRow
from octets.content.release import LearningContent
from octets.content.selectors import current_content, release_content
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    latest_by_skill,
)
from octets.engine.scoring import DEFAULT_MAX_REACHABLE_LEVEL, PIX_PER_LEVEL, score_profile
from octets.engine.selection import Catalog, build_catalog


def assessment_of(user, assessment_id: int) -> Assessment:
    """The user's own assessment; anyone else's is reported as missing (404)."""
    assessment = Assessment.objects.filter(pk=assessment_id, user=user).first()
    if assessment is None:
        raise Http404("Évaluation introuvable.")
    return assessment


def content_of(assessment: Assessment) -> LearningContent:
    """The release the assessment started with (its challenges stay answerable)."""
    return release_content(assessment.content_release_id)


def catalog_of(assessment: Assessment, content: LearningContent) -> Catalog:
    return build_catalog(
        content.skills_of(assessment.competence_id),
        content.challenges_of(assessment.competence_id),
    )


def knowledge_of(user) -> list[KnowledgeElement]:
    """Every knowledge element of the user, in every assessment, as engine records (the row id
    is the history order)."""
    rows = KnowledgeRow.objects.filter(user=user).order_by("pk")
    return [
        KnowledgeElement(
            skill_id=row.skill_id,
            status=KnowledgeStatus(row.status),
            source=KnowledgeSource(row.source),
            earned_pix=row.earned_pix,
            order=row.pk,
            competence_id=row.competence_id,
            created_at=row.created_at,
            answer_id=str(row.answer_id) if row.answer_id else None,
        )
        for row in rows
    ]


def profile(user) -> dict:
    """Pix and level for every competence of the current release, the total, certifiability."""
    content = current_content()
    areas = {area.id: area for area in content.areas}
    competences = sorted(
        content.competences,
        key=lambda c: [int(p) if p.isdigit() else 0 for p in c.index.split(".")],
    )
    score = score_profile([c.id for c in competences], latest_by_skill(knowledge_of(user)).values())
    rows = []
    for competence in competences:
        competence_score = score.for_competence(competence.id)
        area = areas.get(competence.area_id)
        at_max = competence_score.level >= DEFAULT_MAX_REACHABLE_LEVEL
        rows.append(
            {
                "id": competence.id,
                "index": competence.index,
                "name": competence.name,
                "area_code": area.code if area else "",
                "area_name": area.name if area else "",
                "pix": competence_score.pix,
                "level": competence_score.level,
                "pix_to_next_level": 0
                if at_max
                else PIX_PER_LEVEL - competence_score.pix_ahead_for_next_level,
            }
        )
    return {
        "competences": rows,
        "total_pix": score.total_pix,
        "is_certifiable": score.is_certifiable,
    }
