"""octets build-content: assemble the TOML content sources into a release JSON file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from octets.content.release import ENTITY_KINDS, canonical_json, describe_counts
from octets.content.sources import SOURCE_DIR, build_release
from octets.content.validation import validate_release


class Command(BaseCommand):
    help = (
        "Assemble les fichiers sources TOML du contenu (areas.toml et <index>.toml) en une "
        "release JSON, après l'avoir validée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=SOURCE_DIR,
            help="Dossier des fichiers sources (par défaut : celui fourni avec Octets).",
        )
        parser.add_argument(
            "--output",
            default=None,
            help="Fichier JSON à écrire (par défaut : var/content/release.json ; « - » : sortie "
            "standard).",
        )
        parser.add_argument(
            "--release-version",
            default=None,
            help="Numéro de version de la release (par défaut : empreinte du contenu).",
        )

    def handle(self, *args, source, output, release_version, **options):
        release, problems = build_release(source, version=release_version)
        if not problems:
            problems = validate_release(release)
        if problems:
            for problem in problems:
                self.stderr.write(problem.message)
            raise CommandError(
                f"Release non construite : {len(problems)} problème(s) dans {source}."
            )
        text = canonical_json(release, indent=2) + "\n"
        if output == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(output) if output else Path(settings.VAR_DIR) / "content" / "release.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        counts = describe_counts({kind: len(release[kind]) for kind in ENTITY_KINDS})
        self.stdout.write(f"Release {release['version']} écrite dans {path} : {counts}.")
