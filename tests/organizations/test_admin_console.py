"""The platform operator creates organizations in the admin console, with the same rules."""

import pytest

from octets.organizations.models import Organization
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True),
        backend="octets.accounts.backends.EmailOrUsernameBackend",
    )
    return client


def form(**overrides):
    data = {
        "type": "SCO",
        "name": "Lycée Console",
        "external_id": "0750123C",
        "email": "ce@ac.example",
        "is_managing_students": "on",
    }
    # The members inline of the page (empty here).
    data.update({"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


def test_operator_creates_an_organization(operator_client):
    response = operator_client.post(
        "/admin/organizations/organization/add/", form(external_id=" 0750123c ")
    )
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.external_id == "0750123C" and organization.created_by.is_staff


def test_operator_gets_french_errors_for_bad_uai_and_duplicates(operator_client):
    bad = operator_client.post("/admin/organizations/organization/add/", form(external_id="123"))
    assert bad.status_code == 200 and "n&#x27;est pas valide" in bad.content.decode()
    OrganizationFactory(external_id="0750123C")
    duplicate = operator_client.post("/admin/organizations/organization/add/", form())
    assert "existe déjà" in duplicate.content.decode()
    assert Organization.objects.count() == 1
