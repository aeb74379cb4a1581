"""Orga "Campagnes" pages (``campaigns:``) and the learner's campaign pages (``join:``)."""

from django.urls import path

from octets.www.campaigns import manage, results

app_name = "campaigns"

urlpatterns = [
    # the school's side (manage.py)
    path("campagnes/", manage.campaign_list, name="list"),
    path("campagnes/creation/", manage.create, name="create"),
    path("campagnes/suppression/", manage.delete, name="delete"),
    path("campagnes/<int:campaign_id>/parametres/", manage.settings_tab, name="settings"),
    path("campagnes/<int:campaign_id>/modification/", manage.edit, name="edit"),
    path("campagnes/<int:campaign_id>/archivage/", manage.archive, name="archive"),
    path("campagnes/<int:campaign_id>/desarchivage/", manage.unarchive, name="unarchive"),
    path("campagnes/<int:campaign_id>/duplication/", manage.duplicate, name="duplicate"),
    # the school's side (results.py)
    path("campagnes/<int:campaign_id>/", results.activity_tab, name="activity"),
    path("campagnes/<int:campaign_id>/resultats/", results.results_tab, name="results"),
    path("campagnes/<int:campaign_id>/analyse/", results.analysis_tab, name="analysis"),
    path("campagnes/<int:campaign_id>/export/", results.export, name="export"),
    path(
        "campagnes/<int:campaign_id>/participants/<int:participation_id>/",
        results.participant,
        name="participant",
    ),
    path(
        "campagnes/<int:campaign_id>/participants/<int:participation_id>/suppression/",
        results.delete_participant,
        name="delete_participant",
    ),
]
