"""The learner's campaign pages (``join:``): the code, the landing page, the test, the results."""

from django.urls import path

from octets.www.learner import campaigns

app_name = "join"

urlpatterns = [
    path("campagne/", campaigns.enter_code, name="code"),
    path("campagne/<str:code>/", campaigns.landing, name="landing"),
]
