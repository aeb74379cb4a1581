"""The current organization is request context: resolved once per request from the session.

Sets ``request.memberships`` (the user's active memberships, one query), ``request.membership``
and ``request.organization`` (None when the user belongs to no organization). Switching
organization writes the session key.
"""

from octets.organizations.models import Membership

SESSION_KEY = "current_organization_id"


def active_memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, disabled_at__isnull=True)
        .select_related("organization")
        .order_by("-last_accessed_at", "organization__name")
    )


def choose_membership(memberships: list[Membership], wanted_organization_id) -> Membership | None:
    """The membership of the organization chosen in the session, else the last one used."""
    chosen = next((m for m in memberships if m.organization_id == wanted_organization_id), None)
    return chosen or (memberships[0] if memberships else None)


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = active_memberships(request.user)
        membership = choose_membership(request.memberships, request.session.get(SESSION_KEY))
        request.membership = membership
        request.organization = membership.organization if membership else None
        return self.get_response(request)
