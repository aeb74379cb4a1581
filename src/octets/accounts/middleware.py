"""Obligations a signed-in user must meet before using Octets: terms of use, a new password."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse

# Paths a user with an obligation may still reach (the pages that lift it, sign-out, assets).
ALWAYS_ALLOWED_PREFIXES = ("/static/", "/api/", "/admin/logout", "/i18n/")


class AccountObligationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(ALWAYS_ALLOWED_PREFIXES):
            target = None
            if user.must_change_password:
                target = reverse("accounts:password_change_required")
            elif user.cgu_accepted_at is None:
                target = reverse("accounts:cgu")
            allowed = {target, reverse("accounts:logout")}
            if target and request.path not in allowed:
                return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Secure by default for pages; the API authenticates with bearer tokens instead."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
