"""A small current release (the content tests' fixture) and helpers to answer its challenges."""

import pytest

from octets.assessments.presentation import expected_value
from octets.content import selectors as content_selectors
from octets.content.services import load_release
from octets.engine.content import Challenge
from tests.content.conftest import fixture_release


@pytest.fixture
def content(db):
    load_release(data=fixture_release())
    return content_selectors.current_content()


def right_answer(challenge: Challenge) -> str:
    """A value the engine marks ``ok`` for this challenge."""
    return expected_value(challenge)
