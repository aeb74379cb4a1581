"""Forms of the team pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from octets.organizations.models import Membership
from octets.www.forms import OctetsForm


class InviteForm(OctetsForm):
    emails = forms.CharField(
        label=_("Adresses e-mail"),
        help_text=_(
            "Une ou plusieurs adresses séparées par des virgules. Exemple : nom@college.fr, nom2@college.fr"
        ),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    role = forms.ChoiceField(
        label=_("Rôle"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class MemberFilterForm(forms.Form):
    search = forms.CharField(label=_("Rechercher un membre"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Rôle"),
        required=False,
        choices=[("", _("Tous les rôles")), *Membership.Role.choices],
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
