from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from octets.www.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", login_not_required(views.LoginView.as_view()), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("cgu/", views.cgu, name="cgu"),
    path("conditions-generales/", views.cgu_text, name="cgu_text"),
    path("mot-de-passe/nouveau/", views.password_change_required, name="password_change_required"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/", views.password_reset_complete, name="password_reset_complete"
    ),
    path("rejoindre/<int:invitation_id>/<str:code>/", views.join, name="join"),
]
