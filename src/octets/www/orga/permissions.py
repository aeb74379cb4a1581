"""Page guards for the Orga area: the current organization must exist, and the role must fit."""

from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _


def organization_required(*, admin: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.organization is None:
                return render(
                    request,
                    "orga/forbidden.html",
                    {
                        "reason": _(
                            "Vous n'êtes membre d'aucune organisation. Demandez une invitation à un administrateur de votre établissement."
                        )
                    },
                    status=403,
                )
            if admin and not request.membership.is_admin:
                return render(
                    request,
                    "orga/forbidden.html",
                    {
                        "reason": _(
                            "Cette action est réservée aux administrateurs de l'organisation."
                        )
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
