"""Synthetic learning content and an assessment loop for the engine tests (no database)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from octets.engine.answers import AnswerResult
from octets.engine.content import Challenge, ChallengeType, Skill
from octets.engine.knowledge import KnowledgeElement, knowledge_for_answer, latest_by_skill
from octets.engine.scoring import skill_pix_values
from octets.engine.selection import Catalog, Selection, build_catalog, next_challenge

COMPETENCE = "rec_comp_1_1"


def make_skill(tube: str, level: int, competence_id: str = COMPETENCE, **kwargs) -> Skill:
    return Skill(
        id=f"{tube}{level}",
        name=f"@{tube}{level}",
        tube_id=tube,
        competence_id=competence_id,
        level=level,
        **kwargs,
    )


def make_challenge(skill: Skill, number: int = 1, **kwargs) -> Challenge:
    kwargs.setdefault("type", ChallengeType.QCU)
    kwargs.setdefault("solution", "1")
    kwargs.setdefault("proposals", "- oui\n- non")
    return Challenge(id=f"ch_{skill.id}_{number}", skill_id=skill.id, **kwargs)


def make_content(
    tubes: Mapping[str, Iterable[int]],
    *,
    challenges_per_skill: int = 2,
    competence_id: str = COMPETENCE,
) -> tuple[list[Skill], list[Challenge]]:
    """Skills ``{tube: levels}`` each with ``challenges_per_skill`` validated French QCU."""
    skills = [
        make_skill(tube, level, competence_id) for tube, levels in tubes.items() for level in levels
    ]
    challenges = [
        make_challenge(skill, n) for skill in skills for n in range(1, challenges_per_skill + 1)
    ]
    return skills, challenges


FULL_COMPETENCE = {"web": range(1, 7), "mail": range(1, 6), "doc": range(2, 7), "easy": range(1, 4)}


def run_assessment(
    skills: list[Skill],
    challenges: list[Challenge],
    answer: Callable[[Selection], AnswerResult],
    *,
    seed: int | str = 0,
    locale: str = "fr-fr",
    knowledge: Iterable[KnowledgeElement] = (),
    catalog: Catalog | None = None,
    max_steps: int = 500,
) -> tuple[list[KnowledgeElement], list[Selection]]:
    """Play a whole assessment; returns all KEs (history) and the selections served."""
    catalog = catalog or build_catalog(skills, challenges)
    pix_values = skill_pix_values(skills)
    history = list(knowledge)
    answered: list[str] = []
    served: list[Selection] = []
    last_timed = False
    for _ in range(max_steps):
        selection = next_challenge(
            catalog,
            knowledge=history,
            answered_challenge_ids=answered,
            last_answer_timed=last_timed,
            locale=locale,
            seed=seed,
        )
        if selection is None:
            return history, served
        served.append(selection)
        answered.append(selection.challenge.id)
        last_timed = selection.challenge.is_timed
        history.extend(
            knowledge_for_answer(
                skill=selection.skill,
                result=answer(selection),
                target_skills=catalog.skills,
                known=latest_by_skill(history),
                pix_values=pix_values,
                next_order=len(history),
            )
        )
    raise AssertionError(f"assessment did not finish in {max_steps} steps")


def learner_of_level(level: int) -> Callable[[Selection], AnswerResult]:
    """Right iff the skill's level is at most ``level``."""
    return lambda s: AnswerResult.OK if s.skill.level <= level else AnswerResult.KO


__all__ = [
    "COMPETENCE",
    "FULL_COMPETENCE",
    "learner_of_level",
    "make_challenge",
    "make_content",
    "make_skill",
    "run_assessment",
]
