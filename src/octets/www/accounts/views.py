"""Account pages: sign in/out, sign up, terms of use, forced password change, reset, joining a team."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from octets.accounts import services as account_services
from octets.organizations.middleware import SESSION_KEY
from octets.organizations.services import TeamError, accept_invitation, invitation_from_link
from octets.www.accounts.forms import (
    CguForm,
    ForgottenPasswordForm,
    LoginForm,
    NewPasswordForm,
    SignupForm,
)

AUTH_BACKEND = "octets.accounts.backends.EmailOrUsernameBackend"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = _create_account(request, form)
        if user is not None:
            return redirect(_safe_next(request, reverse("home")))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def _create_account(request, form):
    try:
        user = account_services.sign_up(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            lang=(request.LANGUAGE_CODE or "fr")[:2],
        )
    except account_services.AccountError as exc:
        form.add_error("email", str(exc))
        return None
    login(request, user, backend=AUTH_BACKEND)
    return user


@require_http_methods(["GET", "POST"])
def cgu(request):
    form = CguForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_services.accept_cgu(user=request.user)
        return redirect(_safe_next(request, reverse("home")))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/cgu.html", {"form": form}, status=status)


@login_not_required
def cgu_text(request):
    return render(request, "accounts/cgu_text.html")


@require_http_methods(["GET", "POST"])
def password_change_required(request):
    form = NewPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_services.set_new_password(
            user=request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Votre nouveau mot de passe est enregistré."))
        return redirect(_safe_next(request, reverse("home")))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_change_required.html", {"form": form}, status=status)


password_reset = login_not_required(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=ForgottenPasswordForm,
        email_template_name="emails/password_reset.txt",
        subject_template_name="emails/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = login_not_required(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.user.must_change_password:
            form.user.must_change_password = False
            form.user.save(update_fields=["must_change_password"])
        return response


password_reset_confirm = login_not_required(PasswordResetConfirmView.as_view())
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


# --- joining an organization from an invitation link -----------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def join(request, invitation_id: int, code: str):
    try:
        invitation = invitation_from_link(invitation_id=invitation_id, code=code)
    except TeamError as exc:
        return render(request, "accounts/join_error.html", {"problem": exc}, status=exc.status)

    # Own ids for the login form: the sign-up form beside it has a password field too.
    login_form = LoginForm(
        request,
        data=request.POST if request.POST.get("action") == "login" else None,
        auto_id="login-%s",
    )
    signup_form = SignupForm(
        request.POST if request.POST.get("action") == "signup" else None,
        initial={"email": invitation.email},
    )
    context = {"invitation": invitation, "login_form": login_form, "signup_form": signup_form}
    if request.method == "GET":
        return render(request, "accounts/join.html", context)

    action = request.POST.get("action")
    if action == "login" and not request.user.is_authenticated:
        if not login_form.is_valid():
            return render(request, "accounts/join.html", {**context, "active": "login"}, status=400)
        login(request, login_form.get_user())
    elif action == "signup" and not request.user.is_authenticated:
        if not signup_form.is_valid() or _create_account(request, signup_form) is None:
            return render(
                request, "accounts/join.html", {**context, "active": "signup"}, status=400
            )
    elif not request.user.is_authenticated:
        return render(request, "accounts/join.html", context, status=400)

    try:
        membership = accept_invitation(invitation_id=invitation_id, code=code, user=request.user)
    except TeamError as exc:
        return render(request, "accounts/join_error.html", {"problem": exc}, status=exc.status)
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(
        request,
        _("Bienvenue dans l'équipe de %(name)s.") % {"name": membership.organization.name},
    )
    return HttpResponseRedirect(reverse("orga:members"))
