"""Team pages: what an admin and a member see and do, and how bad input is answered."""

import re

import pytest
from django.core import mail

from octets.organizations.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def squash(html: str) -> str:
    """Whitespace-free HTML with CSRF tokens blanked (they are masked differently per render)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s+", "", html)


@pytest.fixture
def admin(db):
    return MembershipFactory(admin=True, user__first_name="Alice", user__last_name="Admin").user


@pytest.fixture
def school(admin):
    return admin.memberships.get().organization


def test_members_list_search_role_filter_and_pagination(client, login, admin, school):
    for i in range(30):
        MembershipFactory(organization=school, user__last_name=f"Zed{i:02d}")
    MembershipFactory(organization=school, user__last_name="Disabled", disabled=True)
    login(admin)
    page = client.get("/equipe/membres/", {"taille": 10})
    body = page.content.decode()
    assert "31 membres" in body
    assert body.count("<tr data-member=") == 10
    assert "Disabled" not in body
    filtered = client.get("/equipe/membres/", {"search": "zed07"}).content.decode()
    assert "1 membre" in filtered and "Zed07" in filtered and "Zed08" not in filtered
    admins = client.get("/equipe/membres/", {"role": "ADMIN"}).content.decode()
    assert "1 membre" in admins and "Alice" in admins
    last_page = client.get("/equipe/membres/", {"taille": 10, "page": 4}).content.decode()
    assert last_page.count("<tr data-member=") == 1


def test_members_htmx_fragment_equals_the_same_part_of_the_page(client, login, admin, school):
    MembershipFactory(organization=school)
    login(admin)
    full = client.get("/equipe/membres/").content.decode()
    fragment = (
        client.get("/equipe/membres/", headers={"HX-Request": "true"}).content.decode().strip()
    )
    assert fragment.startswith('<div id="members-table">')
    assert squash(fragment) in squash(full)


def test_members_list_query_count_does_not_grow_with_members(
    client, login, admin, school, django_assert_max_num_queries
):
    login(admin)
    MembershipFactory.create_batch(5, organization=school)
    with django_assert_max_num_queries(14):
        client.get("/equipe/membres/")
    MembershipFactory.create_batch(20, organization=school)
    with django_assert_max_num_queries(14):
        client.get("/equipe/membres/")


def test_member_sees_no_management_controls(client, login, school):
    member = MembershipFactory(organization=school).user
    login(member)
    body = client.get("/equipe/membres/").content.decode()
    assert "Modifier le rôle" not in body and "Inviter un membre" not in body
    assert client.get("/equipe/inviter/").status_code == 403


def test_invite_page_with_bad_addresses_lists_each_problem(client, login, admin):
    login(admin)
    response = client.post(
        "/equipe/inviter/", {"emails": "bon@college.example, mauvais@, @aussi", "role": "MEMBER"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Aucune invitation n&#x27;a été envoyée" in body
    assert "mauvais@" in body and "@aussi" in body
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invite_page_success_goes_to_pending_list(client, login, admin):
    login(admin)
    response = client.post(
        "/equipe/inviter/", {"emails": "a@college.example,b@college.example", "role": "ADMIN"}
    )
    assert response.status_code == 302 and response["Location"] == "/equipe/invitations/"
    listing = client.get("/equipe/invitations/").content.decode()
    assert "a@college.example" in listing and "b@college.example" in listing
    assert "Date de dernier envoi" in listing
    assert len(mail.outbox) == 2


def test_invite_unknown_role_is_a_form_error(client, login, admin):
    login(admin)
    response = client.post("/equipe/inviter/", {"emails": "a@college.example", "role": "OWNER"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_archived_school_cannot_invite_from_the_page(client, login, admin, school):
    school.archived_at = school.created_at
    school.save()
    login(admin)
    response = client.post("/equipe/inviter/", {"emails": "a@college.example", "role": "MEMBER"})
    assert response.status_code == 403
    assert "archivée" in response.content.decode()


def test_last_admin_demotion_from_the_page_is_refused(client, login, admin, school):
    login(admin)
    membership = admin.memberships.get()
    response = client.post(f"/equipe/membres/{membership.pk}/role/", {"role": "MEMBER"})
    assert response.status_code == 409
    assert "dernier administrateur" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "ADMIN"


def test_remove_member_through_confirmation(client, login, admin, school):
    member = MembershipFactory(organization=school, user__first_name="Bob")
    login(admin)
    confirm = client.get(f"/equipe/membres/{member.pk}/supprimer/")
    assert "Supprimer Bob" in confirm.content.decode()
    assert client.post(f"/equipe/membres/{member.pk}/supprimer/").status_code == 302
    member.refresh_from_db()
    assert member.disabled_at is not None


def test_last_admin_leave_page_explains_and_post_is_refused(client, login, admin):
    login(admin)
    assert "dernier administrateur" in client.get("/equipe/quitter/").content.decode()
    assert client.post("/equipe/quitter/").status_code == 409
    assert admin.memberships.get().disabled_at is None


def test_member_leaves_and_is_signed_out(client, login, school):
    member = MembershipFactory(organization=school)
    login(member.user)
    assert client.post("/equipe/quitter/").status_code == 302
    member.refresh_from_db()
    assert member.disabled_at is not None
    assert "_auth_user_id" not in client.session


def test_switching_between_organizations(client, login):
    user = UserFactory()
    first = MembershipFactory(
        user=user, organization=OrganizationFactory(name="Collège Un")
    ).organization
    second = MembershipFactory(
        user=user, organization=OrganizationFactory(name="Lycée Deux")
    ).organization
    stranger = OrganizationFactory(name="Lycée Trois")
    login(user)
    page = client.get("/equipe/membres/").content.decode()
    assert 'id="switch-organization"' in page
    client.post("/organisation/changer/", {"organization": second.pk})
    assert "Lycée Deux</span>" in client.get("/equipe/membres/").content.decode()
    client.post("/organisation/changer/", {"organization": first.pk})
    assert "Collège Un</span>" in client.get("/equipe/membres/").content.decode()
    assert client.post("/organisation/changer/", {"organization": stranger.pk}).status_code == 403
    assert client.post("/organisation/changer/", {"organization": "abc"}).status_code == 403


# --- joining -----------------------------------------------------------------------------------


def test_join_by_signing_up(client, school):
    invitation = InvitationFactory(organization=school, email="nouveau@college.example")
    url = f"/rejoindre/{invitation.pk}/{invitation.code}/"
    page = client.get(url)
    assert page.status_code == 200 and school.name in page.content.decode()
    response = client.post(
        url,
        {
            "action": "signup",
            "first_name": "Nina",
            "last_name": "Nouvelle",
            "email": "nouveau@college.example",
            "password": "Bienvenue2026",
            "cgu": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/equipe/membres/"
    assert Membership.objects.filter(
        organization=school, user__email="nouveau@college.example"
    ).exists()
    assert "Nouvelle" in client.get("/equipe/membres/").content.decode()


def test_join_with_bad_signup_keeps_invitation_pending(client, school):
    invitation = InvitationFactory(organization=school)
    url = f"/rejoindre/{invitation.pk}/{invitation.code}/"
    response = client.post(
        url,
        {"action": "signup", "first_name": "N", "last_name": "N", "email": "x", "password": "a"},
    )
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_join_by_signing_in(client, school, password):
    teacher = UserFactory(email="prof@college.example")
    invitation = InvitationFactory(organization=school, role="MEMBER")
    url = f"/rejoindre/{invitation.pk}/{invitation.code}/"
    wrong = client.post(
        url, {"action": "login", "username": "prof@college.example", "password": "Faux12345"}
    )
    assert wrong.status_code == 400
    ok = client.post(
        url, {"action": "login", "username": "prof@college.example", "password": password}
    )
    assert ok.status_code == 302
    assert Membership.objects.get(user=teacher).organization == school


@pytest.mark.parametrize(
    ("traits", "status", "text"),
    [
        ({"accepted": True}, 409, "déjà été acceptée"),
        ({"cancelled": True}, 410, "annulée"),
        ({"expired": True}, 410, "expiré"),
    ],
)
def test_dead_join_links_explain_themselves(client, traits, status, text):
    invitation = InvitationFactory(**traits)
    response = client.get(f"/rejoindre/{invitation.pk}/{invitation.code}/")
    assert response.status_code == status
    assert text in response.content.decode()


def test_tampered_join_link(client):
    invitation = InvitationFactory()
    response = client.get(f"/rejoindre/{invitation.pk}/AAAAAAAAAA/")
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()
    assert client.get(f"/rejoindre/{invitation.pk + 999}/{invitation.code}/").status_code == 404


# --- activate my space --------------------------------------------------------------------------


def test_activate_space_page(client):
    OrganizationFactory(
        external_id="0750042K", email="ce.0750042k@ac-test.example", name="Collège Quarante-Deux"
    )
    response = client.post(
        "/demande-administration-sco/", {"uai": "0750042k", "first_name": "Ada", "last_name": "L"}
    )
    assert response.status_code == 200
    assert "Collège Quarante-Deux" in response.content.decode()
    assert mail.outbox[0].to == ["ce.0750042k@ac-test.example"]
    unknown = client.post(
        "/demande-administration-sco/", {"uai": "0759999Z", "first_name": "A", "last_name": "B"}
    )
    assert unknown.status_code == 404
    assert "aucun établissement" in unknown.content.decode()
    missing = client.post(
        "/demande-administration-sco/", {"uai": "", "first_name": "", "last_name": ""}
    )
    assert missing.status_code == 400


def test_unknown_page_is_a_french_404(client, login, admin):
    login(admin)
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
