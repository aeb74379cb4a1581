"""Knowledge elements: inference inside a tube, the latest-per-skill view, reset, delays."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from octets.engine.answers import AnswerResult
from octets.engine.knowledge import (
    KnowledgeElement,
    KnowledgeSource,
    KnowledgeStatus,
    days_before_reset,
    knowledge_for_answer,
    knowledge_for_improvement,
    latest_by_skill,
    reset_competence,
)
from octets.engine.scoring import score_competence, skill_pix_values
from tests.engine.builders import COMPETENCE, make_content

SKILLS, _ = make_content({"web": range(1, 7), "mail": range(1, 4)})
BY_ID = {skill.id: skill for skill in SKILLS}
PIX = skill_pix_values(SKILLS)
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def answer(skill_id, result, known=None, order=0):
    return knowledge_for_answer(
        skill=BY_ID[skill_id],
        result=result,
        target_skills=SKILLS,
        known=known or {},
        pix_values=PIX,
        next_order=order,
        created_at=NOW,
    )


def summary(kes):
    return {(ke.skill_id, ke.status.value, ke.source.value) for ke in kes}


def test_right_answer_validates_the_skill_and_the_easier_ones_of_its_tube_only():
    kes = answer("web3", AnswerResult.OK)
    assert summary(kes) == {
        ("web3", "validated", "direct"),
        ("web1", "validated", "inferred"),
        ("web2", "validated", "inferred"),
    }
    assert kes[0].source is KnowledgeSource.DIRECT
    assert [ke.order for ke in kes] == [0, 1, 2]
    assert all(ke.competence_id == COMPETENCE for ke in kes)


def test_wrong_answer_invalidates_the_skill_and_the_harder_ones():
    kes = answer("web3", AnswerResult.KO)
    assert summary(kes) == {
        ("web3", "invalidated", "direct"),
        ("web4", "invalidated", "inferred"),
        ("web5", "invalidated", "inferred"),
        ("web6", "invalidated", "inferred"),
    }
    assert all(ke.earned_pix == 0 for ke in kes)


def test_every_result_other_than_ok_is_a_failure():
    for result in (AnswerResult.ABAND, AnswerResult.TIMEDOUT, AnswerResult.PARTIALLY):
        assert answer("mail2", result)[0].status is KnowledgeStatus.INVALIDATED


def test_validated_kes_earn_the_skill_pix_value_frozen_at_answer_time():
    kes = answer("mail2", AnswerResult.OK)
    # levels 1–3 have two skills each (web, mail): 4 pix each
    assert {ke.skill_id: ke.earned_pix for ke in kes} == {"mail2": 4.0, "mail1": 4.0}


def test_existing_kes_are_never_overridden():
    known = latest_by_skill(answer("web1", AnswerResult.KO))  # web1..web6 invalidated
    assert answer("web4", AnswerResult.OK, known) == ()  # already known: nothing at all
    known = {"web1": answer("web1", AnswerResult.KO)[0]}
    kes = answer("web3", AnswerResult.OK, known, order=10)
    assert summary(kes) == {("web3", "validated", "direct"), ("web2", "validated", "inferred")}


def test_a_skill_outside_the_targets_creates_nothing():
    other, _ = make_content({"autre": [2]}, competence_id="other")
    kes = knowledge_for_answer(
        skill=other[0],
        result=AnswerResult.OK,
        target_skills=SKILLS,
        known={},
        pix_values=PIX,
        next_order=0,
    )
    assert kes == ()


def ke(skill_id, status, order, created_at=NOW, source=KnowledgeSource.DIRECT):
    return KnowledgeElement(
        skill_id=skill_id,
        status=status,
        source=source,
        earned_pix=4.0 if status is KnowledgeStatus.VALIDATED else 0.0,
        order=order,
        competence_id=COMPETENCE,
        created_at=created_at,
    )


def test_latest_by_skill_keeps_the_latest_and_drops_resets():
    history = [
        ke("web1", KnowledgeStatus.INVALIDATED, 1),
        ke("web1", KnowledgeStatus.VALIDATED, 5),
        ke("web2", KnowledgeStatus.VALIDATED, 2),
        ke("web2", KnowledgeStatus.RESET, 3),
        ke("web3", KnowledgeStatus.RESET, 4),
        ke("web3", KnowledgeStatus.INVALIDATED, 6),
    ]
    latest = latest_by_skill(reversed(history))
    assert {k: v.status.value for k, v in latest.items()} == {
        "web1": "validated",
        "web3": "invalidated",
    }


def test_reset_competence_writes_reset_copies_and_scores_drop_to_zero():
    history = list(answer("web4", AnswerResult.OK))
    elsewhere = ke("elsewhere1", KnowledgeStatus.VALIDATED, 50)
    history.append(replace(elsewhere, competence_id="other"))
    # web1–web3 are worth 4 pix (two skills per level), web4 is alone at level 4: 8 pix
    assert score_competence(COMPETENCE, latest_by_skill(history).values()).pix == 20
    resets = reset_competence(
        history, competence_skill_ids=BY_ID, next_order=100, created_at=NOW + timedelta(days=8)
    )
    assert {r.skill_id for r in resets} == {"web1", "web2", "web3", "web4"}
    assert all(r.status is KnowledgeStatus.RESET and r.earned_pix == 0 for r in resets)
    assert [r.order for r in resets] == [100, 101, 102, 103]
    current = latest_by_skill(history + list(resets))
    assert set(current) == {"elsewhere1"}
    assert score_competence(COMPETENCE, current.values()).pix == 0


def test_reset_is_allowed_seven_days_after_the_last_ke():
    kes = [ke("web1", KnowledgeStatus.VALIDATED, 1, NOW - timedelta(days=10)), ke("web2", "x", 2)]
    assert days_before_reset(kes, now=NOW) == 7
    assert days_before_reset(kes, now=NOW + timedelta(days=2, hours=1)) == 5
    assert days_before_reset(kes, now=NOW + timedelta(days=7)) == 0
    assert days_before_reset([], now=NOW) is None


def test_improving_reopens_failures_older_than_four_days():
    started = NOW
    history = [
        ke("web1", KnowledgeStatus.VALIDATED, 1, NOW - timedelta(days=30)),
        ke("web2", KnowledgeStatus.INVALIDATED, 2, NOW - timedelta(days=5)),
        ke("web3", KnowledgeStatus.INVALIDATED, 3, NOW - timedelta(days=1)),
    ]
    kept = knowledge_for_improvement(history, assessment_created_at=started)
    assert set(kept) == {"web1", "web3"}
