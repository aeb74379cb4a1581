"""Forms of the learner's campaign pages: the campaign code, and what joining asks for (the
pupil's identity in a school that manages its pupils, the external id a campaign may ask)."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from dsfr.utils import dsfr_input_class_attr

from octets.campaigns.models import Campaign
from octets.campaigns.services import normalize_code
from octets.www.forms import OctetsForm

IDENTITY_FIELDS = ("first_name", "last_name", "birthdate")


class CodeForm(OctetsForm):
    code = forms.CharField(
        label=gettext_lazy("Code du parcours"),
        help_text=gettext_lazy(
            "Donné par votre enseignant : 6 lettres puis 3 chiffres, par exemple ABCDEF123."
        ),
        max_length=40,
        error_messages={"required": gettext_lazy("Saisissez le code du parcours.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Saisissez le code du parcours."))
        return code


class JoinForm(OctetsForm):
    """ "Je commence": the identity fields when the school must recognise the pupil, the external
    id when the campaign asks one; nothing otherwise."""

    first_name = forms.CharField(
        label=gettext_lazy("Prénom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Saisissez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Nom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Saisissez votre nom de famille.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birthdate = forms.DateField(
        label=gettext_lazy("Date de naissance"),
        help_text=gettext_lazy("Au format jj/mm/aaaa, par exemple 04/05/2013."),
        # the browser's date picker sends 2013-05-04; typed by hand, 04/05/2013
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        error_messages={
            "required": gettext_lazy("Saisissez votre date de naissance."),
            "invalid": gettext_lazy(
                "Saisissez une date de naissance valide, par exemple 04/05/2013."
            ),
        },
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    external_id = forms.CharField(max_length=255)

    def __init__(
        self, *args, campaign: Campaign, ask_identity: bool, ask_external_id: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if not ask_identity:
            for name in IDENTITY_FIELDS:
                del self.fields[name]
        if ask_external_id and campaign.external_id_label:
            field = self.fields["external_id"]
            field.label = campaign.external_id_label
            field.error_messages["required"] = _("Renseignez « %(label)s » pour commencer.") % {
                "label": campaign.external_id_label
            }
            if campaign.external_id_type == Campaign.ExternalIdType.EMAIL:
                field.widget = forms.EmailInput(attrs={"autocomplete": "email"})
        else:
            del self.fields["external_id"]
        # the base form bound (and styled) the fields before they were adapted: again
        self._bound_fields_cache.clear()
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    @property
    def asks_identity(self) -> bool:
        return "first_name" in self.fields

    @property
    def asks_external_id(self) -> bool:
        return "external_id" in self.fields

    def identity_is_empty(self) -> bool:
        """Nothing typed in the identity fields (the account may be recognised without them)."""
        return self.asks_identity and not any(
            str(self.data.get(name, "")).strip() for name in IDENTITY_FIELDS
        )

    def join_arguments(self) -> dict:
        """The keyword arguments of ``services.join_campaign`` from the cleaned data."""
        data = self.cleaned_data
        return {
            "first_name": data.get("first_name", ""),
            "last_name": data.get("last_name", ""),
            "birthdate": data.get("birthdate"),
            "external_id": data.get("external_id", ""),
        }
