"""Behaviour of the campaign API (/api/v1): a pupil joins with the code, takes the test with the
assessment endpoints, retries and shares; a teacher creates, lists, edits, archives and deletes
campaigns and reads activity, results, analysis and a participant, with the web's permissions."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from octets.assessments.models import KnowledgeElement
from octets.assessments.presentation import expected_value
from octets.campaigns import services
from octets.campaigns.models import Campaign, Participation, TargetProfile
from octets.campaigns.profiles import load_profiles
from octets.content import selectors as content_selectors
from octets.content.services import load_release
from octets.engine.answers import SKIPPED_VALUE
from octets.jobs.models import Job
from tests.campaigns.conftest import School, shipped_release
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

JSON = "application/json"


@pytest.fixture
def content(db):
    load_release(data=shipped_release())
    return content_selectors.current_content()


@pytest.fixture
def profiles(content):
    load_profiles(content)
    return {profile.key: profile for profile in TargetProfile.objects.all()}


@pytest.fixture
def open_school(db):
    """A school that does not manage its pupils: anyone with the code may join."""
    organization = OrganizationFactory(is_managing_students=False, name="Collège Ouvert")
    admin, teacher = UserFactory(), UserFactory(first_name="Théo", last_name="Prof")
    MembershipFactory(user=admin, organization=organization, role="ADMIN")
    MembershipFactory(user=teacher, organization=organization, role="MEMBER")
    return organization, admin, teacher


@pytest.fixture
def school(db):
    return School()


def _campaign(organization, creator, profile, **extra):
    return services.create_campaign(
        organization=organization,
        creator=creator,
        type=Campaign.Type.ASSESSMENT,
        name=extra.pop("name", "Rentrée 6e B"),
        target_profile_id=profile.pk,
        **extra,
    )


def _collection(organization, creator):
    return services.create_campaign(
        organization=organization,
        creator=creator,
        type=Campaign.Type.PROFILES_COLLECTION,
        name="Profils 3e",
    )


def play_api(client, content, assessment_id, *, right=lambda n: True, limit=200) -> int:
    """Take the test through the API until 204: right answers when ``right(n)``, else skip."""
    for count in range(limit):
        response = client.get(f"/api/v1/assessments/{assessment_id}/next-challenge")
        if response.status_code == 204:
            return count
        assert response.status_code == 200, response.content
        challenge = content.get("challenges", response.json()["id"])
        value = expected_value(challenge) if right(count) else SKIPPED_VALUE
        answer = client.post(
            f"/api/v1/assessments/{assessment_id}/answers",
            {"challenge_id": challenge.id, "value": value},
            content_type=JSON,
        )
        assert answer.status_code == 201, answer.content
    raise AssertionError("the test never ends")


def join(client, code, **body):
    return client.post(f"/api/v1/campaigns/{code}/participations", body, content_type=JSON)


# --- the learner's side ---------------------------------------------------------------------


def test_the_whole_journey_join_test_share(api_client, open_school, profiles, content):
    organization, _admin, teacher = open_school
    campaign = _campaign(
        organization, teacher, profiles["rentree-6e"], landing_text="**Bienvenue** en 6e"
    )
    pupil = api_client(UserFactory())

    info = pupil.get(f"/api/v1/campaigns/by-code/{campaign.code.lower()}")
    assert info.status_code == 200
    assert info.json() == {
        "code": campaign.code,
        "name": "Rentrée 6e B",
        "title": "",
        "organization_name": "Collège Ouvert",
        "type": "assessment",
        "landing_text": "**Bienvenue** en 6e",
        "external_id_label": "",
        "external_id_type": "",
        "multiple_sendings": False,
        "is_archived": False,
        "is_restricted": False,
        "identity_required": False,
        "participation": None,
    }

    joined = join(pupil, campaign.code)
    assert joined.status_code == 201
    body = joined.json()
    assert body["status"] == "started" and body["assessment_id"]
    again = join(pupil, campaign.code)
    assert again.status_code == 200 and again.json() == body
    assert pupil.get(f"/api/v1/campaigns/by-code/{campaign.code}").json()["participation"] == body

    before = pupil.get(f"/api/v1/participations/{body['id']}").json()
    assert before["result"] is None and not before["can_share"] and not before["can_retry"]
    assert pupil.post(f"/api/v1/participations/{body['id']}/share").json()["code"] == (
        "ASSESSMENT_NOT_COMPLETED"
    )

    answered = play_api(pupil, content, body["assessment_id"], right=lambda n: n % 2 == 0)
    assert answered > 3
    assessment = pupil.get(f"/api/v1/assessments/{body['assessment_id']}")
    assert assessment.json()["state"] == "completed"
    results = pupil.get(f"/api/v1/assessments/{body['assessment_id']}/results")
    assert results.status_code == 200
    assert len(results.json()["answers"]) == answered

    live = pupil.get(f"/api/v1/participations/{body['id']}").json()
    assert live["status"] == "to_share" and live["can_share"]
    assert live["result"]["frozen"] is False
    assert 0 < live["result"]["validated_skills"] < live["result"]["total_skills"]
    assert live["result"]["stage"]["number"] >= 1
    assert sum(c["total"] for c in live["result"]["competences"]) == live["result"]["total_skills"]

    shared = pupil.post(f"/api/v1/participations/{body['id']}/share")
    assert shared.status_code == 200
    frozen = shared.json()
    assert frozen["status"] == "shared" and frozen["shared_at"]
    assert not frozen["can_share"] and not frozen["can_retry"]
    assert frozen["result"]["frozen"] is True
    for key in ("mastery_rate", "validated_skills", "total_skills", "stage", "badges"):
        assert frozen["result"][key] == live["result"][key], key
    assert frozen["result"]["competences"] == live["result"]["competences"]
    twice = pupil.post(f"/api/v1/participations/{body['id']}/share")
    assert twice.status_code == 409 and twice.json()["code"] == "ALREADY_SHARED"
    rejoin = join(pupil, campaign.code)
    assert rejoin.status_code == 409 and rejoin.json()["code"] == "ALREADY_SHARED"


def test_retry_gives_a_new_test_on_the_failed_skills(api_client, open_school, profiles, content):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    pupil = api_client(UserFactory())
    body = join(pupil, campaign.code).json()
    play_api(pupil, content, body["assessment_id"], right=lambda n: n % 2 == 0)
    assert pupil.get(f"/api/v1/participations/{body['id']}").json()["can_retry"] is True

    retried = pupil.post(f"/api/v1/participations/{body['id']}/retry")
    assert retried.status_code == 201
    second = retried.json()
    assert second["status"] == "started"
    assert second["assessment_id"] != body["assessment_id"]
    assert second["result"] is None
    same = pupil.post(f"/api/v1/participations/{body['id']}/retry")
    assert same.status_code == 200 and same.json()["assessment_id"] == second["assessment_id"]

    play_api(pupil, content, second["assessment_id"])
    done = pupil.get(f"/api/v1/participations/{body['id']}").json()
    assert done["status"] == "to_share"
    assert done["result"]["percentage"] > 0


def test_retry_is_refused_when_nothing_is_left(api_client, open_school, profiles, content):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    pupil = api_client(UserFactory())
    body = join(pupil, campaign.code).json()
    running = pupil.post(f"/api/v1/participations/{body['id']}/retry")  # test not finished
    assert running.status_code == 200
    assert running.json()["assessment_id"] == body["assessment_id"]
    play_api(pupil, content, body["assessment_id"])  # everything right: nothing failed
    assert pupil.get(f"/api/v1/participations/{body['id']}").json()["can_retry"] is False
    refused = pupil.post(f"/api/v1/participations/{body['id']}/retry")
    assert refused.status_code == 409 and refused.json()["code"] == "CANNOT_RETRY"


def test_someone_elses_participation_is_missing(api_client, open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    owner = api_client(UserFactory())
    body = join(owner, campaign.code).json()
    intruder = api_client(UserFactory())
    for response in (
        intruder.get(f"/api/v1/participations/{body['id']}"),
        intruder.post(f"/api/v1/participations/{body['id']}/share"),
        intruder.post(f"/api/v1/participations/{body['id']}/retry"),
        intruder.get(f"/api/v1/assessments/{body['assessment_id']}/next-challenge"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


def test_join_errors_are_french_with_their_code(api_client, open_school, profiles):
    organization, _admin, teacher = open_school
    pupil = api_client(UserFactory())
    unknown = join(pupil, "ZZZZZZ999")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "CAMPAIGN_CODE_UNKNOWN"
    assert "code" in unknown.json()["message"]
    assert pupil.get("/api/v1/campaigns/by-code/ZZZZZZ999").status_code == 404

    asking = _campaign(
        organization,
        teacher,
        profiles["rentree-6e"],
        external_id_label="Adresse de l'ENT",
        external_id_type="email",
    )
    missing = join(pupil, asking.code)
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "MISSING_EXTERNAL_ID",
        "message": "Renseignez « Adresse de l'ENT » pour commencer.",
        "details": ["external_id"],
        "meta": None,
    }
    assert join(pupil, asking.code, external_id="pas-un-mail").json()["code"] == "INVALID_EMAIL"
    ok = join(pupil, asking.code, external_id="lou@ent.example")
    assert ok.status_code == 201
    assert Participation.objects.get(pk=ok.json()["id"]).participant_external_id == (
        "lou@ent.example"
    )

    bad_date = join(pupil, asking.code, birthdate="04/05/2013")
    assert bad_date.status_code == 422
    assert bad_date.json()["code"] == "VALIDATION_ERROR"

    archived = _campaign(organization, teacher, profiles["rentree-6e"])
    services.archive_campaign(campaign=archived, user=teacher)
    assert pupil.get(f"/api/v1/campaigns/by-code/{archived.code}").json()["is_archived"] is True
    refused = join(pupil, archived.code)
    assert refused.status_code == 409 and refused.json()["code"] == "CAMPAIGN_ARCHIVED"
    assert not Participation.objects.filter(campaign=archived).exists()


def test_anonymous_calls_are_refused(open_school, profiles):
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"])
    anonymous = Client()
    assert anonymous.get(f"/api/v1/campaigns/by-code/{campaign.code}").status_code == 401
    assert join(anonymous, campaign.code).status_code == 401
    assert anonymous.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 401


def test_restricted_campaign_needs_the_identity_of_an_imported_pupil(api_client, school, profiles):
    campaign = _campaign(school.organization, school.teacher, profiles["rentree-6e"])
    pupil = api_client(school.pupil_account)

    info = pupil.get(f"/api/v1/campaigns/by-code/{campaign.code}").json()
    assert info["is_restricted"] is True and info["identity_required"] is True

    anonymous_identity = join(pupil, campaign.code)
    assert anonymous_identity.status_code == 422
    assert anonymous_identity.json()["code"] == "IDENTITY_REQUIRED"
    assert anonymous_identity.json()["details"] == ["first_name", "last_name", "birthdate"]

    wrong = join(
        pupil, campaign.code, first_name="Lou", last_name="Bernard", birthdate="2013-05-05"
    )
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "LEARNER_NOT_FOUND"
    assert wrong.json()["meta"] == {"short_code": None, "value": None}

    right = join(
        pupil, campaign.code, first_name=" lou ", last_name="BERNARD", birthdate="2013-05-04"
    )
    assert right.status_code == 201
    school.pupil.refresh_from_db()
    assert school.pupil.user == school.pupil_account
    participation = Participation.objects.get(pk=right.json()["id"])
    assert participation.organization_learner == school.pupil
    assert pupil.get(f"/api/v1/campaigns/by-code/{campaign.code}").json()["identity_required"] is (
        False
    )

    sibling = api_client(UserFactory(email="camille.bernard@example.com"))
    taken = join(
        sibling, campaign.code, first_name="Lou", last_name="Bernard", birthdate="2013-05-04"
    )
    assert taken.status_code == 409
    error = taken.json()
    assert error["code"] == "ACCOUNT_ALREADY_LINKED_IN_THIS_ORGANIZATION"
    assert error["meta"]["short_code"].startswith("R3")
    assert error["meta"]["value"] != school.pupil_account.email
    assert "account_id" not in str(error)


def test_profile_collection_is_shared_with_the_profile(api_client, open_school, content):
    organization, _admin, teacher = open_school
    campaign = _collection(organization, teacher)
    pupil = api_client(UserFactory())
    body = join(pupil, campaign.code).json()
    assert body["status"] == "to_share" and body["assessment_id"] is None
    live = pupil.get(f"/api/v1/participations/{body['id']}").json()
    assert live["can_share"] and live["result"]["frozen"] is False
    assert live["result"]["pix_score"] == 0 and len(live["result"]["competences"]) == 16
    shared = pupil.post(f"/api/v1/participations/{body['id']}/share").json()
    assert shared["status"] == "shared"
    assert shared["result"]["frozen"] is True
    assert shared["result"]["is_certifiable"] is False
    assert [c["id"] for c in shared["result"]["competences"]] == [
        c["id"] for c in live["result"]["competences"]
    ]


# --- the school's side ----------------------------------------------------------------------


def test_target_profiles_are_the_ones_the_school_may_use(api_client, open_school, profiles):
    organization, _admin, teacher = open_school
    private = profiles["rentree-lycee"]
    private.is_public = False
    private.owner_organization = OrganizationFactory()
    private.save()
    response = api_client(teacher).get(f"/api/v1/organizations/{organization.pk}/target-profiles")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert private.name not in rows
    row = rows[profiles["rentree-6e"].name]
    assert row["tubes"] == profiles["rentree-6e"].capped_tubes.count() > 0
    assert row["stages"] == profiles["rentree-6e"].stages.count()
    assert row["category_label"]
    stranger = api_client(UserFactory())
    assert (
        stranger.get(f"/api/v1/organizations/{organization.pk}/target-profiles").status_code == 404
    )


def test_create_campaign_and_its_errors(api_client, open_school, profiles):
    organization, _admin, teacher = open_school
    api = api_client(teacher)
    url = f"/api/v1/organizations/{organization.pk}/campaigns"
    created = api.post(
        url,
        {
            "type": "assessment",
            "name": "Rentrée 6e A",
            "title": "Parcours de rentrée",
            "target_profile_id": profiles["rentree-6e"].pk,
            "external_id_label": "Numéro",
            "external_id_type": "string",
            "multiple_sendings": True,
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert len(body["code"]) == 9
    assert body["owner"]["id"] == teacher.pk and body["can_manage"] is True
    assert body["participants_count"] == 0 and body["multiple_sendings"] is True
    assert body["target_profile"] == {
        "id": profiles["rentree-6e"].pk,
        "name": profiles["rentree-6e"].name,
    }
    collection = api.post(
        url, {"type": "profiles_collection", "name": "Profils"}, content_type=JSON
    )
    assert collection.status_code == 201 and collection.json()["target_profile"] is None

    blank = api.post(
        url,
        {"type": "assessment", "name": " ", "target_profile_id": profiles["rentree-6e"].pk},
        content_type=JSON,
    )
    assert blank.status_code == 400
    assert blank.json() == {
        "code": "CAMPAIGN_NAME_IS_REQUIRED",
        "message": "Le nom est obligatoire.",
        "details": ["name"],
    }
    no_profile = api.post(url, {"type": "assessment", "name": "X"}, content_type=JSON)
    assert no_profile.json()["code"] == "TARGET_PROFILE_IS_REQUIRED"
    private = profiles["rentree-lycee"]
    private.is_public = False
    private.save()
    forbidden = api.post(
        url, {"type": "assessment", "name": "X", "target_profile_id": private.pk}, content_type=JSON
    )
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "TARGET_PROFILE_NOT_AVAILABLE"
    wrong_type = api.post(url, {"type": "exam", "name": "X"}, content_type=JSON)
    assert wrong_type.status_code == 422
    stranger = api_client(UserFactory())
    assert (
        stranger.post(url, {"type": "profiles_collection", "name": "X"}, content_type=JSON)
    ).status_code == 404
    assert Campaign.objects.count() == 2


def test_list_campaigns_with_filters_and_counts(api_client, open_school, profiles):
    organization, admin, teacher = open_school
    mine = _campaign(organization, teacher, profiles["rentree-6e"], name="Rentrée 6e B")
    theirs = _campaign(organization, admin, profiles["rentree-6e"], name="Sciences 5e")
    old = _campaign(organization, teacher, profiles["rentree-6e"], name="Rentrée 2025")
    services.archive_campaign(campaign=old, user=teacher)
    for _ in range(2):
        services.join_campaign(user=UserFactory(), code=mine.code)
    api = api_client(teacher)
    url = f"/api/v1/organizations/{organization.pk}/campaigns"

    everything = api.get(url).json()
    assert everything["count"] == 2
    rows = {row["name"]: row for row in everything["results"]}
    assert rows["Rentrée 6e B"]["participants_count"] == 2
    assert rows["Rentrée 6e B"]["shared_count"] == 0
    assert rows["Rentrée 6e B"]["can_manage"] is True
    assert rows["Sciences 5e"]["can_manage"] is False
    assert [r["id"] for r in api.get(url, {"mine": "true"}).json()["results"]] == [mine.pk]
    assert [r["id"] for r in api.get(url, {"archived": "true"}).json()["results"]] == [old.pk]
    assert [r["id"] for r in api.get(url, {"name": "scien"}).json()["results"]] == [theirs.pk]
    assert [r["id"] for r in api.get(url, {"owner": "prof"}).json()["results"]] == [mine.pk]
    paged = api.get(url, {"page_size": 1, "page": 2}).json()
    assert paged["count"] == 2 and len(paged["results"]) == 1 and paged["page_size"] == 1

    stranger = api_client(UserFactory())
    assert stranger.get(url).status_code == 404


def test_list_queries_do_not_grow_with_the_campaigns(api_client, open_school, profiles):
    organization, admin, teacher = open_school
    api = api_client(teacher)
    url = f"/api/v1/organizations/{organization.pk}/campaigns"
    _campaign(organization, teacher, profiles["rentree-6e"])
    api.get(url)
    with CaptureQueriesContext(connection) as one:
        assert api.get(url).json()["count"] == 1
    for owner in (teacher, admin, admin, teacher):
        campaign = _campaign(organization, owner, profiles["rentree-6e"])
        services.join_campaign(user=UserFactory(), code=campaign.code)
    with CaptureQueriesContext(connection) as five:
        assert api.get(url).json()["count"] == 5
    assert len(five.captured_queries) == len(one.captured_queries) <= 8


def test_members_read_owners_and_admins_manage(api_client, open_school, profiles):
    organization, admin, teacher = open_school
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=organization, role="MEMBER")
    campaign = _campaign(organization, teacher, profiles["rentree-6e"], name="Avant")
    url = f"/api/v1/campaigns/{campaign.pk}"
    other = api_client(colleague)

    read = other.get(url)
    assert read.status_code == 200
    assert read.json()["can_manage"] is False and read.json()["name"] == "Avant"
    for response in (
        other.patch(url, {"name": "Pirate"}, content_type=JSON),
        other.put(url + "/archive"),
        other.delete(
            f"/api/v1/organizations/{organization.pk}/campaigns",
            {"ids": [campaign.pk]},
            content_type=JSON,
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "CAMPAIGN_FORBIDDEN"
    campaign.refresh_from_db()
    assert campaign.name == "Avant" and campaign.archived_at is None and campaign.deleted_at is None

    owner = api_client(teacher)
    edited = owner.patch(url, {"landing_text": "Bonjour", "owner_id": admin.pk}, content_type=JSON)
    assert edited.status_code == 200
    assert edited.json()["name"] == "Avant" and edited.json()["landing_text"] == "Bonjour"
    assert edited.json()["owner"]["id"] == admin.pk
    # no longer the owner, not an admin: managing is refused
    assert owner.put(url + "/archive").status_code == 403
    too_long = api_client(admin).patch(url, {"title": "x" * 51}, content_type=JSON)
    assert too_long.status_code == 400 and too_long.json()["details"] == ["title"]

    manager = api_client(admin)
    archived = manager.put(url + "/archive")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert manager.put(url + "/archive").json()["code"] == "CAMPAIGN_ALREADY_ARCHIVED"
    restored = manager.delete(url + "/archive")
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert manager.delete(url + "/archive").status_code == 409

    stranger = api_client(UserFactory())
    for response in (
        stranger.get(url),
        stranger.patch(url, {"name": "X"}, content_type=JSON),
        stranger.put(url + "/archive"),
        stranger.get(url + "/activity"),
        stranger.get(url + "/results"),
        stranger.get(url + "/participants"),
        stranger.get(url + "/analysis"),
    ):
        assert response.status_code == 404
    assert api_client(admin).get("/api/v1/campaigns/999999").status_code == 404


def test_delete_campaigns_is_all_or_nothing(api_client, open_school, profiles):
    organization, admin, teacher = open_school
    first = _campaign(organization, teacher, profiles["rentree-6e"])
    second = _campaign(organization, admin, profiles["rentree-6e"])
    pupil = UserFactory()
    participation = services.join_campaign(user=pupil, code=first.code)
    url = f"/api/v1/organizations/{organization.pk}/campaigns"
    owner = api_client(teacher)

    mixed = owner.delete(url, {"ids": [first.pk, second.pk]}, content_type=JSON)
    assert mixed.status_code == 403
    assert not Campaign.objects.filter(deleted_at__isnull=False).exists()
    empty = owner.delete(url, {"ids": []}, content_type=JSON)
    assert empty.status_code == 400 and empty.json()["code"] == "NOTHING_SELECTED"
    missing = owner.delete(url, {"ids": [first.pk, 999999]}, content_type=JSON)
    assert missing.status_code == 404

    done = owner.delete(url, {"ids": [first.pk]}, content_type=JSON)
    assert done.status_code == 200 and done.json() == {"deleted": 1}
    participation.refresh_from_db()
    assert participation.user is None and participation.deleted_at is not None
    assert owner.get(f"/api/v1/campaigns/{first.pk}").status_code == 404
    assert api_client(admin).delete(url, {"ids": [second.pk]}, content_type=JSON).status_code == 200


@pytest.fixture
def results_campaign(open_school, profiles, content):
    """An assessment campaign with multiple sendings: Ana shared twice (better the second
    time), Bob shared once (everything skipped), Chloé is still taking the test."""
    organization, _admin, teacher = open_school
    campaign = _campaign(organization, teacher, profiles["rentree-6e"], multiple_sendings=True)
    people = {
        "ana": UserFactory(first_name="Ana", last_name="Alvarez"),
        "bob": UserFactory(first_name="Bob", last_name="Berger"),
        "chloe": UserFactory(first_name="Chloé", last_name="Chevalier"),
    }
    from tests.campaigns.conftest import play

    first = services.join_campaign(user=people["ana"], code=campaign.code)
    play(services.current_assessment(first), policy=lambda c, n: n % 3 == 0)
    services.share(participation=first, user=people["ana"])
    Participation.objects.filter(pk=first.pk).update(
        shared_at=timezone.now() - timedelta(days=5), created_at=timezone.now() - timedelta(days=6)
    )
    KnowledgeElement.objects.filter(user=people["ana"]).update(
        created_at=timezone.now() - timedelta(days=6)
    )
    second = services.join_campaign(user=people["ana"], code=campaign.code)
    play(services.current_assessment(second))
    services.share(participation=second, user=people["ana"])
    bob = services.join_campaign(user=people["bob"], code=campaign.code)
    play(services.current_assessment(bob), policy=lambda c, n: False)
    services.share(participation=bob, user=people["bob"])
    services.join_campaign(user=people["chloe"], code=campaign.code)
    return campaign, people, {"ana_first": first, "ana": second, "bob": bob}


def test_activity_counts_the_current_participations(api_client, open_school, results_campaign):
    _organization, _admin, teacher = open_school
    campaign, _people, _rows = results_campaign
    response = api_client(teacher).get(f"/api/v1/campaigns/{campaign.pk}/activity")
    assert response.status_code == 200
    body = response.json()
    assert (body["participants"], body["shared"], body["started"], body["to_share"]) == (3, 2, 1, 0)
    assert 0 <= body["average_result"] <= 100
    assert sum(band["count"] for band in body["by_result_band"]) == 2
    assert sum(day["started"] for day in body["by_day"]) == 4  # every sending counts its day


def test_results_list_shared_participations_with_evolution(
    api_client, open_school, results_campaign, django_assert_max_num_queries
):
    _organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    api = api_client(teacher)
    url = f"/api/v1/campaigns/{campaign.pk}/results"
    with django_assert_max_num_queries(12):
        response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    ana, bob = body["results"]
    assert (ana["last_name"], ana["first_name"]) == ("Alvarez", "Ana")
    assert ana["id"] == rows["ana"].pk and ana["sendings"] == 2
    assert ana["evolution"] == "increase"
    assert bob["evolution"] is None and bob["sendings"] == 1
    assert bob["percentage"] == 0 and bob["reached_stage"] == 1
    assert ana["percentage"] > 0 and ana["reached_stage"] > 1

    by_name = api.get(url, {"search": "berg"}).json()
    assert [r["id"] for r in by_name["results"]] == [rows["bob"].pk]
    by_stage = api.get(url, {"stage": [1]}).json()
    assert [r["id"] for r in by_stage["results"]] == [rows["bob"].pk]
    rows["ana"].refresh_from_db()
    if rows["ana"].badge_keys:
        by_badge = api.get(url, {"badge": rows["ana"].badge_keys[:1]}).json()
        assert [r["id"] for r in by_badge["results"]] == [rows["ana"].pk]
    assert api.get(url, {"badge": ["inconnu"]}).json()["count"] == 0

    participants = api.get(f"/api/v1/campaigns/{campaign.pk}/participants").json()
    assert participants["count"] == 3
    started = api.get(f"/api/v1/campaigns/{campaign.pk}/participants", {"status": ["started"]})
    assert [r["last_name"] for r in started.json()["results"]] == ["Chevalier"]
    bad = api.get(f"/api/v1/campaigns/{campaign.pk}/participants", {"status": ["lost"]})
    assert bad.status_code == 422


def test_analysis_and_a_participant(api_client, open_school, results_campaign):
    organization, _admin, teacher = open_school
    campaign, _people, rows = results_campaign
    api = api_client(teacher)

    analysis = api.get(f"/api/v1/campaigns/{campaign.pk}/analysis").json()
    assert analysis["counted"] == 2
    assert analysis["competences"] and analysis["tubes"]
    scores = [tube["score"] for tube in analysis["tubes"]]
    assert scores == sorted(scores, reverse=True)

    url = f"/api/v1/campaigns/{campaign.pk}/participations/{rows['ana'].pk}"
    detail = api.get(url).json()
    assert detail["participant"]["evolution"] == "increase"
    assert [s["id"] for s in detail["sendings"]] == [rows["ana_first"].pk, rows["ana"].pk]
    assert detail["result"]["frozen"] is True
    assert detail["result"]["percentage"] == detail["participant"]["percentage"]
    assert len(detail["tubes"]) == len(campaign.capped_tubes)
    first = api.get(f"/api/v1/campaigns/{campaign.pk}/participations/{rows['ana_first'].pk}")
    assert first.json()["participant"]["evolution"] is None

    other = _campaign(organization, teacher, campaign.target_profile)
    assert (
        api.get(f"/api/v1/campaigns/{other.pk}/participations/{rows['ana'].pk}").status_code == 404
    )
    started = Participation.objects.get(campaign=campaign, status="started")
    unshared = api.get(f"/api/v1/campaigns/{campaign.pk}/participations/{started.pk}").json()
    assert unshared["result"] is None and unshared["tubes"] == []


def test_openapi_describes_the_campaign_endpoints_in_french(api_client, open_school):
    schema = Client().get("/api/v1/openapi.json").json()
    summaries = {
        (path, method): operation["summary"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert summaries[("/api/v1/campaigns/{code}/participations", "post")].startswith("Rejoindre")
    assert ("/api/v1/campaigns/{campaign_id}/results", "get") in summaries
    assert ("/api/v1/participations/{participation_id}/share", "post") in summaries


def read_csv(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_export_streams_the_csv_of_a_small_campaign(api_client, open_school, results_campaign):
    _organization, _admin, _teacher = open_school
    campaign, _people, _rows = results_campaign
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=campaign.organization, role="MEMBER")
    response = api_client(colleague).get(f"/api/v1/campaigns/{campaign.pk}/export")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    _header, *lines = read_csv(b"".join(response.streaming_content))
    assert len(lines) == 3  # each participant's latest participation
    stranger = api_client(UserFactory())
    assert stranger.get(f"/api/v1/campaigns/{campaign.pk}/export").status_code == 404


def test_big_campaigns_export_in_the_background(
    api_client, settings, open_school, results_campaign
):
    _organization, _admin, teacher = open_school
    campaign, _people, _rows = results_campaign
    settings.OCTETS_EXPORT_SYNC_MAX = 2
    api = api_client(teacher)
    too_big = api.get(f"/api/v1/campaigns/{campaign.pk}/export")
    assert too_big.status_code == 409 and too_big.json()["code"] == "EXPORT_TOO_BIG"
    started = api.post(f"/api/v1/campaigns/{campaign.pk}/exports")
    assert started.status_code == 202
    job = started.json()  # the test settings run jobs as soon as they are enqueued
    status = api.get(f"/api/v1/campaigns/{campaign.pk}/exports/{job['id']}").json()
    assert status["status"] == "succeeded" and status["rows"] == 3
    assert status["download_url"] == f"/api/v1/campaigns/{campaign.pk}/exports/{job['id']}/file"
    file = api.get(status["download_url"])
    assert file.status_code == 200
    assert len(read_csv(b"".join(file.streaming_content))) == 4

    Job.objects.filter(pk=job["id"]).update(finished_at=timezone.now() - timedelta(days=8))
    expired = api.get(f"/api/v1/campaigns/{campaign.pk}/exports/{job['id']}").json()
    assert expired["download_url"] is None
    assert api.get(status["download_url"]).status_code == 404

    other = _campaign(campaign.organization, teacher, campaign.target_profile)
    assert api.get(f"/api/v1/campaigns/{other.pk}/exports/{job['id']}").status_code == 404
    stranger = api_client(UserFactory())
    assert stranger.get(status["download_url"]).status_code == 404
    assert stranger.post(f"/api/v1/campaigns/{campaign.pk}/exports").status_code == 404
