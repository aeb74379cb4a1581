"""Challenges as pages show them: every shipped challenge can be answered through its form,
and whatever a learner types reaches the engine unchanged."""

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from octets.assessments.presentation import (
    answer_text,
    challenge_view,
    solution_text,
    value_from_form,
)
from octets.content.release import content_from_release
from octets.content.sources import SOURCE_DIR, build_release
from octets.engine.answers import AnswerResult, check_answer, parse_yaml_mapping
from octets.engine.content import Challenge, ChallengeType
from tests.assessments.test_learner_pages import form_for

SHIPPED = content_from_release(build_release(SOURCE_DIR)[0])


def as_post(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


@pytest.mark.parametrize("challenge", SHIPPED.challenges, ids=lambda c: c.id)
def test_every_shipped_challenge_is_answerable_through_its_form(challenge):
    view = challenge_view(challenge)
    if view.has_choices:
        assert len(view.choices) >= 2
    else:
        assert view.inputs, "a QROC/QROCM needs at least one input"
    value, problems = value_from_form(view, as_post(form_for(challenge)))
    assert problems == []
    assert check_answer(challenge, value).result is AnswerResult.OK
    wrong, problems = value_from_form(view, as_post(form_for(challenge, right=False)))
    assert problems == []
    assert check_answer(challenge, wrong).result is not AnswerResult.OK
    # the review shows something readable for both sides
    assert all(line.strip() for line in solution_text(view))
    assert answer_text(view, value)


QROCM = Challenge(
    id="c",
    skill_id="s",
    type=ChallengeType.QROCM_IND,
    solution="a:\n- x\nb:\n- y",
    proposals="Premier ${a§Le premier} et ${b#indice}",
)


@given(
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
    st.text(max_size=40),
)
def test_what_a_learner_types_reaches_the_engine_unchanged(first, second):
    view = challenge_view(QROCM)
    value, problems = value_from_form(view, as_post({"block-1": first, "block-2": second}))
    if not first.strip() or not second.strip():
        assert problems and value == ""
        return
    assert problems == []
    parsed = parse_yaml_mapping(value)
    assert parsed == {
        "a": [" ".join(first.strip().splitlines())],
        "b": [" ".join(second.strip().splitlines())],
    }


def test_inputs_keep_their_labels_and_placeholders():
    view = challenge_view(QROCM)
    first, second = view.inputs
    assert (first.name, first.label, first.block.placeholder) == ("block-1", "Le premier", "")
    assert (second.name, second.label, second.block.placeholder) == (
        "block-2",
        "Réponse 2",
        "indice",
    )


def test_a_select_only_accepts_its_options():
    challenge = Challenge(
        id="c",
        skill_id="s",
        type=ChallengeType.QROCM_IND,
        solution="a:\n- oui",
        proposals='Vrai ? ${a options=["oui","non"]}',
    )
    view = challenge_view(challenge)
    assert view.inputs[0].is_select
    _value, problems = value_from_form(view, as_post({"block-1": "peut-être"}))
    assert problems
    value, problems = value_from_form(view, as_post({"block-1": "oui"}))
    assert problems == [] and check_answer(challenge, value).result is AnswerResult.OK


def test_qcu_refuses_two_choices_and_qcm_keeps_positions_in_order():
    qcu = Challenge(
        id="u", skill_id="s", type=ChallengeType.QCU, solution="2", proposals="- a\n- b\n- c"
    )
    _v, problems = value_from_form(challenge_view(qcu), as_post({"answer": ["1", "2"]}))
    assert problems
    qcm = Challenge(
        id="m", skill_id="s", type=ChallengeType.QCM, solution="1,3", proposals="- a\n- b\n- c"
    )
    value, problems = value_from_form(challenge_view(qcm), as_post({"answer": ["3", "1", "9"]}))
    assert (value, problems) == ("1,3", [])
    assert answer_text(challenge_view(qcm), value) == ["a", "c"]


def test_text_introducing_an_input_becomes_its_label():
    challenge = Challenge(
        id="d",
        skill_id="s",
        type=ChallengeType.QROCM_DEP,
        solution="p1:\n- rss\np2:\n- atom",
        proposals="**Format 1** : ${p1}\n\nFormat 2 : ${p2}\n\nC'est de la ${p3}.",
    )
    labels = [item.label for item in challenge_view(challenge).inputs]
    assert labels == ["Format 1", "Format 2", "Réponse 3"]
