"""The learner's side of campaigns: enter a code, the landing page, identity, test, results."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced by the real views
    raise Http404


enter_code = landing = _todo
