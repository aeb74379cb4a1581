"""octets worker: run queued jobs (forever, or until the queue is empty with --batch)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from octets.jobs.services import requeue_stale_jobs


class Command(BaseCommand):
    help = "Exécute les tâches de fond (envoi d'e-mails, imports, exports)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Vider la file puis s'arrêter")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Secondes entre deux relevés"
        )

    def handle(self, *args, batch, interval, **options):
        requeued = requeue_stale_jobs()
        if requeued:
            self.stdout.write(f"{requeued} tâche(s) interrompue(s) remise(s) en file.")
        call_command(
            "db_worker",
            queue_name="*",
            batch=batch,
            interval=interval,
            reload=False,
            startup_delay=not batch,
            verbosity=options.get("verbosity", 1),
        )
