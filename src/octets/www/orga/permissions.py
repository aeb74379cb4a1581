"""Page guards for the Orga area: the current organization must exist, and the role must fit."""

from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _


def forbidden(request, reason: str):
    """The 403 page of the Orga area, saying why."""
    return render(request, "orga/forbidden.html", {"reason": reason}, status=403)


def organization_required(*, admin: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.organization is None:
                return forbidden(
                    request,
                    _(
                        "Vous n'êtes membre d'aucune organisation. Demandez une invitation à un administrateur de votre établissement."
                    ),
                )
            if admin and not request.membership.is_admin:
                return forbidden(
                    request, _("Cette action est réservée aux administrateurs de l'organisation.")
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
