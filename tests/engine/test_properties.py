"""Property tests (hypothesis) required by issue 3."""

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octets.engine.answers import AnswerResult, apply_treatments, pre_treat, t1, t2
from octets.engine.content import ChallengeStatus, fallback_locales
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    knowledge_for_answer,
    latest_by_skill,
)
from octets.engine.scoring import score_competence, skill_pix_values
from octets.engine.selection import build_catalog, next_challenge
from tests.engine.builders import (
    COMPETENCE,
    learner_of_level,
    make_challenge,
    make_skill,
    run_assessment,
)

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def competences(draw, *, full=True, locales=False, statuses=False, timers=False):
    """Several tubes with gapped ladders; with ``full`` every level 1–6 has a skill."""
    tube_count = draw(st.integers(min_value=3, max_value=5))
    ladders = [
        set(draw(st.sets(st.integers(min_value=1, max_value=8), min_size=1, max_size=8)))
        for _ in range(tube_count)
    ]
    if full:
        for level in range(1, 7):
            if not any(level in ladder for ladder in ladders):
                ladders[draw(st.integers(0, tube_count - 1))].add(level)
    skills = [
        make_skill(f"t{index}_", level)
        for index, ladder in enumerate(ladders)
        for level in sorted(ladder)
    ]
    challenges = []
    for skill in skills:
        for number in range(1, draw(st.integers(min_value=1, max_value=3)) + 1):
            options = {}
            if locales:
                options["locales"] = draw(
                    st.sampled_from([("fr",), ("fr-fr",), ("en",), ("fr", "en")])
                )
            if statuses:
                options["status"] = draw(st.sampled_from(list(ChallengeStatus)))
            if timers and draw(st.booleans()):
                options["timer"] = 30
            challenges.append(make_challenge(skill, number, **options))
    return skills, challenges


results = st.sampled_from(list(AnswerResult))


@SLOW
@given(competences(full=False), st.lists(st.tuples(st.integers(0, 40), results), max_size=40))
def test_inference_never_contradicts_a_direct_answer(content, answers):
    skills, _ = content
    pix = skill_pix_values(skills)
    history: list[KnowledgeElement] = []
    given_results = {}
    for index, result in answers:
        skill = skills[index % len(skills)]
        new = knowledge_for_answer(
            skill=skill,
            result=result,
            target_skills=skills,
            known=latest_by_skill(history),
            pix_values=pix,
            next_order=len(history),
        )
        if new:
            given_results[skill.id] = result
        history.extend(new)
    # one KE per skill: nothing was ever overridden
    assert len({ke.skill_id for ke in history}) == len(history)
    by_id = {skill.id: skill for skill in skills}
    for ke in history:
        if ke.source is KnowledgeSource.DIRECT:
            assert ke.is_validated == given_results[ke.skill_id].is_ok
    # inside each tube, every validated level is below every invalidated level
    for tube in {skill.tube_id for skill in skills}:
        levels = [
            (by_id[ke.skill_id].level, ke.is_validated)
            for ke in history
            if by_id[ke.skill_id].tube_id == tube
        ]
        validated = [level for level, ok in levels if ok]
        invalidated = [level for level, ok in levels if not ok]
        if validated and invalidated:
            assert max(validated) < min(invalidated)


@SLOW
@given(competences(full=True), st.integers(min_value=0, max_value=6), st.integers(0, 10_000))
def test_a_learner_right_iff_level_at_most_l_ends_at_level_l(content, level, seed):
    skills, challenges = content
    history, served = run_assessment(skills, challenges, learner_of_level(level), seed=seed)
    score = score_competence(COMPETENCE, latest_by_skill(history).values())
    assert score.level == level
    assert len(served) <= len(skills)


@st.composite
def assessment_states(draw):
    skills, challenges = draw(competences(full=False, locales=True, statuses=True, timers=True))
    known_ids = draw(st.sets(st.sampled_from([s.id for s in skills])))
    knowledge = [
        KnowledgeElement(
            skill_id=skill_id,
            status=draw(st.sampled_from(list(KnowledgeStatus))),
            source=draw(st.sampled_from(list(KnowledgeSource))),
            earned_pix=0.0,
            order=order,
        )
        for order, skill_id in enumerate(sorted(known_ids))
    ]
    answered = draw(st.sets(st.sampled_from([c.id for c in challenges])))
    return skills, challenges, knowledge, answered


@SLOW
@given(
    assessment_states(),
    st.booleans(),
    st.sampled_from(["fr-fr", "fr", "en"]),
    st.integers(0, 10_000),
)
def test_selection_never_serves_a_known_skill(state, last_timed, locale, seed):
    skills, challenges, knowledge, answered = state
    catalog = build_catalog(skills, challenges)
    selection = next_challenge(
        catalog,
        knowledge=knowledge,
        answered_challenge_ids=answered,
        last_answer_timed=last_timed,
        locale=locale,
        seed=seed,
    )
    if selection is None:
        return
    assert selection.skill.id not in latest_by_skill(knowledge)
    assert selection.challenge.skill_id == selection.skill.id
    assert selection.challenge.id not in answered
    assert selection.challenge.status is ChallengeStatus.VALIDATED
    assert selection.challenge.in_locales(fallback_locales(locale))
    assert selection.skill.id in selection.candidate_skill_ids


TREATMENT_SETS = [set(c) for n in range(4) for c in combinations(["t1", "t2", "t3"], n)]


@given(st.text(max_size=40))
def test_t1_and_t2_are_idempotent(text):
    assert t1(t1(text)) == t1(text)
    assert t2(t2(text)) == t2(text)
    assert pre_treat(pre_treat(text)) == pre_treat(text)


@given(st.text(max_size=40), st.sampled_from(TREATMENT_SETS))
def test_every_combination_of_treatments_is_idempotent(text, treatments):
    once = apply_treatments(text, treatments)
    assert apply_treatments(once, treatments) == once


@given(
    st.text(alphabet="abcé ", max_size=12),
    st.text(alphabet="abcé ", max_size=12),
    st.integers(min_value=0, max_value=4),
)
def test_the_typo_shortcut_agrees_with_the_edit_distance(a, b, limit):
    from octets.engine.answers import _within, levenshtein

    assert _within(a, b, limit) == (levenshtein(a, b) <= limit)
