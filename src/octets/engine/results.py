"""Campaign results, computed from a target profile and a learner's knowledge (pure).

A target profile caps tubes at a level: its skills are the tube's skills up to that level. From the
learner's current knowledge (latest element per skill) this module derives what teachers and
pupils see at the end of a campaign: mastery percentage and rate, progression, the stage reached,
the badges obtained, and per-competence and per-tube results with a recommendation score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import floor

from octets.engine.content import Skill
from octets.engine.knowledge import KnowledgeElement

SCOPE_PARTICIPATION = "campaign_participation"
SCOPE_CAPPED_TUBES = "capped_tubes"


def round_half_up(value: float) -> int:
    """Round .5 up (as teachers and spreadsheets expect), not to even."""
    return floor(value + 0.5)


def target_skills(skills: Iterable[Skill], capped_tubes: Mapping[str, int]) -> tuple[Skill, ...]:
    """The active skills of the capped tubes up to each tube's cap, sorted by id."""
    return tuple(
        sorted(
            (
                skill
                for skill in skills
                if skill.is_active
                and skill.tube_id in capped_tubes
                and skill.level <= capped_tubes[skill.tube_id]
            ),
            key=lambda skill: skill.id,
        )
    )


def validated_ids(skills: Iterable[Skill], known: Mapping[str, KnowledgeElement]) -> set[str]:
    return {skill.id for skill in skills if (ke := known.get(skill.id)) and ke.is_validated}


def mastery_percentage(validated: int, total: int) -> int:
    """Whole percentage of validated skills (0 when there is nothing to master)."""
    if total <= 0:
        return 0
    return round_half_up(100 * validated / total)


def mastery_rate(validated: int, total: int) -> float:
    """Share of validated skills, 0..1, two decimals."""
    if total <= 0:
        return 0.0
    return round_half_up(100 * validated / total) / 100


def progression(skills: Sequence[Skill], known: Mapping[str, KnowledgeElement]) -> int:
    """Percentage of the target skills already tested (validated or not)."""
    if not skills:
        return 100
    tested = sum(1 for skill in skills if skill.id in known)
    return round_half_up(100 * tested / len(skills))


@dataclass(frozen=True)
class StageRule:
    """A stage of a target profile: a threshold in %, a level, or "first skill validated"."""

    id: int | str
    threshold: int | None = None
    level: int | None = None
    is_first_skill: bool = False


def stage_thresholds(stages: Sequence[StageRule], skills: Sequence[Skill]) -> dict:
    """Each stage's threshold in %; a level stage becomes the share of target skills at or below
    that level. First-skill stages have no threshold (None)."""
    total = len(skills)
    thresholds = {}
    for stage in stages:
        if stage.is_first_skill:
            thresholds[stage.id] = None
        elif stage.level is not None:
            below = sum(1 for skill in skills if skill.level <= stage.level)
            thresholds[stage.id] = 0 if stage.level == 0 else mastery_percentage(below, total)
        else:
            thresholds[stage.id] = stage.threshold or 0
    return thresholds


def reached_stages(
    stages: Sequence[StageRule], skills: Sequence[Skill], *, percentage: int, validated: int
) -> list[StageRule]:
    """The stages acquired, in ascending order (the zero stage always, first-skill ones when a
    skill is validated, the others when their threshold ≤ the mastery percentage)."""
    thresholds = stage_thresholds(stages, skills)

    def order(stage: StageRule) -> tuple[int, int]:
        value = thresholds[stage.id]
        # a first-skill stage sits just above the zero stage
        return (0, 1) if value is None else (value, 0 if value == 0 else 2)

    acquired = []
    for stage in sorted(stages, key=order):
        value = thresholds[stage.id]
        if value is None:
            if validated > 0:
                acquired.append(stage)
        elif value == 0 or value <= percentage:
            acquired.append(stage)
    return acquired


@dataclass(frozen=True)
class CriterionRule:
    scope: str  # SCOPE_PARTICIPATION or SCOPE_CAPPED_TUBES
    threshold: int
    capped_tubes: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class BadgeRule:
    id: int | str
    criteria: tuple[CriterionRule, ...]


