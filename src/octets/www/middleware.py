"""Language: French unless the person chose English (cookie set by the language switch).

Django's LocaleMiddleware would follow the browser's Accept-Language; a school's shared computers
often run an English browser, and Octets is a French service first.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the previous language afterwards, so nothing leaks to the thread.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


# what a NUL looks like in each text body (JSON escapes it, a form percent-encodes it)
NUL_IN_BODY = {
    "application/json": (b"\x00", b"\\u0000"),
    "application/x-www-form-urlencoded": (b"\x00", b"%00"),
}


class NullCharacterMiddleware:
    """Refuse (400, in French) a request whose address, query or text body holds a NUL
    character: no field of Octets may contain one, and PostgreSQL cannot store it (the request
    would otherwise fail with a 500). Uploaded files (multipart) are not inspected: a zip holds
    NUL bytes by nature, and file contents are checked by their own readers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if any("\x00" in value for values in request.GET.lists() for value in values[1]):
            return True
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        markers = NUL_IN_BODY.get(content_type)
        if markers and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            return any(marker in request.body for marker in markers)
        return False

    @staticmethod
    def _refuse(request):
        from django.http import JsonResponse
        from django.shortcuts import render

        message = translation.gettext(
            "La requête contient un caractère nul, qui n'est autorisé dans aucun champ : "
            "retirez-le puis recommencez."
        )
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "NULL_CHARACTER", "message": message, "details": []},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(
            request,
            "public/error.html",
            {"title": translation.gettext("Requête refusée"), "message": message},
            status=400,
        )
