"""Forms of the Orga campaign pages: the list filters, the creation form and the edit form.

The forms only read and shape what was typed; the rules (required fields, lengths, profiles the
school may use, owners) live in ``octets.campaigns.services`` so that pages and the API refuse the
same things with the same French messages. A ``CampaignError`` is put back on the field it names.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from octets.campaigns.models import Campaign
from octets.campaigns.services import LANDING_TEXT_MAX, NAME_MAX, TITLE_MAX
from octets.www.forms import OctetsForm

VIEW_MINE, VIEW_ALL = "mes", "toutes"
STATUS_ACTIVE, STATUS_ARCHIVED = "actives", "archivees"


class CampaignFilterForm(forms.Form):
    vue = forms.ChoiceField(
        required=False,
        choices=((VIEW_MINE, _("Mes campagnes")), (VIEW_ALL, _("Toutes les campagnes"))),
    )
    statut = forms.ChoiceField(
        label=_("Campagnes affichées"),
        required=False,
        choices=((STATUS_ACTIVE, _("Actives")), (STATUS_ARCHIVED, _("Archivées"))),
    )
    nom = forms.CharField(label=_("Rechercher une campagne"), required=False, max_length=100)
    proprietaire = forms.CharField(
        label=_("Rechercher un propriétaire"), required=False, max_length=100
    )

    def values(self) -> dict:
        """The filters to apply (defaults when the query string is wrong)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "vue": data.get("vue") or VIEW_MINE,
            "statut": data.get("statut") or STATUS_ACTIVE,
            "nom": data.get("nom", ""),
            "proprietaire": data.get("proprietaire", ""),
        }


class ServiceCheckedChoiceField(forms.ChoiceField):
    """Choices to display; whether a value is allowed is the service's decision (and message)."""

    def validate(self, value):
        forms.Field.validate(self, value)


def _text(label, max_length, *, help_text="", textarea=False, required_message=""):
    """A free text field; its length is checked by the service (one message for page and API)."""
    attrs = {"maxlength": max_length}
    widget = forms.Textarea(attrs={**attrs, "rows": 6}) if textarea else forms.TextInput(attrs)
    return forms.CharField(
        label=label,
        required=bool(required_message),
        error_messages={"required": required_message},
        help_text=help_text,
        widget=widget,
        strip=False,
    )


class CampaignForm(OctetsForm):
    """The creation form (also pre-filled by "Dupliquer")."""

    type = ServiceCheckedChoiceField(
        label=_("Objectif de la campagne"), required=False, choices=Campaign.Type.choices
    )
    name = _text(
        _("Nom de la campagne"),
        NAME_MAX,
        help_text=_("Visible par vous et votre équipe, par exemple « Rentrée 6e B »."),
        required_message=_("Donnez un nom à la campagne."),
    )
    target_profile = forms.CharField(label=_("Parcours"), required=False)
    title = _text(
        _("Titre du parcours"),
        TITLE_MAX,
        help_text=_("Affiché aux élèves en haut du parcours. 50 caractères au plus."),
    )
    landing_text = _text(
        _("Texte de la page d'accueil"),
        LANDING_TEXT_MAX,
        help_text=_(
            "Présentez la campagne aux élèves. Texte au format Markdown (**gras**, listes, liens), "
            "5000 caractères au plus."
        ),
        textarea=True,
    )
    external_id_label = _text(
        _("Libellé de l'identifiant externe"),
        255,
        help_text=_(
            "Laissez vide si vous n'avez pas besoin d'identifier les participants autrement que "
            "par leur nom. Exemple : « Adresse e-mail de l'ENT »."
        ),
    )
    external_id_type = ServiceCheckedChoiceField(
        label=_("Type de l'identifiant externe"),
        required=False,
        choices=Campaign.ExternalIdType.choices,
    )
    multiple_sendings = forms.BooleanField(
        label=_("Permettre aux élèves d'envoyer leurs résultats plusieurs fois"),
        help_text=_(
            "Un élève pourra repasser le parcours quelques jours après un envoi ; vous verrez son "
            "dernier résultat et l'évolution."
        ),
        required=False,
    )
    owner = ServiceCheckedChoiceField(
        label=_("Propriétaire de la campagne"), required=False, choices=()
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (str(membership.user_id), _member_label(membership)) for membership in members
        ]

    def service_arguments(self) -> dict:
        """What ``services.create_campaign`` receives. A profile collection has no profile,
        no title and one sending: what was typed there before switching purpose is dropped."""
        data = self.cleaned_data
        assessment = data["type"] == Campaign.Type.ASSESSMENT
        return {
            "type": data["type"],
            "name": data["name"],
            "target_profile_id": data["target_profile"] if assessment else None,
            "title": data["title"] if assessment else "",
            "landing_text": data["landing_text"],
            "external_id_label": data["external_id_label"],
            "external_id_type": data["external_id_type"],
            "multiple_sendings": data["multiple_sendings"] if assessment else False,
            "owner_id": data["owner"] or None,
        }


class CampaignEditForm(OctetsForm):
    name = CampaignForm.base_fields["name"]
    title = CampaignForm.base_fields["title"]
    landing_text = CampaignForm.base_fields["landing_text"]
    owner = ServiceCheckedChoiceField(
        label=_("Propriétaire de la campagne"), required=False, choices=()
    )

    def __init__(self, *args, members=(), campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(membership.user_id), _member_label(membership)) for membership in members]
        if all(value != str(campaign.owner_id) for value, _label in choices):
            # The owner left the team: an empty value keeps them (the service's default) rather
            # than silently handing the campaign to the first member of the list.
            owner = campaign.owner
            name = f"{owner.first_name} {owner.last_name}".strip() or owner.email or ""
            choices.insert(
                0, ("", _("%(name)s (ne fait plus partie de l'équipe)") % {"name": name})
            )
            self.initial["owner"] = ""
        self.fields["owner"].choices = choices
        if not campaign.is_assessment:
            del self.fields["title"]


def _member_label(membership) -> str:
    user = membership.user
    name = f"{user.first_name} {user.last_name}".strip()
    return f"{name} ({user.email})" if name and user.email else name or user.email or ""


def initial_from(campaign: Campaign, *, copy: bool = False) -> dict:
    """The form values of an existing campaign; a copy is named "Copie de …"."""
    name = campaign.name
    if copy:
        name = (_("Copie de %(name)s") % {"name": name})[:NAME_MAX]
    return {
        "type": campaign.type,
        "name": name,
        "target_profile": str(campaign.target_profile_id or ""),
        "title": campaign.title,
        "landing_text": campaign.landing_text,
        "external_id_label": campaign.external_id_label,
        "external_id_type": campaign.external_id_type,
        "multiple_sendings": campaign.multiple_sendings,
        "owner": str(campaign.owner_id),
    }
