"""octets demo: a demo school with an admin and a teacher; safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from octets.accounts.models import User
from octets.organizations.models import Membership, Organization

DEMO_UAI = "0750001A"
DEMO_PASSWORD = "Octets-Demo-2026"  # noqa: S105 (printed on purpose: demo accounts only)
DEMO_PEOPLE = [
    ("admin@college-demo.example", "Alice", "Martin", Membership.Role.ADMIN),
    ("prof@college-demo.example", "Paul", "Durand", Membership.Role.MEMBER),
]
OPERATOR = ("operateur@octets.example", "Olga", "Opératrice")


class Command(BaseCommand):
    help = "Charge les données de démonstration (Collège Demo, UAI 0750001A) et affiche les identifiants."

    @transaction.atomic
    def handle(self, *args, **options):
        organization, _created = Organization.objects.get_or_create(
            type=Organization.Type.SCO,
            external_id=DEMO_UAI,
            defaults={
                "name": "Collège Demo",
                "email": "ce.0750001a@college-demo.example",
                "is_managing_students": True,
            },
        )
        lines = []
        for email, first_name, last_name, role in DEMO_PEOPLE:
            user = self._user(email, first_name, last_name)
            membership = Membership.objects.filter(
                user=user, organization=organization, disabled_at__isnull=True
            ).first()
            if membership is None:
                Membership.objects.create(user=user, organization=organization, role=role)
            elif membership.role != role:
                membership.role = role
                membership.save(update_fields=["role"])
            lines.append(f"  {Membership.Role(role).label:<16} {email:<32} {DEMO_PASSWORD}")
        operator = self._user(*OPERATOR, staff=True)
        lines.append(f"  {'Opérateur':<16} {operator.email:<32} {DEMO_PASSWORD}  (console /admin/)")
        self.stdout.write(f"Données de démonstration prêtes : {organization.name} (UAI {DEMO_UAI})")
        self.stdout.write("Connexion sur http://127.0.0.1:8000/connexion/ :")
        self.stdout.write("\n".join(lines))

    def _user(self, email, first_name, last_name, staff=False):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name = first_name, last_name
        user.is_active = True
        user.is_staff = user.is_superuser = staff
        user.cgu_accepted_at = user.cgu_accepted_at or timezone.now()
        user.must_change_password = False
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
