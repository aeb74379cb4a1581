"""Background work of organizations: the invitation e-mail."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from octets.jobs.registry import job_handler
from octets.organizations.models import Invitation


def invitation_link(invitation: Invitation) -> str:
    path = reverse(
        "accounts:join", kwargs={"invitation_id": invitation.pk, "code": invitation.code}
    )
    return f"{settings.OCTETS_BASE_URL}{path}"


@job_handler("send_invitation_email")
def send_invitation_email(job) -> dict:
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        pk=job.payload["invitation_id"]
    )
    if invitation.status != Invitation.Status.PENDING:
        return {"sent": False, "reason": invitation.status}
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "link": invitation_link(invitation),
        "ttl_days": settings.OCTETS_INVITATION_TTL_DAYS,
    }
    subject = f"Invitation à rejoindre {invitation.organization.name} sur Octets"
    body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    return {"sent": True}
