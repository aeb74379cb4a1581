"""Forms of the account pages: sign in, sign up, terms of use, new password, forgotten password."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from octets.accounts.models import User, normalize_email
from octets.www.forms import OctetsForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Adresse e-mail ou identifiant"),
        max_length=254,
        # No autofocus: the skip link stays the first stop and the page is read from its title.
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "L'adresse e-mail ou l'identifiant, ou le mot de passe, est incorrect. "
            "Vérifiez votre saisie (attention aux majuscules)."
        ),
        "inactive": _(
            "Ce compte est désactivé. Contactez un administrateur de votre établissement."
        ),
    }


class SignupForm(OctetsForm):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=_("Au moins 8 caractères, dont une majuscule, une minuscule et un chiffre."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    cgu = forms.BooleanField(
        label=_(
            "J'accepte les conditions générales d'utilisation et la politique de confidentialité d'Octets"
        ),
        error_messages={
            "required": _("Vous devez accepter les conditions d'utilisation pour créer un compte.")
        },
    )

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                _(
                    "Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez votre mot de passe."
                )
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email"),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class CguForm(OctetsForm):
    cgu = forms.BooleanField(
        label=_("J'accepte les conditions générales d'utilisation d'Octets"),
        error_messages={
            "required": _("Vous devez accepter les conditions d'utilisation pour continuer.")
        },
    )


class NewPasswordForm(SetPasswordForm):
    """Used when the password must change at next login, and at the end of a reset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = _(
            "Au moins 8 caractères, dont une majuscule, une minuscule et un chiffre."
        )
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")


class ForgottenPasswordForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail de votre compte"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
