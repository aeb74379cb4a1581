"""octets create-organization: create a school (or another organization) from the shell."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from octets.organizations.models import Organization
from octets.organizations.services import create_organization


class Command(BaseCommand):
    help = "Crée une organisation (établissement SCO, SUP ou PRO)."

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, choices=Organization.Type.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--uai", default="", help="UAI/RNE (identifiant externe), ex. 0750001A")
        parser.add_argument(
            "--email", default="", help="Adresse e-mail de contact de l'établissement"
        )
        parser.add_argument(
            "--managing-students",
            choices=["yes", "no"],
            default=None,
            help="Gère ses élèves par import (par défaut : oui pour SCO)",
        )

    def handle(self, *args, type, name, uai, email, managing_students, **options):
        try:
            organization = create_organization(
                type=type,
                name=name,
                external_id=uai,
                email=email,
                is_managing_students=None
                if managing_students is None
                else managing_students == "yes",
            )
        except ValidationError as exc:
            messages = [
                f"{self._label(field)}{msg}"
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
            raise CommandError("Organisation non créée.\n" + "\n".join(messages)) from exc
        self.stdout.write(f"Organisation créée : {organization} (id {organization.pk})")

    @staticmethod
    def _label(field: str) -> str:
        if field == "__all__":
            return ""
        return f"{Organization._meta.get_field(field).verbose_name} : "
