"""Public pages and the site-wide ones: home, "activate my Orga space", error pages."""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from octets.organizations.services import TeamError, request_sco_admin_invitation
from octets.www.forms import OctetsForm


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.organization is not None:
        return redirect("orga:members")
    return redirect("learner:profile")


class ActivateSpaceForm(OctetsForm):
    uai = forms.CharField(
        label=gettext_lazy("UAI/RNE de l'établissement"),
        help_text=gettext_lazy("7 chiffres et une lettre, par exemple 0750001A"),
        max_length=20,
    )
    first_name = forms.CharField(label=gettext_lazy("Votre prénom"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Votre nom"), max_length=150)


@login_not_required
@require_http_methods(["GET", "POST"])
def activate_space(request):
    form = ActivateSpaceForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "public/activate_space.html", {"form": form}, status=400)
        try:
            invitation = request_sco_admin_invitation(**form.cleaned_data)
        except TeamError as exc:
            return render(
                request,
                "public/activate_space.html",
                {"form": form, "problem": exc},
                status=exc.status,
            )
        return render(
            request,
            "public/activate_space_sent.html",
            {"organization": invitation.organization},
        )
    return render(request, "public/activate_space.html", {"form": form})


def csrf_failure(request, reason=""):
    return render(
        request,
        "public/error.html",
        {
            "title": _("Formulaire expiré"),
            "message": _(
                "Le formulaire n'a pas pu être vérifié (jeton de sécurité absent ou expiré). "
                "Rechargez la page puis réessayez. Aucune modification n'a été enregistrée."
            ),
        },
        status=403,
    )


def _error(status, title, message):
    def view(request, exception=None):
        return render(
            request, "public/error.html", {"title": title, "message": message}, status=status
        )

    return login_not_required(view)


bad_request = _error(
    400, gettext_lazy("Requête invalide"), gettext_lazy("La requête n'a pas pu être comprise.")
)
permission_denied = _error(
    403, gettext_lazy("Accès refusé"), gettext_lazy("Vous n'avez pas accès à cette page.")
)
page_not_found = _error(
    404,
    gettext_lazy("Page introuvable"),
    gettext_lazy("Cette page n'existe pas, ou vous n'y avez pas accès."),
)
server_error = _error(
    500,
    gettext_lazy("Erreur du serveur"),
    gettext_lazy(
        "Une erreur inattendue est survenue. Aucune donnée n'a été perdue ; réessayez dans un instant."
    ),
)
