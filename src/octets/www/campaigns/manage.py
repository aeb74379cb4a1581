"""Orga campaign pages: the list, creation, settings, edit, archive, duplicate, delete."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced by the real views
    raise Http404


campaign_list = create = delete = settings_tab = edit = archive = unarchive = duplicate = _todo
