"""Page guards for the pupils area: a current school that manages its pupils, and the role."""

from functools import wraps

from django.utils.translation import gettext as _

from octets.organizations.models import Organization
from octets.www.orga.permissions import forbidden, organization_required


def students_required(*, admin: bool = False):
    def decorator(view):
        @organization_required(admin=admin)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            organization = request.organization
            if organization.type != Organization.Type.SCO or not organization.is_managing_students:
                return forbidden(
                    request,
                    _(
                        "Cet espace ne gère pas d'élèves : la liste des élèves est réservée aux établissements scolaires qui importent leur base élèves."
                    ),
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
