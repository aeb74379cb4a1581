"""octets load-content FILE: validate a release JSON file and make it the current content."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from octets.content import selectors
from octets.content.release import ENTITY_KINDS, describe_counts, release_checksum
from octets.content.services import LoadOutcome, ReleaseRejected, check_release, load_release


class Command(BaseCommand):
    help = (
        "Valide une release JSON du contenu pédagogique et la met en service. Tous les problèmes "
        "sont listés ; rien n'est chargé s'il y en a un."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier JSON de la release.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Valider seulement, sans rien enregistrer.",
        )

    def handle(self, *args, file, dry_run, **options):
        data = self._read(file)
        if dry_run:
            self._reject_if(check_release(data=data))
            existing = selectors.release_by_checksum(release_checksum(data))
            if existing is not None and existing.is_current:
                verdict = "déjà en service, rien ne changerait"
            elif existing is not None:
                verdict = "déjà enregistrée, elle serait remise en service"
            else:
                verdict = "valide, elle serait chargée"
            self.stdout.write(f"Release {data['version']} {verdict} : {self._counts(data)}.")
            return
        try:
            result = load_release(data=data)
        except ReleaseRejected as rejected:
            self._reject_if(rejected.problems)
        release = result.release
        if result.outcome is LoadOutcome.UNCHANGED:
            self.stdout.write(
                f"Release {release.version} déjà en service (empreinte {release.checksum[:12]}) : "
                "rien n'a changé."
            )
        elif result.outcome is LoadOutcome.RESTORED:
            self.stdout.write(
                f"Release {release.version} remise en service (empreinte "
                f"{release.checksum[:12]}) : {self._counts(data)}."
            )
        else:
            self.stdout.write(
                f"Release {release.version} chargée et mise en service (empreinte "
                f"{release.checksum[:12]}) : {self._counts(data)}."
            )

    def _read(self, file: Path):
        if file.is_dir():
            raise CommandError(
                f"{file} est un dossier : construisez d'abord la release avec "
                "« octets build-content --source DOSSIER ». Seuls les fichiers JSON se chargent."
            )
        try:
            return json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"Fichier introuvable : {file}.") from error
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"{file} n'est pas un fichier JSON lisible : {error}.") from error

    def _reject_if(self, problems) -> None:
        if not problems:
            return
        for problem in problems:
            self.stderr.write(problem.message)
        raise CommandError(f"Release refusée : {len(problems)} problème(s), rien n'a été chargé.")

    @staticmethod
    def _counts(data) -> str:
        return describe_counts({kind: len(data[kind]) for kind in ENTITY_KINDS})
