"""Campaign fixtures: the shipped content and target profiles, a school managing its pupils
with an admin and a teacher, an imported pupil with an account, and a way to play a test."""

from datetime import date

import pytest

from octets.assessments import services as assessment_services
from octets.assessments.presentation import expected_value
from octets.campaigns.models import TargetProfile
from octets.campaigns.profiles import load_profiles
from octets.content import selectors as content_selectors
from octets.content.services import load_release
from octets.content.sources import SOURCE_DIR, build_release
from octets.engine.answers import SKIPPED_VALUE
from octets.organizations.models import Membership
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationLearnerFactory,
    UserFactory,
)

_SHIPPED: dict | None = None


def shipped_release() -> dict:
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = build_release(SOURCE_DIR)[0]
    return _SHIPPED


@pytest.fixture
def content(db):
    load_release(data=shipped_release())
    return content_selectors.current_content()


@pytest.fixture
def profiles(content):
    load_profiles(content)
    return {profile.key: profile for profile in TargetProfile.objects.all()}


class School:
    def __init__(self):
        self.organization = OrganizationFactory(is_managing_students=True)
        self.admin = UserFactory()
        self.teacher = UserFactory()
        MembershipFactory(
            user=self.admin, organization=self.organization, role=Membership.Role.ADMIN
        )
        MembershipFactory(
            user=self.teacher, organization=self.organization, role=Membership.Role.MEMBER
        )
        self.pupil_account = UserFactory(first_name="Lou", last_name="Bernard")
        self.pupil = OrganizationLearnerFactory(
            organization=self.organization,
            first_name="Lou",
            last_name="Bernard",
            birthdate=date(2013, 5, 4),
            division="6B",
        )


@pytest.fixture
def school(db):
    return School()


def play(assessment, *, policy=lambda challenge, number: True, limit=200) -> int:
    """Answer the assessment to its end: right when ``policy`` says so, else skip. Returns the
    number of answers."""
    count = 0
    while count < limit:
        challenge = assessment_services.next_challenge(assessment=assessment)
        if challenge is None:
            return count
        value = expected_value(challenge) if policy(challenge, count) else SKIPPED_VALUE
        assessment_services.submit_answer(
            assessment=assessment, challenge_id=challenge.id, value=value
        )
        count += 1
    raise AssertionError("the test never ends")
