"""Orga campaign result pages: activity, results, analysis, a participant, the CSV export."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced by the real views
    raise Http404


activity_tab = results_tab = analysis_tab = export = participant = delete_participant = _todo
