"""octets generate-siecle --uai UAI --pupils N [--format zip|xml|csv] [--encoding …] OUT."""

from django.core.management.base import BaseCommand

from octets.students import generator


class Command(BaseCommand):
    help = (
        "Écrit un faux export SIECLE réaliste (ElevesSansAdresses.xml, zippé ou non, ou le CSV "
        "modèle) pour essayer l'import des élèves. Les élèves sont fictifs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--uai", required=True)
        parser.add_argument("--pupils", type=int, required=True)
        parser.add_argument("--format", choices=("zip", "xml", "csv"), default="zip")
        parser.add_argument("--encoding", choices=("iso-8859-15", "utf-8"), default="iso-8859-15")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--with-demo-pupil",
            action="store_true",
            help="Ajouter l'élève de démonstration (Lou Bernard, 6A) de « octets demo ».",
        )
        parser.add_argument("out")

    def handle(self, *args, uai, pupils, format, encoding, seed, out, with_demo_pupil, **options):
        extra = (generator.DEMO_PUPIL,) if with_demo_pupil else ()
        if format == "xml":
            with open(out, "wb") as handle:
                generator.write_siecle_xml(
                    handle, uai=uai, count=pupils, seed=seed, encoding=encoding, extra=extra
                )
        elif format == "zip":
            data = generator.siecle_zip(
                uai=uai, count=pupils, seed=seed, encoding=encoding, extra=extra
            )
            with open(out, "wb") as handle:
                handle.write(data)
        else:
            data = generator.siecle_csv(
                count=pupils, seed=seed, encoding="utf-8" if encoding == "utf-8" else "cp1252"
            )
            with open(out, "wb") as handle:
                handle.write(data)
        total = pupils + len(extra)
        self.stdout.write(f"{out} : {total} élèves fictifs ({format}, {encoding}).")
