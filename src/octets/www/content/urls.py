from django.urls import path

from octets.www.content import views

app_name = "content"

urlpatterns = [
    path("contenu/fichiers/<str:index>/<str:name>", views.asset, name="asset"),
    path("plateforme/contenu/", views.report, name="report"),
]
