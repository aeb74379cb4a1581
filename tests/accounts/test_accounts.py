"""Accounts: sign-up, sign-in (e-mail or username), throttling, obligations, password reset."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client, override_settings

from octets.accounts.models import AuthenticationMethod, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Dupont",
        "email": "Camille.Dupont@College.example",
        "password": "Bonjour2026",
        "cgu": "on",
    }
    data.update(overrides)
    return data


def test_signup_creates_an_account_signed_in_with_cgu_accepted(client):
    response = client.post("/inscription/", signup_data())
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "camille.dupont@college.example"
    assert user.cgu_accepted_at is not None
    assert user.check_password("Bonjour2026")
    home = client.get("/", follow=True)  # signed in, no organization: the learner's profile
    assert home.redirect_chain == [("/profil/", 302)]
    assert home.status_code == 200 and "Bonjour Camille" in home.content.decode()
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Court1", "au minimum 8"),
        ("toutminuscule1", "une majuscule"),
        ("TOUTMAJUSCULE1", "une minuscule"),
        ("SansChiffre", "un chiffre"),
    ],
)
def test_signup_password_rules_are_explained_in_french(client, password, expected):
    response = client.post("/inscription/", signup_data(password=password))
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert 'aria-invalid="true"' in body
    assert not User.objects.exists()


def test_signup_requires_cgu_and_unique_email(client):
    UserFactory(email="pris@college.example")
    response = client.post("/inscription/", signup_data(cgu="", email="PRIS@college.example"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "conditions d&#x27;utilisation" in body or "conditions d'utilisation" in body
    assert "existe déjà" in body
    assert User.objects.count() == 1


def test_signup_with_malformed_email(client):
    response = client.post("/inscription/", signup_data(email="pas-une-adresse"))
    assert response.status_code == 400
    assert (
        "adresse électronique valide" in response.content.decode()
        or "e-mail" in response.content.decode()
    )
    assert not User.objects.exists()


def test_production_hasher_is_argon2():
    from octets.config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("Bonjour2026").startswith("argon2$")


def test_login_with_email_or_username_case_insensitive(client):
    UserFactory(email="prof@college.example")
    UserFactory(email=None, username="jean.dupont0101")
    assert (
        client.post(
            "/connexion/", {"username": "PROF@college.example", "password": PASSWORD}
        ).status_code
        == 302
    )
    client.post("/deconnexion/")
    response = client.post("/connexion/", {"username": "Jean.Dupont0101", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_is_a_french_error(client):
    UserFactory(email="prof@college.example")
    response = client.post(
        "/connexion/", {"username": "prof@college.example", "password": "Mauvais1"}
    )
    assert response.status_code == 200
    assert "est incorrect" in response.content.decode()


def test_repeated_failures_lock_the_account_temporarily(client, settings):
    UserFactory(email="prof@college.example")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(
                "/connexion/", {"username": "prof@college.example", "password": "x"}
            ).status_code
            == 200
        )
    locked = client.post("/connexion/", {"username": "prof@college.example", "password": "x"})
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    # Even the right password is refused while locked...
    assert (
        client.post(
            "/connexion/", {"username": "prof@college.example", "password": PASSWORD}
        ).status_code
        == 429
    )
    # ...but another person on the same network is not locked out.
    UserFactory(email="eleve@college.example")
    other = client.post("/connexion/", {"username": "eleve@college.example", "password": PASSWORD})
    assert other.status_code == 302


def test_must_change_password_is_honoured_at_next_login(client):
    user = UserFactory(email="eleve@college.example", must_change=True)
    client.post("/connexion/", {"username": "eleve@college.example", "password": PASSWORD})
    response = client.get("/equipe/membres/")
    assert response.status_code == 302
    assert response["Location"].startswith("/mot-de-passe/nouveau/")
    bad = client.post("/mot-de-passe/nouveau/", {"new_password1": "abc", "new_password2": "abc"})
    assert bad.status_code == 400
    ok = client.post(
        "/mot-de-passe/nouveau/", {"new_password1": "Nouveau2026", "new_password2": "Nouveau2026"}
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Nouveau2026")
    assert "_auth_user_id" in client.session  # still signed in after the change


def test_cgu_must_be_accepted_before_anything_else(client):
    user = UserFactory(email="ancien@college.example", without_cgu=True)
    client.post("/connexion/", {"username": "ancien@college.example", "password": PASSWORD})
    response = client.get("/equipe/membres/")
    assert response["Location"].startswith("/cgu/")
    assert client.post("/cgu/", {}).status_code == 400
    assert client.post("/cgu/", {"cgu": "on"}).status_code == 302
    user.refresh_from_db()
    assert user.cgu_accepted_at is not None


def test_password_reset_by_email(client):
    user = UserFactory(email="oubli@college.example")
    response = client.post("/mot-de-passe-oublie/", {"email": "OUBLI@college.example"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["oubli@college.example"]
    link = re.search(r"https?://[^/]+(/mot-de-passe/reinitialiser/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Retrouve2026", "new_password2": "Retrouve2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Retrouve2026")
    # The link is single use.
    assert (
        "n&#x27;est plus valide" in client.get(link, follow=True).content.decode()
        or "plus valide" in client.get(link, follow=True).content.decode()
    )


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post("/mot-de-passe-oublie/", {"email": "inconnu@college.example"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_logout_requires_post_and_signs_out(client, login):
    login(UserFactory())
    assert client.post("/deconnexion/").status_code == 302
    assert client.get("/equipe/membres/")["Location"].startswith("/connexion/")


def test_post_without_csrf_token_is_refused_in_french():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/inscription/", signup_data())
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()
    assert not User.objects.exists()


def test_login_methods_lists_every_way_to_sign_in():
    user = UserFactory(email="a@b.example", username="a.b0101")
    AuthenticationMethod.objects.create(user=user, provider="GAR", external_identifier="SAML-ID-1")
    assert user.login_methods() == ["EMAIL", "USERNAME", "GAR"]


def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"})
    assert response.status_code == 302
    assert client.get("/connexion/").content.decode().count('lang="en"') >= 1
