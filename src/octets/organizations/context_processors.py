"""Templates see the current organization, the role in it, and the other organizations."""

from octets.organizations.selectors import organizations_of


def current_organization(request):
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "is_org_admin": bool(membership and membership.is_admin),
        "user_organizations": (lambda: list(organizations_of(user)))
        if user is not None and user.is_authenticated
        else [],
    }
