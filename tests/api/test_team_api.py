"""Behaviour of the team API (/api/v1): members, roles, the last-admin rule, invitations, docs."""

import re
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from octets import __version__
from octets.accounts.models import PersonalAccessToken, hash_token
from octets.jobs.models import Job
from octets.organizations.models import Invitation
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def school():
    return OrganizationFactory(name="Collège Gamma", external_id="0750003C")


@pytest.fixture
def admin_membership(school):
    user = UserFactory(first_name="Alice", last_name="Martin", email="alice.martin@gamma.example")
    return MembershipFactory(organization=school, user=user, role="ADMIN")


@pytest.fixture
def admin(admin_membership):
    return admin_membership.user


@pytest.fixture
def api(api_client, admin):
    return api_client(admin)


def _member(school, first_name, last_name, role="MEMBER", **kwargs):
    email = f"{first_name}.{last_name}@gamma.example".lower()
    user = UserFactory(first_name=first_name, last_name=last_name, email=email)
    return MembershipFactory(organization=school, user=user, role=role, **kwargs)


@pytest.fixture
def team(school, admin_membership):
    """Alice Martin (ADMIN), Bruno Durand, Chloe Petit, Chloe Durand; a removed Zoe Bernard."""
    return {
        "alice": admin_membership,
        "bruno": _member(school, "Bruno", "Durand"),
        "chloe": _member(school, "Chloe", "Petit"),
        "chloe_d": _member(school, "Chloe", "Durand"),
        "zoe": _member(school, "Zoe", "Bernard", disabled=True),
    }


def org_url(school, suffix=""):
    return f"/api/v1/organizations/{school.pk}{suffix}"


def nothing_sent():
    return Invitation.objects.count() == 0 and Job.objects.count() == 0 and mail.outbox == []


# --- members: list, search, filter, pagination ------------------------------------------------


def test_members_are_the_active_ones_sorted_by_name(api, school, team):
    response = api.get(org_url(school, "/members"))

    assert response.status_code == 200
    body = response.json()
    names = [(m["last_name"], m["first_name"]) for m in body["results"]]
    assert names == [
        ("Durand", "Bruno"),
        ("Durand", "Chloe"),
        ("Martin", "Alice"),
        ("Petit", "Chloe"),
    ]
    assert body["count"] == 4
    assert (body["page"], body["page_size"]) == (1, 25)
    alice = next(m for m in body["results"] if m["first_name"] == "Alice")
    assert alice["id"] == team["alice"].pk
    assert alice["user_id"] == team["alice"].user_id
    assert alice["email"] == "alice.martin@gamma.example"
    assert alice["role"] == "ADMIN"
    assert set(alice) == {"id", "user_id", "first_name", "last_name", "email", "role", "created_at"}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("durand", ["Bruno Durand", "Chloe Durand"]),
        ("CHLOE", ["Chloe Durand", "Chloe Petit"]),
        ("chloe petit", ["Chloe Petit"]),
        ("  petit   chloe ", ["Chloe Petit"]),
        ("bruno.durand@", ["Bruno Durand"]),
        ("gamma.example", ["Bruno Durand", "Chloe Durand", "Alice Martin", "Chloe Petit"]),
        ("bernard", []),  # removed members are not found either
        ("personne", []),
    ],
)
def test_search_matches_first_name_last_name_and_email(api, school, team, search, expected):
    response = api.get(org_url(school, "/members"), {"search": search})

    assert response.status_code == 200
    body = response.json()
    assert [f"{m['first_name']} {m['last_name']}" for m in body["results"]] == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("ADMIN", {"Alice"}), ("MEMBER", {"Bruno", "Chloe"})],
)
def test_role_filter(api, school, team, role, expected):
    _member(school, "Denis", "Admin", role="ADMIN", disabled=True)

    response = api.get(org_url(school, "/members"), {"role": role})

    assert response.status_code == 200
    results = response.json()["results"]
    assert {m["first_name"] for m in results} == expected
    assert {m["role"] for m in results} == {role}


