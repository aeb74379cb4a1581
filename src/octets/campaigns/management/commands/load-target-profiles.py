"""octets load-target-profiles: load the target profiles shipped with Octets (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from octets.campaigns.profiles import ProfileFileError, check_all, load_profiles
from octets.content.selectors import NoContentLoaded, current_content


class Command(BaseCommand):
    help = (
        "Charge (ou met à jour) les profils cibles livrés avec Octets, après avoir vérifié leurs "
        "sujets, paliers et badges sur le contenu en service."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Vérifier seulement, sans rien enregistrer."
        )

    def handle(self, *args, check, **options):
        try:
            content = current_content()
        except NoContentLoaded as exc:
            raise CommandError(str(exc)) from exc
        if check:
            problems = check_all(content)
            if problems:
                raise CommandError("\n".join(problems))
            self.stdout.write("Profils cibles valides.")
            return
        try:
            profiles = load_profiles(content)
        except ProfileFileError as exc:
            raise CommandError(str(exc)) from exc
        for profile in profiles:
            self.stdout.write(
                f"  {profile.name} : {profile.capped_tubes.count()} sujets, "
                f"{profile.stages.count()} paliers, {profile.badges.count()} badges"
            )
        self.stdout.write(f"{len(profiles)} profils cibles chargés.")
