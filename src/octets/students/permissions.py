"""Who may see which pupils: members of the school see its pupils; imports are for its admins."""

from django.db.models import Q

from octets.organizations.models import Membership


def learners_viewable_by(user) -> Q:
    member_of = Membership.objects.filter(user=user, disabled_at__isnull=True).values(
        "organization_id"
    )
    return Q(organization_id__in=member_of)


def imports_viewable_by(user) -> Q:
    admin_of = Membership.objects.filter(
        user=user, disabled_at__isnull=True, role=Membership.Role.ADMIN
    ).values("organization_id")
    return Q(organization_id__in=admin_of)
