"""Shared form base: DSFR classes on widgets (django-dsfr); fields render through our component."""

from dsfr.forms import DsfrBaseForm


class OctetsForm(DsfrBaseForm):
    pass