def criterion_percentage(
    criterion: CriterionRule, skills: Sequence[Skill], known: Mapping[str, KnowledgeElement]
) -> int:
    """How far the criterion is fulfilled, 0..100 (100 = mastery ≥ threshold)."""
    if criterion.scope == SCOPE_CAPPED_TUBES:
        scope = target_skills(skills, dict(criterion.capped_tubes))
    else:
        scope = tuple(skills)
    percentage = mastery_percentage(len(validated_ids(scope, known)), len(scope))
    if criterion.threshold <= 0:
        return 100
    return min(100, round_half_up(percentage * 100 / criterion.threshold))


def badge_obtained(
    badge: BadgeRule, skills: Sequence[Skill], known: Mapping[str, KnowledgeElement]
) -> bool:
    """A badge is obtained when every one of its criteria is fulfilled."""
    return bool(badge.criteria) and all(
        criterion_percentage(criterion, skills, known) == 100 for criterion in badge.criteria
    )


@dataclass(frozen=True)
class GroupResult:
    """Results over a group of target skills (a competence, an area)."""

    id: str
    total: int
    validated: int
    tested: int

    @property
    def percentage(self) -> int:
        return mastery_percentage(self.validated, self.total)


def results_by(
    key, skills: Sequence[Skill], known: Mapping[str, KnowledgeElement]
) -> dict[str, GroupResult]:
    """Target skills grouped by ``key(skill)`` (e.g. the competence id), in first-seen order."""
    groups: dict[str, list[Skill]] = {}
    for skill in skills:
        groups.setdefault(key(skill), []).append(skill)
    return {
        group: GroupResult(
            id=group,
            total=len(members),
            validated=len(validated_ids(members, known)),
            tested=sum(1 for skill in members if skill.id in known),
        )
        for group, members in groups.items()
    }


@dataclass(frozen=True)
class TubeResult:
    tube_id: str
    competence_id: str
    max_level: int  # the highest level of the tube's target skills
    reached_level: int  # the highest validated level (0: none)
    total: int
    validated: int

    @property
    def next_level(self) -> int:
        return self.max_level if self.reached_level >= self.max_level else self.reached_level + 1


def tube_results(
    skills: Sequence[Skill], known: Mapping[str, KnowledgeElement]
) -> dict[str, TubeResult]:
    """Per tube of the target: its level reached and its share of validated skills."""
    by_tube: dict[str, list[Skill]] = {}
    for skill in skills:
        by_tube.setdefault(skill.tube_id, []).append(skill)
    results = {}
    for tube_id, members in by_tube.items():
        validated = [skill for skill in members if skill.id in validated_ids(members, known)]
        results[tube_id] = TubeResult(
            tube_id=tube_id,
            competence_id=members[0].competence_id,
            max_level=max(skill.level for skill in members),
            reached_level=max((skill.level for skill in validated), default=0),
            total=len(members),
            validated=len(validated),
        )
    return results


def recommendation_score(
    *,
    reached_level: float,
    tube_max_level: int,
    profile_max_level: int,
    validated: float,
    total: int,
    next_level: float,
) -> float:
    """How much a tube is worth working on, 0..100 (higher: more recommended).

    40 points for the level reached in the tube, 30 for the tube's difficulty within the profile,
    20 for the share already validated, 10 for the closeness of the next step (only once
    something is validated).
    """
    if tube_max_level <= 0 or profile_max_level <= 0 or total <= 0:
        return 0.0
    score = 40 * reached_level / tube_max_level
    score += 30 * tube_max_level / profile_max_level
    score += 20 * validated / total
    if validated > 0 and next_level > 0:
        score += 10 * reached_level / next_level
    return score


def recommendation_label(score: float) -> str:
    """Four bands for teachers: "strongly", "very", "recommended", "fairly"."""
    if score >= 75:
        return "strongly"
    if score >= 50:
        return "very"
    if score >= 25:
        return "recommended"
    return "fairly"
