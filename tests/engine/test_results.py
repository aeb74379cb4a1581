"""Campaign results maths (pure): mastery, stages, badges, tubes, recommendation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from octets.engine.knowledge import KnowledgeElement, KnowledgeSource, KnowledgeStatus
from octets.engine.results import (
    SCOPE_CAPPED_TUBES,
    SCOPE_PARTICIPATION,
    BadgeRule,
    CriterionRule,
    StageRule,
    badge_obtained,
    criterion_percentage,
    mastery_percentage,
    mastery_rate,
    progression,
    reached_stages,
    recommendation_label,
    recommendation_score,
    round_half_up,
    stage_thresholds,
    target_skills,
    tube_results,
)
from tests.engine.builders import make_skill

SKILLS = [make_skill(tube, level) for tube in ("web", "mail", "doc") for level in range(1, 7)]


def known_from(statuses: dict[str, bool]) -> dict[str, KnowledgeElement]:
    return {
        skill_id: KnowledgeElement(
            skill_id=skill_id,
            status=KnowledgeStatus.VALIDATED if ok else KnowledgeStatus.INVALIDATED,
            source=KnowledgeSource.DIRECT,
            earned_pix=1.0,
            order=n,
        )
        for n, (skill_id, ok) in enumerate(statuses.items())
    }


knowledge = st.dictionaries(st.sampled_from([s.id for s in SKILLS]), st.booleans()).map(known_from)
caps = st.dictionaries(st.sampled_from(["web", "mail", "doc"]), st.integers(1, 6), min_size=1)


def test_examples():
    assert round_half_up(2.5) == 3 and round_half_up(0.5) == 1
    assert mastery_percentage(1, 3) == 33 and mastery_percentage(2, 3) == 67
    assert mastery_percentage(0, 0) == 0
    assert mastery_rate(1, 8) == 0.13
    capped = target_skills(SKILLS, {"web": 2, "doc": 1})
    assert [s.id for s in capped] == ["doc1", "web1", "web2"]


@given(caps)
def test_target_skills_respect_the_caps(capped):
    chosen = target_skills(SKILLS, capped)
    assert all(s.tube_id in capped and s.level <= capped[s.tube_id] for s in chosen)
    assert len(chosen) == sum(capped.values())


@given(st.integers(0, 500), st.integers(0, 500))
def test_mastery_is_a_percentage_monotonic_in_validated(validated, extra):
    total = validated + extra
    value = mastery_percentage(validated, total)
    assert 0 <= value <= 100
    if total:
        assert mastery_percentage(min(total, validated + 1), total) >= value
        assert (value == 100) == (validated == total) or extra * 200 < total


@given(caps, knowledge)
def test_progression_and_tubes_are_consistent(capped, known):
    skills = target_skills(SKILLS, capped)
    assert 0 <= progression(skills, known) <= 100
    for result in tube_results(skills, known).values():
        assert 0 <= result.reached_level <= result.max_level == capped[result.tube_id]
        assert 0 <= result.validated <= result.total
        assert result.reached_level <= result.next_level <= result.max_level or (
            result.reached_level == result.max_level
        )


STAGES = [
    StageRule(id="zero", threshold=0),
    StageRule(id="first", is_first_skill=True),
    StageRule(id="half", threshold=50),
    StageRule(id="all", threshold=100),
]


@given(st.integers(0, 100), st.integers(0, 18))
def test_the_zero_stage_is_always_reached_and_stages_grow_with_mastery(percentage, validated):
    reached = reached_stages(STAGES, SKILLS, percentage=percentage, validated=validated)
    assert reached[0].id == "zero"
    assert ("first" in {s.id for s in reached}) == (validated > 0)
    more = reached_stages(STAGES, SKILLS, percentage=min(100, percentage + 10), validated=validated)
    assert len(more) >= len(reached)


def test_level_stages_become_thresholds():
    rules = [StageRule(id=level, level=level) for level in (0, 1, 3, 6)]
    thresholds = stage_thresholds(rules, SKILLS)
    assert thresholds == {0: 0, 1: 17, 3: 50, 6: 100}


@given(knowledge, st.integers(1, 100), st.integers(1, 100))
def test_a_badge_needs_every_criterion(known, threshold_all, threshold_web):
    whole = CriterionRule(SCOPE_PARTICIPATION, threshold_all)
    web = CriterionRule(SCOPE_CAPPED_TUBES, threshold_web, (("web", 3),))
    badge = BadgeRule(id="b", criteria=(whole, web))
    for criterion in (whole, web):
        assert 0 <= criterion_percentage(criterion, SKILLS, known) <= 100
    expected = all(criterion_percentage(c, SKILLS, known) == 100 for c in (whole, web))
    assert badge_obtained(badge, SKILLS, known) is expected
    web_validated = sum(
        1
        for level in (1, 2, 3)
        if known.get(f"web{level}", None) and known[f"web{level}"].is_validated
    )
    if mastery_percentage(web_validated, 3) < threshold_web:
        assert not badge_obtained(badge, SKILLS, known)


def test_a_badge_without_criteria_is_never_obtained():
    assert not badge_obtained(BadgeRule(id="x", criteria=()), SKILLS, {})


@given(
    st.floats(0, 6),
    st.integers(1, 6),
    st.integers(1, 6),
    st.floats(0, 6),
    st.integers(1, 6),
)
def test_recommendation_score_is_bounded(reached, tube_max, profile_max, validated, total):
    tube_max = min(tube_max, profile_max)
    reached = min(reached, tube_max)
    validated = min(validated, total)
    next_level = min(tube_max, int(reached) + 1)
    score = recommendation_score(
        reached_level=reached,
        tube_max_level=tube_max,
        profile_max_level=profile_max,
        validated=validated,
        total=total,
        next_level=next_level,
    )
    assert 0 <= score <= 100 + 1e-9
    assert recommendation_label(score) in {"strongly", "very", "recommended", "fairly"}
