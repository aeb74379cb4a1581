"""octets import-learners --uai UAI FILE [--dry-run] [--json]: the import pipeline, synchronously."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from octets.organizations.models import Organization, normalize_uai
from octets.students import services
from octets.students.models import LearnerImport


class Command(BaseCommand):
    help = (
        "Importe les élèves d'un établissement depuis un export SIECLE (zip ou XML) ou un CSV "
        "SIECLE/FREGATA : vérifie tout le fichier, affiche le bilan, puis écrit (sauf --dry-run). "
        "Code de sortie 1 si le fichier est refusé."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True, help="UAI de l'établissement (ex. 0750001A)")
        parser.add_argument("file", help="Fichier à importer")
        parser.add_argument("--dry-run", action="store_true", help="Vérifier sans rien écrire")
        parser.add_argument("--json", action="store_true", help="Bilan en JSON")

    def handle(self, *args, uai, file, dry_run, json: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        organization = Organization.objects.filter(
            type=Organization.Type.SCO, external_id=normalize_uai(uai)
        ).first()
        if organization is None:
            raise CommandError(f"Aucun établissement scolaire avec l'UAI {uai}.")
        try:
            outcome = services.import_file_now(
                organization=organization, path=path, file_name=path.name, dry_run=dry_run
            )
        except services.StudentsError as exc:
            if json:  # the same shape as any other refusal, for scripts
                self.stdout.write(
                    _dumps(
                        {
                            "status": "failed",
                            "dry_run": dry_run,
                            "errors": [{"code": exc.code, "message": exc.message}],
                        }
                    )
                )
                raise SystemExit(1) from exc
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        summary = _summary(outcome, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self._print(summary)
        if summary["status"] == "failed":
            raise SystemExit(1)

    def _print(self, summary: dict) -> None:
        if summary["status"] == "failed":
            self.stdout.write(f"Fichier refusé ({len(summary['errors'])} erreur(s)) :")
            for error in summary["errors"]:
                self.stdout.write(f"  {error['code']}: {error['message']}")
            return
        counts = summary["preview"]
        self.stdout.write(
            f"Élèves dans le fichier : {counts.get('pupils', 0)} — nouveaux : {counts.get('new', 0)}, "
            f"départs : {counts.get('leaving', 0)}, retours : {counts.get('returning', 0)}, "
            f"changements de classe : {counts.get('class_changes', 0)}, "
            f"changements d'identité : {counts.get('identity_changes', 0)}"
        )
        if summary["status"] == "imported":
            self.stdout.write(
                f"Import terminé : {summary['added']} ajoutés, {summary['updated']} mis à jour, "
                f"{summary['disabled']} désactivés."
            )
        else:
            self.stdout.write("Simulation (--dry-run) : rien n'a été écrit.")


def _summary(outcome, *, dry_run: bool) -> dict:
    learner_import = outcome.learner_import
    status = learner_import.status
    if dry_run and status == LearnerImport.Status.CANCELLED:
        status = "validated"
    return {
        "status": status,
        "dry_run": dry_run,
        "file_format": learner_import.file_format,
        "encoding": learner_import.encoding,
        "pupils": learner_import.pupil_count,
        "added": learner_import.added_count,
        "updated": learner_import.updated_count,
        "disabled": learner_import.disabled_count,
        "preview": (outcome.preview or {}).get("counts", {}),
        "errors": learner_import.errors,
    }


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
