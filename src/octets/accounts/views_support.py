"""Hooks django-axes calls: who is trying to sign in, and the page shown when they are locked."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def axes_username(request, credentials):
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return raw.strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    from octets.www.accounts.forms import LoginForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "LOCKED_OUT",
                "message": (
                    f"Trop d'échecs de connexion : connexion bloquée pendant {minutes} minutes."
                ),
                "details": [],
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    form = LoginForm(request, data=request.POST or None)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out": True, "lock_minutes": minutes},
        status=429,
    )
