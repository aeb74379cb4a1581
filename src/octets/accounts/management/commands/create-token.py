"""octets create-token EMAIL: print a new personal access token for the API."""

from django.core.management.base import BaseCommand, CommandError

from octets.accounts.services import AccountError, create_access_token


class Command(BaseCommand):
    help = "Crée un jeton d'accès personnel à l'API pour un compte et l'affiche (une seule fois)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="cli", help="Nom du jeton (pour le retrouver)")

    def handle(self, *args, email, name, **options):
        try:
            _token, raw = create_access_token(email=email, name=name)
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(raw)
