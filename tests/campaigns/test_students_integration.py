"""Campaigns seen from the pupils list and the pupil page: participation count and sort, the
last participation, and the certifiability a shared profile collection brings."""

from datetime import date

import pytest

from octets.campaigns import services
from octets.campaigns.models import Campaign
from tests.campaigns.conftest import play
from tests.factories import OrganizationLearnerFactory


@pytest.fixture
def teacher_client(client, school):
    client.force_login(school.teacher)
    return client


def _join(school, code):
    return services.join_campaign(
        user=school.pupil_account,
        code=code,
        first_name="Lou",
        last_name="Bernard",
        birthdate=date(2013, 5, 4),
    )


def test_list_counts_and_sorts_by_participations_and_shows_the_last(
    teacher_client, school, profiles
):
    OrganizationLearnerFactory(organization=school.organization, last_name="Sansparticipe")
    assessment = services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée 6B",
        target_profile_id=profiles["rentree-6e"].pk,
    )
    collection = services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Profils de fin d'année",
    )
    play(services.current_assessment(_join(school, assessment.code)))
    shared = services.share(participation=_join(school, collection.code), user=school.pupil_account)
    body = teacher_client.get("/eleves/", {"tri": "-participations"}).content.decode()
    bernard, aucune = body.index("Bernard"), body.index("Sansparticipe")
    assert bernard < aucune  # 2 participations before 0
    assert "Profils de fin d&#x27;année" in body and "Résultats reçus" in body
    body = teacher_client.get("/eleves/", {"tri": "participations"}).content.decode()
    assert body.index("Sansparticipe") < body.index("Bernard")
    school.pupil.refresh_from_db()
    assert school.pupil.is_certifiable is shared.is_certifiable is False
    assert school.pupil.certifiable_at is not None
    page = teacher_client.get(f"/eleves/{school.pupil.pk}/").content.decode()
    assert "Rentrée 6B" in page and "En attente d&#x27;envoi" in page
    assert "Non certifiable" in page


def test_list_query_count_does_not_grow_with_participations(
    teacher_client, school, profiles, django_assert_max_num_queries
):
    campaign = services.create_campaign(
        organization=school.organization,
        creator=school.teacher,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Collecte",
    )
    _join(school, campaign.code)
    for _n in range(30):
        OrganizationLearnerFactory(organization=school.organization)
    with django_assert_max_num_queries(8):
        assert teacher_client.get("/eleves/").status_code == 200
