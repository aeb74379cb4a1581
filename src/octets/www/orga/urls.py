from django.urls import path

from octets.www.orga import views

app_name = "orga"

urlpatterns = [
    path("equipe/membres/", views.members, name="members"),
    path("equipe/membres/<int:membership_id>/role/", views.change_role, name="change_role"),
    path(
        "equipe/membres/<int:membership_id>/supprimer/", views.remove_member, name="remove_member"
    ),
    path("equipe/quitter/", views.leave, name="leave"),
    path("equipe/invitations/", views.invitations, name="invitations"),
    path("equipe/inviter/", views.invite, name="invite"),
    path(
        "equipe/invitations/<int:invitation_id>/renvoyer/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "equipe/invitations/<int:invitation_id>/annuler/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    path("organisation/changer/", views.switch_organization, name="switch"),
]
