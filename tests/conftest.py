"""Shared fixtures: factories, the role matrix personas, API clients."""

import pytest
from django.test import Client

from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

PASSWORD = "Motdepasse1"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def login(client):
    """Sign a user in on the test client (through the real login form)."""

    def do_login(user, c=None):
        c = c or client
        response = c.post(
            "/connexion/", {"username": user.email or user.username, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:500]
        return c

    return do_login


class Personas:
    """Two schools; for each protected URL the matrix asks what each persona gets."""

    def __init__(self):
        self.school = OrganizationFactory(name="Collège Alpha", external_id="0750001A")
        self.other_school = OrganizationFactory(name="Collège Beta", external_id="0750002B")
        self.admin = MembershipFactory(organization=self.school, role="ADMIN").user
        self.second_admin_membership = MembershipFactory(organization=self.school, role="ADMIN")
        self.member_membership = MembershipFactory(organization=self.school, role="MEMBER")
        self.member = self.member_membership.user
        self.other_admin = MembershipFactory(organization=self.other_school, role="ADMIN").user
        self.other_member_membership = MembershipFactory(
            organization=self.other_school, role="MEMBER"
        )
        self.learner = UserFactory()  # an account with no organization
        self.platform_admin = UserFactory(is_staff=True, is_superuser=True)

    def client_for(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(
                getattr(self, name), backend="octets.accounts.backends.EmailOrUsernameBackend"
            )
        return client


@pytest.fixture
def personas(db):
    return Personas()


@pytest.fixture
def api_client():
    """A client that sends ``Authorization: Bearer`` for the given user."""
    from octets.accounts.models import PersonalAccessToken

    def make(user):
        _token, raw = PersonalAccessToken.issue(user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
