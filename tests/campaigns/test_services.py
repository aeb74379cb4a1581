"""Campaign rules: creation, code, permissions, archive and delete; the learner's test, retry,
sharing with frozen results, and multiple sendings."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from octets.assessments.models import Assessment, KnowledgeElement
from octets.campaigns import selectors, services
from octets.campaigns.errors import CampaignError
from octets.campaigns.models import Campaign, Participation
from tests.campaigns.conftest import play
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture
def open_school(db):
    """A school that does not manage its pupils: anyone with the code may join."""
    organization = OrganizationFactory(is_managing_students=False)
    admin, teacher = UserFactory(), UserFactory()
    MembershipFactory(user=admin, organization=organization, role="ADMIN")
    MembershipFactory(user=teacher, organization=organization, role="MEMBER")
    return organization, admin, teacher


def _campaign(organization, creator, profile, **extra):
    return services.create_campaign(
        organization=organization,
        creator=creator,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée 6e B",
        target_profile_id=profile.pk,
        **extra,
    )


def test_create_gives_a_readable_unique_code_and_freezes_the_tubes(open_school, profiles):
    organization, _admin, teacher = open_school
    profile = profiles["rentree-6e"]
    campaign = _campaign(organization, teacher, profile)
    assert re.fullmatch(r"[A-HJKMNP-Z]{6}[1-9]{3}", campaign.code)
    assert campaign.owner == teacher
    assert sorted(map(tuple, campaign.capped_tubes)) == sorted(
        profile.capped_tubes.values_list("tube_id", "level")
    )
    profile.capped_tubes.all().delete()  # a later change of the profile changes nothing
    campaign.refresh_from_db()
    assert len(campaign.capped_tubes) > 0


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"name": "  "}, "CAMPAIGN_NAME_IS_REQUIRED"),
        ({"target_profile_id": None}, "TARGET_PROFILE_IS_REQUIRED"),
        ({"external_id_label": "Numéro"}, "MISSING_ID_PIX_TYPE"),
        ({"title": "x" * 51}, "CAMPAIGN_TITLE_IS_TOO_LONG"),
        ({"landing_text": "x" * 5001}, "CAMPAIGN_LANDING_TEXT_IS_TOO_LONG"),
        ({"owner_id": 999999}, "OWNER_NOT_IN_ORGANIZATION"),
        ({"type": "exam"}, "CAMPAIGN_PURPOSE_IS_REQUIRED"),
    ],
)
def test_creation_errors_have_their_code_and_write_nothing(open_school, profiles, extra, code):
    organization, _admin, teacher = open_school
    data = {
        "organization": organization,
        "creator": teacher,
        "type": Campaign.Type.ASSESSMENT,
        "name": "Rentrée",
        "target_profile_id": profiles["rentree-6e"].pk,
    }
    data.update(extra)
    with pytest.raises(CampaignError) as error:
        services.create_campaign(**data)
    assert error.value.code == code
    assert not Campaign.objects.exists()


def test_a_private_profile_of_another_school_cannot_be_used(open_school, profiles):
    organization, _admin, teacher = open_school
    profile = profiles["rentree-6e"]
    profile.is_public = False
    profile.owner_organization = OrganizationFactory()
    profile.save()
    with pytest.raises(CampaignError) as error:
        _campaign(organization, teacher, profile)
    assert error.value.status == 403
    profile.shared_with.add(organization)
    assert _campaign(organization, teacher, profile).pk


def test_only_owner_or_admin_manage_and_delete_anonymises(open_school, profiles):
    organization, admin, teacher = open_school
    other = UserFactory()
    MembershipFactory(user=other, organization=organization, role="MEMBER")
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    with pytest.raises(CampaignError) as error:
        services.archive_campaign(campaign=campaign, user=other)
    assert error.value.status == 403
    services.archive_campaign(campaign=campaign, user=teacher)
    with pytest.raises(CampaignError):
        services.archive_campaign(campaign=campaign, user=admin)  # twice
    services.unarchive_campaign(campaign=campaign, user=admin)
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code)
    with pytest.raises(CampaignError):
        services.delete_campaigns(organization=organization, user=other, campaign_ids=[campaign.pk])
    assert (
        services.delete_campaigns(organization=organization, user=admin, campaign_ids=[campaign.pk])
        == 1
    )
    participation.refresh_from_db()
    assert participation.user is None and participation.deleted_at is not None
    with pytest.raises(CampaignError) as error:
        services.join_campaign(user=pupil, code=campaign.code)
    assert error.value.code == "CAMPAIGN_CODE_UNKNOWN"


def test_the_whole_journey_test_retry_share_and_frozen_results(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code.lower())
    assert services.join_campaign(user=pupil, code=campaign.code).pk == participation.pk
    assessment = services.current_assessment(participation)
    # right on even questions, skipped on odd ones
    answered = play(assessment, policy=lambda challenge, n: n % 2 == 0)
    assert answered > 3
    participation.refresh_from_db()
    assert participation.status == Participation.Status.TO_SHARE
    before = selectors.live_result(participation)
    assert 0 < before.validated < before.total
    assert before.progression == 100
    assert services.can_retry(participation)
    first_challenges = set(assessment.answers.values_list("challenge_id", flat=True))
    second = services.retry(participation=participation, user=pupil)
    assert second.is_retrying and second.pk != assessment.pk
    participation.refresh_from_db()
    assert participation.status == Participation.Status.STARTED
    with pytest.raises(CampaignError) as error:
        services.share(participation=participation, user=pupil)
    assert error.value.code == "ASSESSMENT_NOT_COMPLETED"
    play(second)  # everything right this time
    assert not first_challenges & set(second.answers.values_list("challenge_id", flat=True))
    after = selectors.live_result(participation)
    assert after.validated > before.validated
    shared = services.share(participation=participation, user=pupil)
    assert shared.status == Participation.Status.SHARED
    assert shared.mastery_rate == after.mastery_rate
    assert shared.reached_stage == after.reached_stage >= 1
    assert set(shared.badge_keys) == {badge.key for badge in after.badges}
    # later training does not change what the school received
    KnowledgeElement.objects.filter(user=pupil).delete()
    shared.refresh_from_db()
    assert shared.mastery_rate == after.mastery_rate
    with pytest.raises(CampaignError) as error:
        services.share(participation=shared, user=pupil)
    assert error.value.code == "ALREADY_SHARED"


def test_multiple_sendings_need_the_delay(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"], multiple_sendings=True)
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code)
    play(services.current_assessment(participation), policy=lambda c, n: n % 3 == 0)
    services.share(participation=participation, user=pupil)
    with pytest.raises(CampaignError) as error:
        services.join_campaign(user=pupil, code=campaign.code)
    assert error.value.code == "RETRY_TOO_EARLY"
    Participation.objects.filter(pk=participation.pk).update(
        shared_at=timezone.now() - timedelta(days=5)
    )
    again = services.join_campaign(user=pupil, code=campaign.code)
    assert again.pk != participation.pk
    participation.refresh_from_db()
    assert participation.is_improved
    assert Assessment.objects.filter(campaign_participation=again).count() == 1


def test_no_second_sending_without_multiple_sendings(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code)
    play(services.current_assessment(participation))
    services.share(participation=participation, user=pupil)
    with pytest.raises(CampaignError) as error:
        services.join_campaign(user=pupil, code=campaign.code)
    assert error.value.code == "ALREADY_SHARED"


def test_external_id_is_required_and_checked(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(
        organization,
        teacher,
        profiles["rentree-6e"],
        external_id_label="Adresse e-mail académique",
        external_id_type="email",
    )
    pupil = UserFactory()
    for value, code in [("", "MISSING_EXTERNAL_ID"), ("pas-un-mail", "INVALID_EMAIL")]:
        with pytest.raises(CampaignError) as error:
            services.join_campaign(user=pupil, code=campaign.code, external_id=value)
        assert error.value.code == code
    assert not Participation.objects.exists()
    participation = services.join_campaign(
        user=pupil, code=campaign.code, external_id="lou@ac-exemple.fr"
    )
    assert participation.participant_external_id == "lou@ac-exemple.fr"


def test_archived_campaign_refuses_joining(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    services.archive_campaign(campaign=campaign, user=teacher)
    with pytest.raises(CampaignError) as error:
        services.join_campaign(user=UserFactory(), code=campaign.code)
    assert error.value.code == "CAMPAIGN_ARCHIVED"


def test_profile_collection_shares_the_profile_and_certifiability(open_school, content):
    organization, _admin, teacher = open_school
    campaign = services.create_campaign(
        organization=organization,
        creator=teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Profils 3e",
    )
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code)
    assert participation.status == Participation.Status.TO_SHARE
    shared = services.share(participation=participation, user=pupil)
    assert shared.pix_score == 0 and shared.is_certifiable is False
    assert len(shared.snapshot["competences"]) == 16


def test_a_test_cannot_go_on_in_an_archived_or_deleted_campaign(open_school, profiles, api_client):
    from django.http import Http404

    from octets.assessments import selectors as assessment_selectors
    from octets.assessments import services as assessment_services
    from octets.assessments.errors import AssessmentError

    organization, admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=campaign.code)
    assessment = services.current_assessment(participation)
    challenge = assessment_services.next_challenge(assessment=assessment)
    services.archive_campaign(campaign=campaign, user=teacher)
    for action in (
        lambda: assessment_services.next_challenge(assessment=assessment),
        lambda: assessment_services.submit_answer(
            assessment=assessment, challenge_id=challenge.id, value="#ABAND#"
        ),
    ):
        with pytest.raises(AssessmentError) as error:
            action()
        assert error.value.code == "CAMPAIGN_ARCHIVED" and error.value.status == 409
    assert not assessment.answers.exists()
    services.unarchive_campaign(campaign=campaign, user=teacher)
    services.delete_campaigns(organization=organization, user=admin, campaign_ids=[campaign.pk])
    with pytest.raises(Http404):
        assessment_selectors.assessment_of(pupil, assessment.pk)
    response = api_client(pupil).get(f"/api/v1/assessments/{assessment.pk}/next-challenge")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
