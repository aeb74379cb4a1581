"""Joining a campaign of a school that manages its pupils: only its enabled pupils, matched by
identity (or automatically), each conflict with its code; nothing is written on a refusal."""

from datetime import date

import pytest

from octets.campaigns import services
from octets.campaigns.models import Campaign, Participation
from octets.errors import RuleError
from tests.factories import OrganizationFactory, OrganizationLearnerFactory, UserFactory


@pytest.fixture
def campaign(school, profiles):
    return services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée 6B",
        target_profile_id=profiles["rentree-6e"].pk,
    )


def test_identity_is_required_then_matched_with_tolerance(school, campaign):
    account = school.pupil_account
    with pytest.raises(RuleError) as error:
        services.join_campaign(user=account, code=campaign.code)
    assert error.value.code == "IDENTITY_REQUIRED"
    participation = services.join_campaign(
        user=account,
        code=campaign.code,
        first_name="lou",
        last_name="Bernart",  # one letter off
        birthdate=date(2013, 5, 4),
    )
    assert participation.organization_learner == school.pupil
    school.pupil.refresh_from_db()
    assert school.pupil.user == account
    # next time the link is known: no identity asked
    assert services.join_campaign(user=account, code=campaign.code).pk == participation.pk


def test_wrong_birthdate_is_not_found_and_writes_nothing(school, campaign):
    with pytest.raises(RuleError) as error:
        services.join_campaign(
            user=school.pupil_account,
            code=campaign.code,
            first_name="Lou",
            last_name="Bernard",
            birthdate=date(2013, 5, 5),
        )
    assert error.value.status == 404
    assert not Participation.objects.exists()
    school.pupil.refresh_from_db()
    assert school.pupil.user is None


def test_a_disabled_pupil_cannot_join(school, campaign):
    school.pupil.is_disabled = True
    school.pupil.save()
    with pytest.raises(RuleError):
        services.join_campaign(
            user=school.pupil_account,
            code=campaign.code,
            first_name="Lou",
            last_name="Bernard",
            birthdate=date(2013, 5, 4),
        )
    assert not Participation.objects.exists()


def test_a_pupil_linked_to_another_account_gives_r3x(school, campaign):
    owner = UserFactory(username="lou.bernard0405", email=None)
    school.pupil.user = owner
    school.pupil.save()
    with pytest.raises(RuleError) as error:
        services.join_campaign(
            user=UserFactory(),
            code=campaign.code,
            first_name="Lou",
            last_name="Bernard",
            birthdate=date(2013, 5, 4),
        )
    assert error.value.short_code == "R32"
    assert error.value.status == 409
    assert not Participation.objects.exists()


def test_a_pupil_who_changed_school_is_linked_by_ine(school, campaign):
    account = UserFactory()
    OrganizationLearnerFactory(
        organization=OrganizationFactory(is_managing_students=True),
        national_student_id=school.pupil.national_student_id,
        user=account,
    )
    participation = services.join_campaign(user=account, code=campaign.code)
    assert participation.organization_learner == school.pupil


def test_an_open_school_campaign_needs_no_pupil(profiles):
    organization = OrganizationFactory(is_managing_students=False)
    teacher = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=teacher, organization=organization)
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Ouverte",
        target_profile_id=profiles["rentree-6e"].pk,
    )
    participation = services.join_campaign(user=UserFactory(), code=campaign.code)
    assert participation.organization_learner is None
