"""Scoring: pix values, pix and level per competence, the level cap, certifiability."""

import pytest

from octets.engine.content import ChallengeStatus, SkillStatus
from octets.engine.knowledge import KnowledgeElement, KnowledgeSource, KnowledgeStatus
from octets.engine.scoring import (
    CompetenceScore,
    is_certifiable,
    score_competence,
    score_profile,
    skill_pix_values,
)
from tests.engine.builders import make_challenge, make_content, make_skill


def test_pix_value_is_eight_shared_by_the_active_skills_of_a_competence_level():
    skills, _ = make_content({"a": [1, 2], "b": [2], "c": [2]})
    skills.append(make_skill("d", 2, status=SkillStatus.ARCHIVED))
    skills.append(make_skill("e", 2, competence_id="other"))
    values = skill_pix_values(skills)
    assert values["a1"] == 8
    assert values["a2"] == values["b2"] == values["c2"] == pytest.approx(8 / 3)
    assert "d2" not in values  # archived: worth nothing, does not dilute
    assert values["e2"] == 8  # other competence
    assert skill_pix_values(skills, max_per_skill=4)["a1"] == 4


def test_pix_values_can_require_a_validated_challenge():
    skills, challenges = make_content({"a": [1], "b": [1]})
    challenges = [c for c in challenges if c.skill_id == "a1"]
    challenges.append(make_challenge(skills[1], 9, status=ChallengeStatus.PROPOSED))
    assert skill_pix_values(skills, challenges=challenges) == {"a1": 8}


def validated(skill_id, pix, competence="comp"):
    return KnowledgeElement(
        skill_id=skill_id,
        status=KnowledgeStatus.VALIDATED,
        source=KnowledgeSource.DIRECT,
        earned_pix=pix,
        order=0,
        competence_id=competence,
    )


def test_level_is_floor_of_pix_over_eight_and_thirds_add_up():
    kes = [validated(f"s{i}", 8 / 3) for i in range(3)]
    score = score_competence("comp", kes)
    assert (score.pix, score.level) == (8, 1)
    kes += [validated("x", 7.5)]
    score = score_competence("comp", kes)
    assert (score.pix, score.level, score.pix_ahead_for_next_level) == (15, 1, 7)


def test_invalidated_and_other_competences_do_not_count():
    invalid = KnowledgeElement(
        "z", KnowledgeStatus.INVALIDATED, KnowledgeSource.DIRECT, 0.0, 1, "comp"
    )
    score = score_competence("comp", [invalid, validated("y", 8, "other")])
    assert (score.pix, score.level) == (0, 0)


def test_level_and_pix_are_capped_by_the_max_reachable_level():
    kes = [validated(f"s{i}", 8) for i in range(8)]  # 64 pix
    assert score_competence("comp", kes) == CompetenceScore("comp", 64, 48, 6)
    assert score_competence("comp", kes, max_level=5).level == 5
    assert score_competence("comp", kes, allow_excess=True) == CompetenceScore("comp", 64, 64, 8)


def test_total_pix_and_certifiability():
    competences = [f"c{i}" for i in range(16)]
    kes = [validated(f"s{i}", 8, f"c{i}") for i in range(4)]
    profile = score_profile(competences, kes)
    assert profile.total_pix == 32
    assert not profile.is_certifiable
    profile = score_profile(competences, [*kes, validated("s4", 9, "c4")])
    assert profile.total_pix == 41
    assert profile.is_certifiable
    assert profile.for_competence("c4").level == 1
    assert not is_certifiable([CompetenceScore("c", 7.9, 7, 0)] * 16)