def test_unknown_role_filter_is_a_422_in_french(api, school, team):
    response = api.get(org_url(school, "/members"), {"role": "OWNER"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "VALIDATION_ERROR",
        "message": "La requête contient des erreurs.",
        "details": ["La valeur du champ « rôle » n'est pas autorisée."],
    }


def test_pagination(api, school, team):
    ordered = [team[k].pk for k in ("bruno", "chloe_d", "alice", "chloe")]

    pages = [
        api.get(org_url(school, "/members"), {"page": n, "page_size": 3}).json() for n in (1, 2, 3)
    ]

    assert [[m["id"] for m in page["results"]] for page in pages] == [ordered[:3], ordered[3:], []]
    assert [page["count"] for page in pages] == [4, 4, 4]
    assert [(page["page"], page["page_size"]) for page in pages] == [(1, 3), (2, 3), (3, 3)]


def test_out_of_range_page_and_page_size_are_clamped(api, school, team):
    body = api.get(org_url(school, "/members"), {"page": 0, "page_size": 0}).json()
    assert (body["page"], body["page_size"], len(body["results"])) == (1, 1, 1)

    body = api.get(org_url(school, "/members"), {"page": -3, "page_size": -10}).json()
    assert (body["page"], body["page_size"], len(body["results"])) == (1, 1, 1)


def test_page_size_is_capped_at_100(api, school, admin_membership):
    MembershipFactory.create_batch(104, organization=school)  # 105 members with the admin

    first = api.get(org_url(school, "/members"), {"page_size": 500}).json()
    second = api.get(org_url(school, "/members"), {"page_size": 500, "page": 2}).json()

    assert (first["count"], first["page_size"], len(first["results"])) == (105, 100, 100)
    assert (second["page"], len(second["results"])) == (2, 5)
    assert not {m["id"] for m in first["results"]} & {m["id"] for m in second["results"]}


def test_non_numeric_page_is_a_422_in_french(api, school, team):
    response = api.get(org_url(school, "/members"), {"page": "deux"})

    assert response.status_code == 422
    assert response.json()["details"] == ["Le champ « page » doit être un nombre."]


# --- members: role changes and removal --------------------------------------------------------


def test_admin_promotes_a_member(api, school, team, admin):
    response = api.patch(
        org_url(school, f"/members/{team['bruno'].pk}"), {"role": "ADMIN"}, content_type=JSON
    )

    assert response.status_code == 200
    assert response.json()["id"] == team["bruno"].pk
    assert response.json()["role"] == "ADMIN"
    team["bruno"].refresh_from_db()
    assert team["bruno"].role == "ADMIN"
    assert team["bruno"].updated_by == admin


def test_admin_demotes_another_admin(api, school, team):
    other_admin = _member(school, "Eric", "Roux", role="ADMIN")

    response = api.patch(
        org_url(school, f"/members/{other_admin.pk}"), {"role": "MEMBER"}, content_type=JSON
    )

    assert response.status_code == 200
    other_admin.refresh_from_db()
    assert other_admin.role == "MEMBER"


def test_unknown_role_is_refused_and_nothing_changes(api, school, team):
    response = api.patch(
        org_url(school, f"/members/{team['bruno'].pk}"), {"role": "OWNER"}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["details"] == ["La valeur du champ « rôle » n'est pas autorisée."]
    team["bruno"].refresh_from_db()
    assert team["bruno"].role == "MEMBER"


@pytest.mark.parametrize("who", ["zoe", "missing"])
def test_role_of_a_removed_or_unknown_member_is_404(api, school, team, who):
    membership_id = team["zoe"].pk if who == "zoe" else 999_999

    response = api.patch(
        org_url(school, f"/members/{membership_id}"), {"role": "ADMIN"}, content_type=JSON
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": "NOT_FOUND",
        "message": "Ce membre n'existe pas dans cette organisation.",
        "details": [],
    }
    team["zoe"].refresh_from_db()
    assert team["zoe"].role == "MEMBER"


def test_admin_removes_a_member(api, school, team, admin):
    url = org_url(school, f"/members/{team['bruno'].pk}")

    response = api.delete(url)

    assert response.status_code == 204
    team["bruno"].refresh_from_db()
    assert team["bruno"].disabled_at is not None
    assert team["bruno"].updated_by == admin
    listed = {m["id"] for m in api.get(org_url(school, "/members")).json()["results"]}
    assert team["bruno"].pk not in listed
    assert api.delete(url).status_code == 404


def test_a_member_leaves_by_deleting_their_own_membership(api_client, school, team):
    bruno = team["bruno"]

    response = api_client(bruno.user).delete(org_url(school, f"/members/{bruno.pk}"))

    assert response.status_code == 204
    bruno.refresh_from_db()
    assert bruno.disabled_at is not None
    assert api_client(bruno.user).get(org_url(school, "/members")).status_code == 404


# --- the last active admin --------------------------------------------------------------------


def test_last_admin_cannot_be_demoted(api, school, team):
    response = api.patch(
        org_url(school, f"/members/{team['alice'].pk}"), {"role": "MEMBER"}, content_type=JSON
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "LAST_ADMIN"
    assert "dernier administrateur" in body["message"]
    team["alice"].refresh_from_db()
    assert team["alice"].role == "ADMIN"


def test_last_admin_cannot_be_removed(api, school, team):
    response = api.delete(org_url(school, f"/members/{team['alice'].pk}"))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "LAST_ADMIN"
    assert "dernier administrateur" in body["message"]
    team["alice"].refresh_from_db()
    assert team["alice"].disabled_at is None


def test_removed_admins_do_not_count_as_admins(api, school, team):
    _member(school, "Denis", "Ancien", role="ADMIN", disabled=True)

    response = api.patch(
        org_url(school, f"/members/{team['alice'].pk}"), {"role": "MEMBER"}, content_type=JSON
    )

    assert response.status_code == 409
    assert response.json()["code"] == "LAST_ADMIN"


def test_an_admin_can_step_down_while_another_remains_then_not_the_last(
    api, api_client, school, team
):
    eric = _member(school, "Eric", "Roux", role="ADMIN")
    alice_url = org_url(school, f"/members/{team['alice'].pk}")

    assert api.patch(alice_url, {"role": "MEMBER"}, content_type=JSON).status_code == 200

    eric_api = api_client(eric.user)
    eric_url = org_url(school, f"/members/{eric.pk}")
    demote = eric_api.patch(eric_url, {"role": "MEMBER"}, content_type=JSON)
    leave = eric_api.delete(eric_url)
    assert (demote.status_code, leave.status_code) == (409, 409)
    assert demote.json()["code"] == leave.json()["code"] == "LAST_ADMIN"
    eric.refresh_from_db()
    assert (eric.role, eric.disabled_at) == ("ADMIN", None)


# --- invitations: create ----------------------------------------------------------------------


def test_invite_several_comma_separated_addresses(api, school, admin):
    response = api.post(
        org_url(school, "/invitations"),
        {"emails": "lea@gamma.example, Marc@Gamma.example ;noe@gamma.example\n"},
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    expected = ["lea@gamma.example", "marc@gamma.example", "noe@gamma.example"]
    assert [i["email"] for i in body] == expected
    assert {(i["role"], i["status"], i["expired"]) for i in body} == {("MEMBER", "pending", False)}
    invitations = Invitation.objects.filter(organization=school).order_by("email")
    assert [i.email for i in invitations] == expected
    assert {i.invited_by for i in invitations} == {admin}
    assert {i.pk for i in invitations} == {i["id"] for i in body}

    jobs = Job.objects.filter(kind="send_invitation_email", organization=school)
    assert sorted(j.payload["invitation_id"] for j in jobs) == sorted(i.pk for i in invitations)
    assert {j.status for j in jobs} == {Job.Status.SUCCEEDED}

    assert sorted(m.to[0] for m in mail.outbox) == expected
    for invitation in invitations:
        message = next(m for m in mail.outbox if m.to == [invitation.email])
        assert message.subject == "Invitation à rejoindre Collège Gamma sur Octets"
        assert f"/rejoindre/{invitation.pk}/{invitation.code}/" in message.body


def test_invite_a_list_of_addresses_as_admins_without_duplicates(api, school):
    response = api.post(
        org_url(school, "/invitations"),
        {
            "emails": ["lea@gamma.example", "LEA@gamma.example ", "noe@gamma.example"],
            "role": "ADMIN",
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    assert [(i["email"], i["role"]) for i in response.json()] == [
        ("lea@gamma.example", "ADMIN"),
        ("noe@gamma.example", "ADMIN"),
    ]
    assert Invitation.objects.filter(organization=school, role="ADMIN").count() == 2
    assert len(mail.outbox) == 2


def test_invalid_addresses_are_each_listed_and_nothing_is_created(api, school):
    response = api.post(
        org_url(school, "/invitations"),
        {"emails": "ok@gamma.example, pas-une-adresse, double@@gamma.example"},
        content_type=JSON,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_EMAIL"
    assert body["message"] == "Aucune invitation n'a été envoyée."
    assert body["details"] == [
        "« pas-une-adresse » n'est pas une adresse e-mail valide.",
        "« double@@gamma.example » n'est pas une adresse e-mail valide.",
    ]
    assert nothing_sent()


def test_no_address_at_all_is_a_400(api, school):
    response = api.post(org_url(school, "/invitations"), {"emails": " , ;"}, content_type=JSON)

    assert response.status_code == 400
    assert response.json()["code"] == "EMAIL_REQUIRED"
    assert nothing_sent()


def test_inviting_a_current_member_is_a_409(api, school, team):
    response = api.post(
        org_url(school, "/invitations"),
        {"emails": "nouveau@gamma.example, Bruno.Durand@gamma.example"},
        content_type=JSON,
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ALREADY_INVITED_OR_MEMBER"
    assert body["details"] == ["bruno.durand@gamma.example fait déjà partie de l'équipe."]
    assert nothing_sent()


def test_a_removed_member_can_be_invited_again(api, school, team):
    response = api.post(
        org_url(school, "/invitations"), {"emails": "zoe.bernard@gamma.example"}, content_type=JSON
    )

    assert response.status_code == 201
    assert Invitation.objects.filter(email="zoe.bernard@gamma.example").count() == 1


def test_an_address_with_a_pending_invitation_is_a_409(api, school):
    pending = InvitationFactory(organization=school, email="lea@gamma.example")
    code, last_sent_at = pending.code, pending.last_sent_at

    response = api.post(
        org_url(school, "/invitations"),
        {"emails": "noe@gamma.example, lea@gamma.example"},
        content_type=JSON,
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ALREADY_INVITED_OR_MEMBER"
    assert len(body["details"]) == 1
    assert "lea@gamma.example" in body["details"][0]
    assert "Renvoyer" in body["details"][0]
    assert list(Invitation.objects.values_list("email", flat=True)) == ["lea@gamma.example"]
    pending.refresh_from_db()
    assert (pending.code, pending.last_sent_at) == (code, last_sent_at)
    assert Job.objects.count() == 0 and mail.outbox == []


def test_an_expired_invitation_is_revived_with_a_new_code(api, school):
    expired = InvitationFactory(organization=school, email="lea@gamma.example", expired=True)
    old_code = expired.code

    response = api.post(
        org_url(school, "/invitations"), {"emails": "lea@gamma.example"}, content_type=JSON
    )

    assert response.status_code == 201
    assert [(i["id"], i["expired"]) for i in response.json()] == [(expired.pk, False)]
    expired.refresh_from_db()
    assert expired.code != old_code
    assert not expired.is_expired
    assert Invitation.objects.count() == 1
    assert f"/rejoindre/{expired.pk}/{expired.code}/" in mail.outbox[0].body


def test_an_archived_organization_cannot_invite(api, school):
    school.archived_at = timezone.now()
    school.save(update_fields=["archived_at"])

    response = api.post(
        org_url(school, "/invitations"), {"emails": "lea@gamma.example"}, content_type=JSON
    )

    assert response.status_code == 403
    assert response.json()["code"] == "ORGANIZATION_ARCHIVED"
    assert "archivée" in response.json()["message"]
    assert nothing_sent()


def test_pending_invitations_are_capped(api, school, settings):
    settings.OCTETS_MAX_PENDING_INVITATIONS = 3
    InvitationFactory.create_batch(2, organization=school)
    InvitationFactory(organization=school, expired=True)  # expired ones do not count
    InvitationFactory(organization=school, cancelled=True)  # nor closed ones
    before = Invitation.objects.count()

    too_many = api.post(
        org_url(school, "/invitations"),
        {"emails": "lea@gamma.example, noe@gamma.example"},
        content_type=JSON,
    )

    assert too_many.status_code == 409
    assert too_many.json()["code"] == "TOO_MANY_PENDING_INVITATIONS"
    assert "Au plus 3 invitations" in too_many.json()["message"]
    assert Invitation.objects.count() == before  # all or nothing
    assert Job.objects.count() == 0 and mail.outbox == []

    up_to_the_limit = api.post(
        org_url(school, "/invitations"), {"emails": "lea@gamma.example"}, content_type=JSON
    )
    assert up_to_the_limit.status_code == 201

    one_more = api.post(
        org_url(school, "/invitations"), {"emails": "noe@gamma.example"}, content_type=JSON
    )
    assert one_more.status_code == 409
    assert one_more.json()["code"] == "TOO_MANY_PENDING_INVITATIONS"
    assert not Invitation.objects.filter(email="noe@gamma.example").exists()


# --- invitations: list, resend, cancel --------------------------------------------------------


def test_list_shows_pending_invitations_only(api, school):
    now = timezone.now()
    recent = InvitationFactory(organization=school, last_sent_at=now - timedelta(days=1))
    expired = InvitationFactory(organization=school, expired=True)
    InvitationFactory(organization=school, cancelled=True)
    InvitationFactory(organization=school, accepted=True)
    InvitationFactory()  # another organization's

    response = api.get(org_url(school, "/invitations"))

    assert response.status_code == 200
    rows = response.json()
    assert [(r["id"], r["expired"]) for r in rows] == [(recent.pk, False), (expired.pk, True)]
    assert {r["status"] for r in rows} == {"pending"}
    assert rows[0]["email"] == recent.email
    expires_at = datetime.fromisoformat(rows[0]["expires_at"])
    assert abs(expires_at - (recent.last_sent_at + timedelta(days=30))) < timedelta(milliseconds=1)


def test_resend_refreshes_last_sent_at_and_sends_the_same_link(api, school):
    invitation = InvitationFactory(
        organization=school, last_sent_at=timezone.now() - timedelta(days=3)
    )
    before, code = invitation.last_sent_at, invitation.code

    response = api.post(org_url(school, f"/invitations/{invitation.pk}/resend"))

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.last_sent_at > before
    assert timezone.now() - invitation.last_sent_at < timedelta(minutes=1)
    assert invitation.code == code
    assert response.json()["id"] == invitation.pk
    assert response.json()["expired"] is False
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    assert f"/rejoindre/{invitation.pk}/{code}/" in mail.outbox[0].body
    assert Job.objects.filter(kind="send_invitation_email").count() == 1


def test_resending_an_expired_invitation_gives_it_a_new_code(api, school):
    invitation = InvitationFactory(organization=school, expired=True)
    old_code = invitation.code

    response = api.post(org_url(school, f"/invitations/{invitation.pk}/resend"))

    assert response.status_code == 200
    assert response.json()["expired"] is False
    invitation.refresh_from_db()
    assert invitation.code != old_code
    assert f"/rejoindre/{invitation.pk}/{invitation.code}/" in mail.outbox[0].body


def test_an_archived_organization_cannot_resend(api, school):
    invitation = InvitationFactory(
        organization=school, last_sent_at=timezone.now() - timedelta(days=3)
    )
    school.archived_at = timezone.now()
    school.save(update_fields=["archived_at"])

    response = api.post(org_url(school, f"/invitations/{invitation.pk}/resend"))

    assert response.status_code == 403
    assert response.json()["code"] == "ORGANIZATION_ARCHIVED"
    last_sent_at = invitation.last_sent_at
    invitation.refresh_from_db()
    assert invitation.last_sent_at == last_sent_at
    assert mail.outbox == []


def test_cancel_closes_the_invitation(api, school):
    invitation = InvitationFactory(organization=school)
    url = org_url(school, f"/invitations/{invitation.pk}")

    response = api.delete(url)

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    assert invitation.closed_at is not None
    assert api.get(org_url(school, "/invitations")).json() == []
    # No longer pending: neither cancelled again nor resent.
    again = api.delete(url)
    assert again.status_code == 404
    assert again.json()["message"] == "Cette invitation n'existe pas ou n'est plus en attente."
    assert api.post(f"{url}/resend").status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize("state", ["accepted", "cancelled"])
def test_closed_invitations_cannot_be_resent(api, school, state):
    invitation = InvitationFactory(organization=school, **{state: True})

    response = api.post(org_url(school, f"/invitations/{invitation.pk}/resend"))

    assert response.status_code == 404
    assert mail.outbox == []


# --- request errors ---------------------------------------------------------------------------


def test_malformed_json_is_a_422_in_french(api, school):
    response = api.post(
        org_url(school, "/invitations"), '{"emails": "lea@gamma.example",', content_type=JSON
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["message"] == "La requête contient des erreurs."
    assert body["details"] == ["Le corps de la requête n'est pas un JSON valide."]
    assert nothing_sent()


@pytest.mark.parametrize(
    ("url", "method", "payload", "detail"),
    [
        (
            "/invitations",
            "post",
            {"role": "MEMBER"},
            "Le champ « adresses e-mail » est obligatoire.",
        ),
        ("/invitations", "post", {}, "Le champ « adresses e-mail » est obligatoire."),
        ("/members/{id}", "patch", {}, "Le champ « rôle » est obligatoire."),
        (
            "/members/{id}",
            "patch",
            {"role": "SUPERADMIN"},
            "La valeur du champ « rôle » n'est pas autorisée.",
        ),
    ],
    ids=["invite-without-emails", "invite-empty-body", "role-missing", "role-unknown"],
)
def test_missing_or_invalid_fields_are_a_422_in_french(
    api, school, team, url, method, payload, detail
):
    path = org_url(school, url.replace("{id}", str(team["bruno"].pk)))

    response = getattr(api, method)(path, payload, content_type=JSON)

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert body["message"] == "La requête contient des erreurs."
    assert body["details"] == [detail]
    assert nothing_sent()
    team["bruno"].refresh_from_db()
    assert team["bruno"].role == "MEMBER"


# --- documentation, health, tokens ------------------------------------------------------------


def test_openapi_schema_describes_the_team_endpoints():
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["info"]["title"] == "API Octets"
    paths = schema["paths"]
    expected = {
        "/api/v1/organizations": {"get"},
        "/api/v1/organizations/{organization_id}/members": {"get"},
        "/api/v1/organizations/{organization_id}/members/{membership_id}": {"patch", "delete"},
        "/api/v1/organizations/{organization_id}/invitations": {"get", "post"},
        "/api/v1/organizations/{organization_id}/invitations/{invitation_id}/resend": {"post"},
        "/api/v1/organizations/{organization_id}/invitations/{invitation_id}": {"delete"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, (path, set(paths[path]))
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_renders():
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert "/api/v1/openapi.json" in response.content.decode()


def test_health_needs_no_token():
    response = Client().get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_me_needs_a_token():
    response = Client().get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_create_token_prints_a_token_that_authenticates(admin):
    out = StringIO()

    call_command("create-token", "Alice.Martin@gamma.example", stdout=out)

    raw = out.getvalue().strip()
    assert re.fullmatch(r"oct_[A-Za-z0-9_-]{40,}", raw), raw
    token = PersonalAccessToken.objects.get(user=admin)
    assert token.name == "cli"
    assert token.token_hash == hash_token(raw)  # only the hash is stored
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "alice.martin@gamma.example"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_create_token_takes_a_name(admin):
    call_command("create-token", admin.email, "--name", "ENT", stdout=StringIO())

    assert list(PersonalAccessToken.objects.values_list("name", flat=True)) == ["ENT"]


def test_create_token_for_an_unknown_or_inactive_account_fails(db):
    UserFactory(email="parti@gamma.example", is_active=False)

    with pytest.raises(CommandError, match=re.escape("inconnu@gamma.example")):
        call_command("create-token", "inconnu@gamma.example", stdout=StringIO())
    with pytest.raises(CommandError, match=re.escape("parti@gamma.example")):
        call_command("create-token", "parti@gamma.example", stdout=StringIO())
    assert PersonalAccessToken.objects.count() == 0


def test_a_revoked_token_no_longer_authenticates(admin):
    out = StringIO()
    call_command("create-token", admin.email, stdout=out)
    client = Client(headers={"Authorization": f"Bearer {out.getvalue().strip()}"})
    assert client.get("/api/v1/me").status_code == 200

    PersonalAccessToken.objects.update(revoked_at=timezone.now())

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_a_deactivated_account_token_no_longer_authenticates(admin, api_client):
    client = api_client(admin)
    admin.is_active = False
    admin.save(update_fields=["is_active"])

    assert client.get("/api/v1/me").status_code == 401


def test_token_last_use_is_kept_to_the_minute_without_a_write_per_call(admin):
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    _record, raw = PersonalAccessToken.issue(user=admin, name="minute")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/v1/me")
    token = PersonalAccessToken.objects.get(name="minute")
    first = token.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/me")
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=2)
    )
    client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at > first
