"""Who may see and do what in an organization: each rule is a check and a queryset filter.

Lists start from the ``*_viewable_by`` filters, so a page or an API call cannot leak another
school's rows even when it is handed a foreign id.
"""

from django.db.models import Q

from octets.organizations.models import Membership


def active_membership(user, organization) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or organization is None:
        return None
    return (
        Membership.objects.filter(user=user, organization=organization, disabled_at__isnull=True)
        .select_related("organization")
        .first()
    )


def organizations_viewable_by(user) -> Q:
    return Q(memberships__user=user, memberships__disabled_at__isnull=True)


def memberships_viewable_by(user) -> Q:
    """Active memberships of the organizations where ``user`` is an active member."""
    member_of = Membership.objects.filter(user=user, disabled_at__isnull=True).values(
        "organization_id"
    )
    return Q(organization_id__in=member_of, disabled_at__isnull=True)


def invitations_viewable_by(user) -> Q:
    """Invitations of the organizations where ``user`` is an active admin."""
    admin_of = Membership.objects.filter(
        user=user, disabled_at__isnull=True, role=Membership.Role.ADMIN
    ).values("organization_id")
    return Q(organization_id__in=admin_of)
