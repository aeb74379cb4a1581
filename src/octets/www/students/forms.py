"""Forms of the pupils pages: list filters, the import upload, the batch of logins."""

from django import forms
from django.utils.translation import gettext_lazy as _

from octets.students.selectors import SORTS
from octets.www.forms import OctetsForm

LOGIN_METHOD_CHOICES = (
    ("none", _("Aucune")),
    ("username", _("Identifiant")),
    ("email", _("Adresse e-mail")),
    ("gar", _("Médiacentre (GAR)")),
)
CERTIFIABILITY_CHOICES = (
    ("oui", _("Certifiable")),
    ("non", _("Non certifiable")),
    ("inconnu", _("Non communiqué")),
)
SORT_CHOICES = (
    ("nom", _("Nom (A → Z)")),
    ("-nom", _("Nom (Z → A)")),
    ("classe", _("Classe (A → Z)")),
    ("-classe", _("Classe (Z → A)")),
    ("-participations", _("Participations (plus d'abord)")),
    ("participations", _("Participations (moins d'abord)")),
)
assert {value for value, _label in SORT_CHOICES} == set(SORTS)


class LearnerFilterForm(forms.Form):
    search = forms.CharField(label=_("Rechercher un élève"), required=False, max_length=100)
    classe = forms.MultipleChoiceField(label=_("Classes"), required=False, choices=())
    connexion = forms.MultipleChoiceField(
        label=_("Méthode de connexion"), required=False, choices=LOGIN_METHOD_CHOICES
    )
    certificabilite = forms.MultipleChoiceField(
        label=_("Certificabilité"), required=False, choices=CERTIFIABILITY_CHOICES
    )
    partis = forms.BooleanField(label=_("Afficher les élèves partis"), required=False)
    tri = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classe"].choices = [(d, d) for d in divisions]


class ImportForm(OctetsForm):
    file = forms.FileField(
        label=_("Fichier à importer"),
        help_text=_(
            "L'export SIECLE « ElevesSansAdresses » tel que vous le téléchargez (zip ou XML), ou un CSV SIECLE ou FREGATA. 20 Mo au plus."
        ),
    )
