"""The current organization is request context: resolved once per request from the session.

Sets ``request.organization`` and ``request.membership`` (both None when the user belongs to
no organization). Switching organization writes the session key.
"""

from octets.organizations.models import Membership

SESSION_KEY = "current_organization_id"


def resolve_membership(request) -> Membership | None:
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = (
        Membership.objects.filter(user=user, disabled_at__isnull=True)
        .select_related("organization")
        .order_by("-last_accessed_at", "organization__name")
    )
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        chosen = memberships.filter(organization_id=wanted).first()
        if chosen is not None:
            return chosen
    return memberships.first()


class CurrentOrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = resolve_membership(request) if request.user.is_authenticated else None
        request.membership = membership
        request.organization = membership.organization if membership else None
        return self.get_response(request)
