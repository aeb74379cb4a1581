from django.urls import path

from octets.www.public import views

app_name = "public"

urlpatterns = [
    path("demande-administration-sco/", views.activate_space, name="activate_space"),
]
