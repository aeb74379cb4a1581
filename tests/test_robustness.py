"""Requests no school sends on purpose: a NUL character anywhere (PostgreSQL cannot store it)
and unknown API addresses get a clear 4xx in French, never a 500."""

import pytest

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client):
    membership = MembershipFactory(role="ADMIN")
    return api_client(membership.user), membership.organization


def test_nul_in_a_json_body_is_refused_with_a_french_json_error(api):
    client, organization = api
    response = client.post(
        f"/api/v1/organizations/{organization.pk}/campaigns",
        '{"type": "profiles_collection", "name": "a\\u0000b"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "NULL_CHARACTER"
    assert "caractère nul" in response.json()["message"]
    from octets.campaigns.models import Campaign

    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/campaigns/by-code/AB%00C", "/campagne/AB%00C/", "/api/v1/health?x=a%00b"],
)
def test_nul_in_the_address_or_query_is_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()


def test_nul_in_a_form_is_refused(client):
    response = client.post(
        "/connexion/", "username=a%00b&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_zip_upload_with_nul_bytes_is_not_refused_by_the_filter(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/connexion/", {"file": SimpleUploadedFile("a.zip", b"PK\x00\x00")})
    assert "caractère nul" not in response.content.decode()


def test_unknown_api_address_answers_json(client):
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert client.get("/api/v2/anything").json()["code"] == "NOT_FOUND"
