"""Scoring: pix values of skills, pix and level per competence, total pix, certifiability.

This module owns the numbers a learner sees on the profile. Each (competence, level) is worth
8 pix, shared equally by the active skills of that competence and level; a competence's pix is
the sum of the pix frozen on its validated KEs; its level is ``floor(pix / 8)``, capped by the
maximum reachable level (a setting, default 6), and the shown pix is capped the same way.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from octets.engine.content import Challenge, ChallengeStatus, Skill
from octets.engine.knowledge import KnowledgeElement

PIX_PER_LEVEL = 8
DEFAULT_MAX_REACHABLE_LEVEL = 6
COMPETENCES_FOR_CERTIFICATION = 5
MIN_LEVEL_FOR_CERTIFICATION = 1
_ROUNDING = 9  # sums of 8/3 must not fall a hair under 8


def skill_pix_values(
    skills: Iterable[Skill],
    *,
    challenges: Iterable[Challenge] | None = None,
    max_per_skill: float | None = None,
) -> dict[str, float]:
    """Pix value of every active skill: 8 ÷ (active skills of the same competence and level).

    With ``challenges``, only skills having at least one validé challenge count (and get a
    value), as in Pix's editor. ``max_per_skill`` optionally caps a value (Pix's editor caps
    at 4); by default there is no cap. Inactive skills are worth 0 and are left out.
    """
    active = [skill for skill in skills if skill.is_active]
    if challenges is not None:
        playable = {c.skill_id for c in challenges if c.status is ChallengeStatus.VALIDATED}
        active = [skill for skill in active if skill.id in playable]
    per_level = Counter((skill.competence_id, skill.level) for skill in active)
    values: dict[str, float] = {}
    for skill in active:
        value = PIX_PER_LEVEL / per_level[(skill.competence_id, skill.level)]
        values[skill.id] = min(value, max_per_skill) if max_per_skill is not None else value
    return values


@dataclass(frozen=True, slots=True)
class CompetenceScore:
    competence_id: str
    real_pix: float  # uncapped sum of earned pix
    pix: int  # floor(real_pix), capped at max level × 8 unless excess is allowed
    level: int

    @property
    def pix_ahead_for_next_level(self) -> int:
        return self.pix % PIX_PER_LEVEL


def score_competence(
    competence_id: str,
    knowledge: Iterable[KnowledgeElement],
    *,
    max_level: int = DEFAULT_MAX_REACHABLE_LEVEL,
    allow_excess: bool = False,
) -> CompetenceScore:
    """Score one competence from the current state (``latest_by_skill`` values)."""
    real_pix = round(
        sum(
            ke.earned_pix
            for ke in knowledge
            if ke.competence_id == competence_id and ke.is_validated
        ),
        _ROUNDING,
    )
    pix = math.floor(real_pix)
    level = math.floor(real_pix / PIX_PER_LEVEL)
    if not allow_excess:
        pix = min(pix, max_level * PIX_PER_LEVEL)
        level = min(level, max_level)
    return CompetenceScore(competence_id, real_pix, pix, level)


@dataclass(frozen=True, slots=True)
class ProfileScore:
    competences: tuple[CompetenceScore, ...]

    @property
    def total_pix(self) -> int:
        return sum(score.pix for score in self.competences)

    @property
    def is_certifiable(self) -> bool:
        return is_certifiable(self.competences)

    def for_competence(self, competence_id: str) -> CompetenceScore:
        return next(s for s in self.competences if s.competence_id == competence_id)


def score_profile(
    competence_ids: Sequence[str],
    knowledge: Iterable[KnowledgeElement],
    *,
    max_level: int = DEFAULT_MAX_REACHABLE_LEVEL,
    allow_excess: bool = False,
) -> ProfileScore:
    """Score every competence of the profile (in the given order)."""
    by_competence: dict[str, list[KnowledgeElement]] = {cid: [] for cid in competence_ids}
    for ke in knowledge:
        if ke.competence_id in by_competence:
            by_competence[ke.competence_id].append(ke)
    return ProfileScore(
        tuple(
            score_competence(cid, kes, max_level=max_level, allow_excess=allow_excess)
            for cid, kes in by_competence.items()
        )
    )


def is_certifiable(
    scores: Iterable[CompetenceScore],
    *,
    competences_needed: int = COMPETENCES_FOR_CERTIFICATION,
) -> bool:
    """Certifiable = level 1 or more in at least 5 competences."""
    reached = sum(1 for score in scores if score.level >= MIN_LEVEL_FOR_CERTIFICATION)
    return reached >= competences_needed
