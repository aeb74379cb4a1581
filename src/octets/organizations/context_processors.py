"""Templates see the current organization, the role in it, and the other organizations."""


def current_organization(request):
    membership = getattr(request, "membership", None)
    memberships = getattr(request, "memberships", [])
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": membership,
        "is_org_admin": bool(membership and membership.is_admin),
        # From the memberships the middleware already read: no query of its own.
        "user_organizations": sorted((m.organization for m in memberships), key=lambda o: o.name),
    }
