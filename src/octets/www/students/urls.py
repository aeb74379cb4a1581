from django.urls import path

from octets.www.students import views

app_name = "students"

urlpatterns = [
    path("eleves/", views.learner_list, name="list"),
    path("eleves/identifiants/", views.batch_credentials, name="batch_credentials"),
    path("eleves/<int:learner_id>/", views.learner_detail, name="detail"),
    path("eleves/<int:learner_id>/identifiant/", views.add_username, name="add_username"),
    path("eleves/<int:learner_id>/mot-de-passe/", views.reset_password, name="reset_password"),
    path("eleves/import/", views.import_upload, name="import"),
    path("eleves/imports/", views.import_history, name="imports"),
    path("eleves/import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("eleves/import/<int:import_id>/confirmer/", views.import_confirm, name="import_confirm"),
    path("eleves/import/<int:import_id>/annuler/", views.import_cancel, name="import_cancel"),
]
