"""A small current release (the content tests' fixture) and helpers to answer its challenges."""

import pytest

from octets.content import selectors as content_selectors
from octets.content.services import load_release
from octets.engine.answers import parse_yaml_mapping
from octets.engine.content import Challenge, ChallengeType
from tests.content.conftest import fixture_release


@pytest.fixture
def content(db):
    load_release(data=fixture_release())
    return content_selectors.current_content()


def right_answer(challenge: Challenge) -> str:
    """A value the engine marks ``ok`` for this challenge."""
    if challenge.type in (ChallengeType.QCU, ChallengeType.QCM):
        return challenge.solution
    if challenge.type is ChallengeType.QROC:
        return challenge.solution.splitlines()[0]
    solution = parse_yaml_mapping(challenge.solution)
    return "\n".join(f"{key}: {variants[0]}" for key, variants in solution.items())
