"""Content pages: the challenges' files (illustrations, attachments) and the operator's report.

``asset`` serves ``content/assets/<index>/<file>`` (``settings.CONTENT_ASSETS_DIR`` overrides the
folder, for tests) to signed-in users only (the site-wide login requirement applies). Only names
matching ``octets.content.sources.ASSET_NAME`` in a ``d.d`` folder are served, and the resolved
path must stay inside the folder; anything else is a 404. Images used as illustrations are shown
inline; a file listed in some challenge's ``attachments`` of the current release, and every
non-image, is a download (``Content-Disposition: attachment``). Every response says
``nosniff``; SVG and HTML get a CSP sandbox (no script, no external resource even when opened
directly); files are cached privately for a week, with an ETag.

``report`` is the content report (``octets.content.report``) for platform operators (staff).
"""

from __future__ import annotations

import hashlib
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from octets.content import report as content_report
from octets.content.selectors import NoContentLoaded, current_content
from octets.content.sources import (
    ASSET_TYPES,
    ASSETS_DIR,
    IMAGE_EXTENSIONS,
    asset_extension,
    asset_path,
    asset_url,
)

#: Private cache: the files change only with a new version of Octets.
CACHE_CONTROL = "private, max-age=604800"
#: For SVG and HTML opened directly: no script, no plugin, nothing loaded from elsewhere.
SANDBOX_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"
SANDBOXED = frozenset({"svg", "html"})

_attachments_cache: dict[str, frozenset[str]] = {}
_lock = threading.Lock()


def _current_attachment_urls() -> frozenset[str]:
    """URL paths listed as attachments by the current release (empty when none is loaded)."""
    try:
        content = current_content()
    except NoContentLoaded:
        return frozenset()
    urls = _attachments_cache.get(content.checksum)
    if urls is None:
        urls = frozenset(url for c in content.challenges for url in c.attachments)
        with _lock:
            _attachments_cache.clear()
            _attachments_cache[content.checksum] = urls
    return urls


@require_safe
def asset(request, index: str, name: str):
    path = asset_path(getattr(settings, "CONTENT_ASSETS_DIR", ASSETS_DIR), index, name)
    if path is None or not path.is_file():
        raise Http404
    data = path.read_bytes()
    extension = asset_extension(name)
    etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    download = (
        extension not in IMAGE_EXTENSIONS or asset_url(index, name) in _current_attachment_urls()
    )
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=ASSET_TYPES[extension])
        response["Content-Length"] = str(len(data))
        response["Content-Disposition"] = (
            f'{"attachment" if download else "inline"}; filename="{name}"'
        )
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    if extension in SANDBOXED:
        response["Content-Security-Policy"] = SANDBOX_CSP
    return response


@require_safe
def report(request):
    if not (request.user.is_staff or request.user.is_superuser):
        raise PermissionDenied
    data = content_report.build_report()
    competences = [
        {
            **row,
            "levels": [row["byLevel"][str(level)] for level in content_report.LEVELS],
            "types": [row["byType"][kind] for kind in content_report.TYPES],
        }
        for row in data["competences"]
    ]
    for row in data["statistics"]["challenges"]:
        row["successPercent"] = round(row["successRate"] * 100)
        row["skipPercent"] = round(row["skipRate"] * 100)
    lists = [
        (
            _("Acquis avec moins de %(n)d épreuves validées")
            % {"n": content_report.MIN_CHALLENGES_PER_SKILL},
            data["skillsBelowMinimum"],
            True,
        ),
        (_("Acquis sans tutoriel"), data["skillsWithoutTutorial"], False),
        (_("Sujets sans note de relecture"), data["tubesWithoutReview"], False),
    ]
    return render(
        request,
        "content/report.html",
        {
            "report": data,
            "competences": competences,
            "levels": content_report.LEVELS,
            "types": content_report.TYPES,
            "lists": lists,
        },
    )
