"""The learner's campaign pages (``join:``): the code, the landing page, the test, the results."""

from django.urls import path

from octets.www.learner import campaigns

app_name = "join"

urlpatterns = [
    path("campagne/", campaigns.enter_code, name="code"),
    path("campagne/<str:code>/", campaigns.landing, name="landing"),
    path("campagne/<str:code>/evaluation/", campaigns.take_test, name="test"),
    path("campagne/<str:code>/point-etape/", campaigns.checkpoint, name="checkpoint"),
    path("campagne/<str:code>/resultats/", campaigns.results, name="results"),
    path("campagne/<str:code>/retenter/", campaigns.retry, name="retry"),
    path("campagne/<str:code>/envoi/", campaigns.share, name="share"),
    path("campagne/<str:code>/nouvel-envoi/", campaigns.again, name="again"),
    path("campagne/<str:code>/profil/", campaigns.profile, name="profile"),
]
