from django.urls import path

from octets.www.learner import views

app_name = "learner"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("competences/<str:index>/", views.competence, name="competence"),
    path("competences/<str:index>/commencer/", views.start, name="start"),
    path("competences/<str:index>/remise-a-zero/", views.reset, name="reset"),
    path("entrainements/<int:assessment_id>/", views.challenge, name="challenge"),
    path("entrainements/<int:assessment_id>/resultats/", views.results, name="results"),
]
