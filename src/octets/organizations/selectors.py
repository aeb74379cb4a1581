"""Reads on organizations: team lists, pending invitations, a user's organizations."""

from django.db.models import Q, QuerySet

from octets.organizations.models import Invitation, Membership, Organization
from octets.organizations.permissions import (
    invitations_viewable_by,
    memberships_viewable_by,
    organizations_viewable_by,
)


def organizations_of(user) -> QuerySet[Organization]:
    return Organization.objects.filter(organizations_viewable_by(user)).distinct().order_by("name")


def team_members(*, viewer, organization, search: str = "", role: str = "") -> QuerySet[Membership]:
    qs = (
        Membership.objects.filter(memberships_viewable_by(viewer), organization=organization)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
    for word in search.split():
        qs = qs.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    if role in Membership.Role.values:
        qs = qs.filter(role=role)
    return qs


def member(*, viewer, organization, membership_id) -> Membership | None:
    return team_members(viewer=viewer, organization=organization).filter(pk=membership_id).first()


def pending_invitations(*, viewer, organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        invitations_viewable_by(viewer), organization=organization, status=Invitation.Status.PENDING
    ).order_by("-last_sent_at", "id")


def pending_invitation(*, viewer, organization, invitation_id) -> Invitation | None:
    return (
        pending_invitations(viewer=viewer, organization=organization)
        .filter(pk=invitation_id)
        .first()
    )


def count_active_admins(organization) -> int:
    return Membership.objects.filter(
        organization=organization, disabled_at__isnull=True, role=Membership.Role.ADMIN
    ).count()
