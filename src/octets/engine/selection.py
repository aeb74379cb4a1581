"""Next-challenge selection: Pix's "smart random" adaptive algorithm.

This module owns the choice of the next challenge in a competence evaluation or a campaign:
which target skills are still worth asking, the learner's predicted level, the expected
information ("reward") of each skill, the stop condition, and the deterministic pick of one
challenge. ``build_catalog`` indexes the content once; ``next_challenge`` is pure and returns
None when no skill carries information any more (the assessment is finished).

Rules (Pix §4.1): the first challenge is a level-2 skill of an "easy" tube (max level ≤ 3),
untimed if possible; afterwards the predicted level comes from the direct KEs only, skills
more than 2 levels above it are dropped, and the skills of maximal non-zero reward are the
candidates. A skill with any KE (direct or inferred) is never served.

Deviations from Pix, for uneven content: the too-difficult filter runs before the easy-tube
and timed preferences (in Pix a too-hard skill left in an easy tube ends the test early);
tubes are grouped by ``tube_id`` rather than by skill name; the challenge is drawn among the
skill's challenges in the locale or its language, preferring validé and then the exact locale.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from octets.engine.content import Challenge, ChallengeStatus, Skill, fallback_locales
from octets.engine.knowledge import KnowledgeElement, KnowledgeSource, latest_by_skill

DEFAULT_LEVEL_FOR_FIRST_CHALLENGE = 2
FIRST_CHALLENGE_ESTIMATED_LEVEL = 2.0
MAX_LEVEL_TO_BE_AN_EASY_TUBE = 3
MAX_DIFF_BETWEEN_USER_LEVEL_AND_SKILL_LEVEL = 2
CANDIDATE_LEVELS = tuple(step / 2 for step in range(1, 16))  # 0.5 … 7.5
DEFAULT_SKILL_DIFFICULTY = 2
#: Virtual observations that anchor the estimate: anyone solves level 0, nobody level 7.
ANCHOR_OBSERVATIONS = ((0, True), (7, False))
COMPETENCE_EVALUATION_STATUSES = frozenset({ChallengeStatus.VALIDATED})
CAMPAIGN_STATUSES = frozenset({ChallengeStatus.VALIDATED, ChallengeStatus.ARCHIVED})


@dataclass(frozen=True)
class Catalog:
    """Target skills and their servable challenges, indexed once (immutable by convention)."""

    skills: tuple[Skill, ...]  # sorted by id
    skills_by_id: Mapping[str, Skill]
    challenges_by_skill: Mapping[str, tuple[Challenge, ...]]  # sorted by id
    tubes: Mapping[str, tuple[Skill, ...]]  # tube id → skills having a challenge, by level
    tube_max_level: Mapping[str, int]


def build_catalog(
    target_skills: Iterable[Skill],
    challenges: Iterable[Challenge],
    *,
    statuses: Collection[ChallengeStatus] = COMPETENCE_EVALUATION_STATUSES,
) -> Catalog:
    """Index the target skills with the challenges that may be served (``statuses``: validé
    only for a competence evaluation, validé or archivé for a campaign)."""
    skills = tuple(
        sorted({skill.id: skill for skill in target_skills}.values(), key=lambda s: s.id)
    )
    skills_by_id = {skill.id: skill for skill in skills}
    by_skill: dict[str, list[Challenge]] = defaultdict(list)
    for challenge in challenges:
        if challenge.skill_id in skills_by_id and challenge.status in statuses:
            by_skill[challenge.skill_id].append(challenge)
    challenges_by_skill = {
        skill_id: tuple(sorted(items, key=lambda c: c.id)) for skill_id, items in by_skill.items()
    }
    tubes: dict[str, list[Skill]] = defaultdict(list)
    for skill in skills:
        if skill.id in challenges_by_skill:
            tubes[skill.tube_id].append(skill)
    sorted_tubes = {
        tube_id: tuple(sorted(items, key=lambda s: (s.level, s.id)))
        for tube_id, items in tubes.items()
    }
    return Catalog(
        skills=skills,
        skills_by_id=skills_by_id,
        challenges_by_skill=challenges_by_skill,
        tubes=sorted_tubes,
        tube_max_level={tube_id: items[-1].level for tube_id, items in sorted_tubes.items()},
    )


@dataclass(frozen=True, slots=True)
class Selection:
    challenge: Challenge
    skill: Skill
    estimated_level: float
    candidate_skill_ids: tuple[str, ...]


def success_probability(level: float, difficulty: float) -> float:
    """Logistic chance that a learner of ``level`` succeeds on a skill of ``difficulty``."""
    return 1 / (1 + math.exp(-(level - difficulty)))


# success_probability for every candidate level and every integer difficulty 0–8
_SUCCESS = {level: [success_probability(level, d) for d in range(9)] for level in CANDIDATE_LEVELS}


def predicted_level(observations: Iterable[tuple[int, bool]]) -> float:
    """The candidate level (0.5 … 7.5) where the summed residual (outcome − expected success)
    over the direct observations (difficulty, right?) plus two anchors is closest to 0; the
    lowest such level on ties."""
    per_difficulty = [0] * 9
    successes = 0
    for difficulty, right in (*observations, *ANCHOR_OBSERVATIONS):
        per_difficulty[difficulty] += 1
        successes += bool(right)
    used = [(d, count) for d, count in enumerate(per_difficulty) if count]
    best_level, best_score = CANDIDATE_LEVELS[0], -math.inf
    for level in CANDIDATE_LEVELS:
        expected = _SUCCESS[level]
        score = -abs(successes - sum(count * expected[d] for d, count in used))
        if score > best_score:
            best_level, best_score = level, score
    return best_level


def _keep_if_any(skills: list[Skill], kept: list[Skill]) -> list[Skill]:
    return kept if kept else skills


def _reward(skill: Skill, level: float, catalog: Catalog, known: Mapping[str, object]) -> float:
    easier_or_same = harder_or_same = 0
    for other in catalog.tubes[skill.tube_id]:
        if other.id in known:
            continue
        if other.level <= skill.level:
            easier_or_same += 1
        if other.level >= skill.level:
            harder_or_same += 1
    p = success_probability(level, skill.level)
    return p * easier_or_same + (1 - p) * harder_or_same


def candidate_skills(
    catalog: Catalog,
    *,
    known: Mapping[str, KnowledgeElement],
    playable: Mapping[str, Sequence[Challenge]],
    first: bool,
    last_answer_timed: bool = False,
) -> tuple[list[Skill], float]:
    """The skills the next challenge may measure, and the estimated level.

    ``known`` is the current state on target skills; ``playable`` maps each skill to its
    challenges still servable (not answered, right locale). Known skills and, after the first
    challenge, skills more than 2 levels above the predicted level are dropped with no
    fallback; the easy-tube and timed preferences then keep a subset only when it is not
    empty. An empty list means finished.
    """
    skills = [skill for skill in catalog.skills if playable.get(skill.id) and skill.id not in known]

    def timed(skill: Skill) -> bool:
        return playable[skill.id][0].is_timed

    def from_easy_tubes(skills: list[Skill]) -> list[Skill]:
        easy = [
            s for s in skills if catalog.tube_max_level[s.tube_id] <= MAX_LEVEL_TO_BE_AN_EASY_TUBE
        ]
        return _keep_if_any(skills, easy)

    if first:
        skills = from_easy_tubes(skills)
        skills = _keep_if_any(skills, [skill for skill in skills if not timed(skill)])
        at_default = [s for s in skills if s.level == DEFAULT_LEVEL_FOR_FIRST_CHALLENGE]
        if not at_default and skills:
            lowest = min(skill.level for skill in skills)
            at_default = [skill for skill in skills if skill.level == lowest]
        return at_default, FIRST_CHALLENGE_ESTIMATED_LEVEL

    level = predicted_level(
        (catalog.skills_by_id[ke.skill_id].level or DEFAULT_SKILL_DIFFICULTY, ke.is_validated)
        for ke in known.values()
        if ke.source is KnowledgeSource.DIRECT
    )
    # Deviation from Pix: the too-difficult filter runs before the easy-tube and timed
    # preferences, so a too-hard skill left in an easy tube cannot end the test early.
    skills = [s for s in skills if s.level - level <= MAX_DIFF_BETWEEN_USER_LEVEL_AND_SKILL_LEVEL]
    skills = from_easy_tubes(skills)
    if last_answer_timed:
        skills = _keep_if_any(skills, [skill for skill in skills if not timed(skill)])
    rewards = [(skill, _reward(skill, level, catalog, known)) for skill in skills]
    best = max((reward for _, reward in rewards), default=0.0)
    return [skill for skill, reward in rewards if reward == best and reward != 0], level


def next_challenge(
    catalog: Catalog,
    *,
    knowledge: Iterable[KnowledgeElement] = (),
    answered_challenge_ids: Collection[str] = (),
    last_answer_timed: bool = False,
    locale: str = "fr-fr",
    seed: int | str = 0,
) -> Selection | None:
    """The next challenge to serve, or None when the assessment is finished.

    - ``knowledge``: the learner's KEs (any history; the latest per skill is used), already
      filtered by the caller for improving/retrying.
    - ``answered_challenge_ids``: challenges answered in this assessment (the first challenge
      rules apply while it is empty).
    - ``last_answer_timed``: the last challenge had a timer (then avoid a timed one).
    - ``seed``: the same seed and state always give the same challenge (use the assessment id).
    """
    known = {
        skill_id: ke
        for skill_id, ke in latest_by_skill(knowledge).items()
        if skill_id in catalog.skills_by_id
    }
    answered = set(answered_challenge_ids)
    locales = fallback_locales(locale)
    playable: dict[str, list[Challenge]] = {}
    for skill_id, challenges in catalog.challenges_by_skill.items():
        if skill_id in known:
            continue  # a known skill is never served
        remaining = [c for c in challenges if c.id not in answered and c.in_locales(locales)]
        if remaining:
            playable[skill_id] = remaining
    candidates, level = candidate_skills(
        catalog,
        known=known,
        playable=playable,
        first=not answered,
        last_answer_timed=last_answer_timed,
    )
    if not candidates:
        return None
    rng = random.Random(seed)
    skill = candidates[rng.randrange(len(candidates))]
    options = playable[skill.id]
    options = [c for c in options if c.status is ChallengeStatus.VALIDATED] or options
    exact = locales[0]
    options = [c for c in options if exact in (own.lower() for own in c.locales)] or options
    challenge = options[rng.randrange(len(options))]
    return Selection(challenge, skill, level, tuple(skill.id for skill in candidates))
