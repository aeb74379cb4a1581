"""Team rules, enforced by the services for pages and API alike."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from octets.jobs.models import Job
from octets.organizations import services
from octets.organizations.models import Invitation, Membership
from octets.organizations.services import TeamError, parse_emails
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return OrganizationFactory()


@pytest.fixture
def admin_membership(school):
    return MembershipFactory(organization=school, admin=True)


# --- last admin -----------------------------------------------------------------------------


def test_last_admin_cannot_be_demoted(admin_membership):
    with pytest.raises(TeamError) as exc:
        services.change_member_role(
            membership=admin_membership, role="MEMBER", by=admin_membership.user
        )
    assert exc.value.code == "LAST_ADMIN" and exc.value.status == 409
    admin_membership.refresh_from_db()
    assert admin_membership.role == "ADMIN"


def test_last_admin_cannot_be_removed_nor_leave(admin_membership):
    other = MembershipFactory(organization=admin_membership.organization, admin=True)
    services.remove_member(membership=other, by=admin_membership.user)
    with pytest.raises(TeamError, match="dernier administrateur"):
        services.remove_member(membership=admin_membership, by=admin_membership.user)
    with pytest.raises(TeamError, match="dernier administrateur"):
        services.leave_organization(membership=admin_membership)
    admin_membership.refresh_from_db()
    assert admin_membership.disabled_at is None


def test_disabled_admins_do_not_count_as_admins(admin_membership):
    MembershipFactory(organization=admin_membership.organization, admin=True, disabled=True)
    with pytest.raises(TeamError):
        services.change_member_role(
            membership=admin_membership, role="MEMBER", by=admin_membership.user
        )


def test_admin_can_be_demoted_when_another_admin_remains(admin_membership):
    MembershipFactory(organization=admin_membership.organization, admin=True)
    changed = services.change_member_role(
        membership=admin_membership, role="MEMBER", by=admin_membership.user
    )
    assert changed.role == "MEMBER"
    assert changed.updated_by == admin_membership.user


def test_removing_a_member_disables_and_keeps_the_row(admin_membership):
    member = MembershipFactory(organization=admin_membership.organization)
    services.remove_member(membership=member, by=admin_membership.user)
    member.refresh_from_db()
    assert member.disabled_at is not None
    assert member.updated_by == admin_membership.user
    with pytest.raises(TeamError) as exc:
        services.remove_member(membership=member, by=admin_membership.user)
    assert exc.value.status == 404


def test_member_can_leave(admin_membership):
    member = MembershipFactory(organization=admin_membership.organization)
    services.leave_organization(membership=member)
    member.refresh_from_db()
    assert member.disabled_at is not None


def test_unknown_role_is_refused(admin_membership):
    member = MembershipFactory(organization=admin_membership.organization)
    with pytest.raises(TeamError) as exc:
        services.change_member_role(membership=member, role="OWNER", by=admin_membership.user)
    assert exc.value.code == "INVALID_ROLE"


# --- invitations -----------------------------------------------------------------------------


def test_invite_several_emails_sends_one_mail_each(admin_membership):
    sent = services.invite_members(
        organization=admin_membership.organization,
        invited_by=admin_membership.user,
        emails=" Prof.A@College.example, prof.b@college.example ; prof.a@college.example",
        role="MEMBER",
    )
    assert [i.email for i in sent] == ["prof.a@college.example", "prof.b@college.example"]
    assert all(re.fullmatch(r"[A-Z0-9]{10}", i.code) for i in sent)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "prof.a@college.example",
        "prof.b@college.example",
    ]
    link = f"/rejoindre/{sent[0].pk}/{sent[0].code}/"
    assert any(link in m.body for m in mail.outbox)
    assert (
        Job.objects.filter(kind="send_invitation_email", status=Job.Status.SUCCEEDED).count() == 2
    )


def test_one_bad_email_means_nothing_is_sent(admin_membership):
    with pytest.raises(TeamError) as exc:
        services.invite_members(
            organization=admin_membership.organization,
            invited_by=admin_membership.user,
            emails="ok@college.example, pas-une-adresse, autre@",
            role="MEMBER",
        )
    assert exc.value.code == "INVALID_EMAIL"
    assert len(exc.value.details) == 2
    assert "pas-une-adresse" in exc.value.details[0]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_empty_email_list_is_refused(admin_membership):
    with pytest.raises(TeamError) as exc:
        services.invite_members(
            organization=admin_membership.organization,
            invited_by=admin_membership.user,
            emails=" , ",
            role=None,
        )
    assert exc.value.code == "EMAIL_REQUIRED"


def test_inviting_a_member_or_a_pending_address_is_a_conflict(admin_membership):
    org = admin_membership.organization
    InvitationFactory(organization=org, email="attente@college.example")
    with pytest.raises(TeamError) as exc:
        services.invite_members(
            organization=org,
            invited_by=admin_membership.user,
            emails=f"{admin_membership.user.email}, attente@college.example, neuf@college.example",
            role="MEMBER",
        )
    assert exc.value.status == 409
    assert len(exc.value.details) == 2
    assert Invitation.objects.count() == 1


def test_an_expired_pending_invitation_is_revived_with_a_new_code(admin_membership):
    org = admin_membership.organization
    old = InvitationFactory(organization=org, email="ancien@college.example", expired=True)
    old_code = old.code
    [revived] = services.invite_members(
        organization=org,
        invited_by=admin_membership.user,
        emails="ancien@college.example",
        role="ADMIN",
    )
    assert revived.pk == old.pk
    assert revived.code != old_code
    assert not revived.is_expired
    assert revived.role == "ADMIN"


def test_archived_organization_cannot_invite():
    org = OrganizationFactory(archived=True)
    admin = MembershipFactory(organization=org, admin=True)
    with pytest.raises(TeamError) as exc:
        services.invite_members(
            organization=org, invited_by=admin.user, emails="a@b.example", role="MEMBER"
        )
    assert exc.value.code == "ORGANIZATION_ARCHIVED"
    assert not Invitation.objects.exists()


def test_pending_invitations_are_capped(admin_membership, settings):
    settings.OCTETS_MAX_PENDING_INVITATIONS = 3
    org = admin_membership.organization
    InvitationFactory.create_batch(2, organization=org)
    InvitationFactory(organization=org, expired=True)  # expired ones do not count
    with pytest.raises(TeamError) as exc:
        services.invite_members(
            organization=org,
            invited_by=admin_membership.user,
            emails="x@c.example, y@c.example",
            role="MEMBER",
        )
    assert exc.value.code == "TOO_MANY_PENDING_INVITATIONS"
    services.invite_members(
        organization=org, invited_by=admin_membership.user, emails="x@c.example", role="MEMBER"
    )
    assert Invitation.objects.filter(Invitation.live_filter(), organization=org).count() == 3


def test_resend_refreshes_the_date_and_keeps_a_live_code(admin_membership):
    invitation = InvitationFactory(
        organization=admin_membership.organization, last_sent_at=timezone.now() - timedelta(days=3)
    )
    before, code = invitation.last_sent_at, invitation.code
    services.resend_invitation(invitation=invitation, by=admin_membership.user)
    invitation.refresh_from_db()
    assert invitation.last_sent_at > before
    assert invitation.code == code
    assert mail.outbox[-1].to == [invitation.email]


def test_resend_of_an_expired_invitation_gives_a_new_code(admin_membership):
    invitation = InvitationFactory(organization=admin_membership.organization, expired=True)
    code = invitation.code
    services.resend_invitation(invitation=invitation, by=admin_membership.user)
    invitation.refresh_from_db()
    assert invitation.code != code and not invitation.is_expired


def test_cancel_then_link_explains_itself(admin_membership):
    invitation = InvitationFactory(organization=admin_membership.organization)
    services.cancel_invitation(invitation=invitation, by=admin_membership.user)
    with pytest.raises(TeamError) as exc:
        services.invitation_from_link(invitation_id=invitation.pk, code=invitation.code)
    assert exc.value.code == "INVITATION_CANCELLED"
    with pytest.raises(TeamError):
        services.cancel_invitation(invitation=invitation, by=admin_membership.user)


@pytest.mark.parametrize(
    ("traits", "code"),
    [
        ({"accepted": True}, "INVITATION_ALREADY_ACCEPTED"),
        ({"cancelled": True}, "INVITATION_CANCELLED"),
        ({"expired": True}, "INVITATION_EXPIRED"),
    ],
)
def test_dead_links_explain_why(traits, code):
    invitation = InvitationFactory(**traits)
    with pytest.raises(TeamError) as exc:
        services.accept_invitation(
            invitation_id=invitation.pk, code=invitation.code, user=UserFactory()
        )
    assert exc.value.code == code
    assert not Membership.objects.exists()


def test_tampered_code_is_not_found():
    invitation = InvitationFactory()
    tampered = ("A" if invitation.code[0] != "A" else "B") + invitation.code[1:]
    with pytest.raises(TeamError) as exc:
        services.invitation_from_link(invitation_id=invitation.pk, code=tampered)
    assert exc.value.code == "INVITATION_NOT_FOUND" and exc.value.status == 404


def test_expiry_is_configurable(settings):
    settings.OCTETS_INVITATION_TTL_DAYS = 2
    invitation = InvitationFactory(last_sent_at=timezone.now() - timedelta(days=3))
    assert invitation.is_expired
    settings.OCTETS_INVITATION_TTL_DAYS = 30
    assert not invitation.is_expired


def test_accept_creates_membership_once(admin_membership):
    invitation = InvitationFactory(organization=admin_membership.organization, role="MEMBER")
    teacher = UserFactory()
    membership = services.accept_invitation(
        invitation_id=invitation.pk, code=invitation.code, user=teacher
    )
    assert membership.role == "MEMBER" and membership.user == teacher
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == teacher
    with pytest.raises(TeamError) as exc:
        services.accept_invitation(
            invitation_id=invitation.pk, code=invitation.code, user=UserFactory()
        )
    assert exc.value.code == "INVITATION_ALREADY_ACCEPTED"


def test_role_less_invitation_makes_first_member_admin():
    org = OrganizationFactory()
    first = InvitationFactory(organization=org, role=None)
    second = InvitationFactory(organization=org, role=None)
    assert (
        services.accept_invitation(invitation_id=first.pk, code=first.code, user=UserFactory()).role
        == "ADMIN"
    )
    assert (
        services.accept_invitation(
            invitation_id=second.pk, code=second.code, user=UserFactory()
        ).role
        == "MEMBER"
    )


def test_existing_member_accepting_an_admin_invitation_is_promoted(admin_membership):
    member = MembershipFactory(organization=admin_membership.organization)
    invitation = InvitationFactory(organization=member.organization, role="ADMIN")
    result = services.accept_invitation(
        invitation_id=invitation.pk, code=invitation.code, user=member.user
    )
    assert result.pk == member.pk and result.role == "ADMIN"


def test_removed_member_can_be_invited_again(admin_membership):
    member = MembershipFactory(organization=admin_membership.organization)
    services.remove_member(membership=member, by=admin_membership.user)
    [invitation] = services.invite_members(
        organization=member.organization,
        invited_by=admin_membership.user,
        emails=member.user.email,
        role="MEMBER",
    )
    again = services.accept_invitation(
        invitation_id=invitation.pk, code=invitation.code, user=member.user
    )
    assert again.pk != member.pk and again.disabled_at is None


# --- activate my Orga space --------------------------------------------------------------------


def test_sco_request_sends_admin_invitation_to_the_school_address_only():
    school = OrganizationFactory(external_id="0750009Z", email="ce.0750009z@ac-test.example")
    invitation = services.request_sco_admin_invitation(
        uai=" 0750009z ", first_name="Marie", last_name="Curie"
    )
    assert invitation.email == "ce.0750009z@ac-test.example"
    assert invitation.role == "ADMIN" and invitation.organization == school
    [message] = mail.outbox
    assert message.to == ["ce.0750009z@ac-test.example"]
    assert "Marie Curie" in message.body
    again = services.request_sco_admin_invitation(
        uai="0750009Z", first_name="Marie", last_name="Curie"
    )
    assert again.pk == invitation.pk


@pytest.mark.parametrize(
    ("org_kwargs", "uai", "code"),
    [
        ({}, "12", "INVALID_UAI"),
        ({}, "0999999Z", "UAI_NOT_FOUND"),
        ({"external_id": "0750008Y", "email": ""}, "0750008Y", "ORGANIZATION_WITHOUT_EMAIL"),
        ({"external_id": "0750007X", "archived": True}, "0750007X", "ORGANIZATION_ARCHIVED"),
    ],
)
def test_sco_request_errors(org_kwargs, uai, code):
    OrganizationFactory(**org_kwargs)
    with pytest.raises(TeamError) as exc:
        services.request_sco_admin_invitation(uai=uai, first_name="A", last_name="B")
    assert exc.value.code == code
    assert not Invitation.objects.exists()


# --- parsing e-mail lists (property) ---------------------------------------------------------

local_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12)
domain = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
emails = st.builds(lambda local, host: f"{local}@{host}.example", local_part, domain)


@given(st.lists(emails, max_size=8), st.sampled_from([",", ";", "\n", " , "]))
def test_parse_emails_keeps_each_address_once_in_order(addresses, separator):
    raw = separator.join(a.upper() if i % 2 else a for i, a in enumerate(addresses))
    parsed = parse_emails(raw)
    assert parsed == list(dict.fromkeys(addresses))
    assert parse_emails(", ".join(parsed)) == parsed
