"""Knowledge elements: what the engine believes a learner knows, skill by skill.

This module owns the knowledge element (KE) record, the rule that turns one answer into KEs
(a direct KE on the challenge's skill, then inference inside the same tube: a right answer
validates the easier skills, a wrong one invalidates the harder ones), the "latest KE per
skill" view that every read goes through, the competence reset, and the time rules around
them (reset after 7 days, improving re-opens failed skills after 4 days).

KEs are append-only: nothing here modifies a KE; new facts are new KEs with a higher ``order``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from octets.engine.answers import AnswerResult
from octets.engine.content import Skill

RESET_DELAY_DAYS = 7
IMPROVE_DELAY_DAYS = 4


class KnowledgeStatus(StrEnum):
    VALIDATED = "validated"
    INVALIDATED = "invalidated"
    RESET = "reset"


class KnowledgeSource(StrEnum):
    DIRECT = "direct"
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class KnowledgeElement:
    """One fact about one skill. ``order`` is the learner's history position (later = larger)."""

    skill_id: str
    status: KnowledgeStatus
    source: KnowledgeSource
    earned_pix: float
    order: int
    competence_id: str = ""
    created_at: datetime | None = None
    answer_id: str | None = None

    @property
    def is_validated(self) -> bool:
        return self.status is KnowledgeStatus.VALIDATED


def latest_by_skill(knowledge: Iterable[KnowledgeElement]) -> dict[str, KnowledgeElement]:
    """The current state: the latest KE of each skill, leaving out skills whose latest KE is a reset."""
    latest: dict[str, KnowledgeElement] = {}
    for ke in knowledge:
        current = latest.get(ke.skill_id)
        if current is None or ke.order > current.order:
            latest[ke.skill_id] = ke
    return {
        skill_id: ke for skill_id, ke in latest.items() if ke.status is not KnowledgeStatus.RESET
    }


def knowledge_for_answer(
    *,
    skill: Skill,
    result: AnswerResult,
    target_skills: Sequence[Skill],
    known: Mapping[str, KnowledgeElement],
    pix_values: Mapping[str, float],
    next_order: int,
    created_at: datetime | None = None,
    answer_id: str | None = None,
) -> tuple[KnowledgeElement, ...]:
    """The new KEs for one answer to a challenge of ``skill``.

    ``known`` is the current state (``latest_by_skill``) restricted to whatever the assessment
    considers already assessed. Nothing is created when ``skill`` is not a target skill or is
    already known. Otherwise: a direct KE for ``skill``, then an inferred KE for every unknown
    target skill of the same tube that is strictly easier (right answer → validated) or strictly
    harder (any other result → invalidated). No existing KE is ever overridden. Validated KEs
    earn the skill's pix value, frozen now.
    """
    target_ids = {target.id for target in target_skills}
    if skill.id not in target_ids or skill.id in known:
        return ()
    validated = result is AnswerResult.OK
    status = KnowledgeStatus.VALIDATED if validated else KnowledgeStatus.INVALIDATED

    def make(target: Skill, source: KnowledgeSource, order: int) -> KnowledgeElement:
        return KnowledgeElement(
            skill_id=target.id,
            status=status,
            source=source,
            earned_pix=pix_values.get(target.id, 0.0) if validated else 0.0,
            order=order,
            competence_id=target.competence_id,
            created_at=created_at,
            answer_id=answer_id,
        )

    created = [make(skill, KnowledgeSource.DIRECT, next_order)]
    same_tube = sorted(
        (
            target
            for target in target_skills
            if target.tube_id == skill.tube_id and target.id != skill.id and target.id not in known
        ),
        key=lambda target: (target.level, target.id),
    )
    for target in same_tube:
        if (validated and target.level < skill.level) or (
            not validated and target.level > skill.level
        ):
            created.append(make(target, KnowledgeSource.INFERRED, next_order + len(created)))
    return tuple(created)


def reset_competence(
    knowledge: Iterable[KnowledgeElement],
    *,
    competence_skill_ids: Iterable[str],
    next_order: int,
    created_at: datetime | None = None,
) -> tuple[KnowledgeElement, ...]:
    """Reset KEs for every currently known skill of a competence (status reset, 0 pix)."""
    skill_ids = set(competence_skill_ids)
    current = latest_by_skill(knowledge)
    return tuple(
        replace(
            ke,
            status=KnowledgeStatus.RESET,
            earned_pix=0.0,
            order=next_order + index,
            created_at=created_at,
            answer_id=None,
        )
        for index, ke in enumerate(
            ke for skill_id, ke in sorted(current.items()) if skill_id in skill_ids
        )
    )


def days_before_reset(
    competence_knowledge: Iterable[KnowledgeElement],
    *,
    now: datetime,
    delay_days: int = RESET_DELAY_DAYS,
) -> int | None:
    """Whole days to wait before the competence can be reset: 0 when it can be now, None when
    there is nothing to reset (no dated KE)."""
    dates = [ke.created_at for ke in competence_knowledge if ke.created_at is not None]
    if not dates:
        return None
    elapsed_days = (now - max(dates)) / timedelta(days=1)
    return max(0, math.ceil(delay_days - elapsed_days))


def knowledge_for_improvement(
    knowledge: Iterable[KnowledgeElement],
    *,
    assessment_created_at: datetime,
    delay_days: int = IMPROVE_DELAY_DAYS,
) -> dict[str, KnowledgeElement]:
    """The state an improving assessment starts from: validated KEs, and failed ones younger
    than ``delay_days`` (older failures become testable again)."""
    limit = assessment_created_at - timedelta(days=delay_days)
    return {
        skill_id: ke
        for skill_id, ke in latest_by_skill(knowledge).items()
        if ke.is_validated or (ke.created_at is not None and ke.created_at > limit)
    }
