"""octets content-report: what the content bank holds and how its challenges fare (issue 6)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from octets.content.report import LEVELS, TYPES, build_report, percent


class Command(BaseCommand):
    help = (
        "Rapport du contenu pédagogique : épreuves par compétence × niveau × type, pièces "
        "jointes, illustrations, épreuves chronométrées, acquis insuffisamment fournis, barrières "
        "de qualité du sujet 6 et statistiques des réponses (réussite, abandon, temps) pour "
        "repérer les épreuves fragiles. Lit la release en service, ou les fichiers sources TOML "
        "si aucune n'est chargée."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Sortie JSON (pour des outils).")
        parser.add_argument(
            "--sources",
            action="store_true",
            help="Lire les fichiers sources TOML fournis avec Octets plutôt que la release en "
            "service.",
        )
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="Lire les fichiers sources TOML de ce dossier.",
        )
        parser.add_argument(
            "--detail",
            action="store_true",
            help="Afficher aussi, par compétence, le tableau niveau × type.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Terminer en erreur si une barrière de qualité n'est pas atteinte.",
        )

    def handle(self, *args, **options):
        if options["source"] is not None and not options["source"].is_dir():
            raise CommandError(f"Dossier source introuvable : {options['source']}.")
        report = build_report(sources=options["sources"], source_dir=options["source"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.write_text(report, detail=options["detail"])
        failed = [gate["label"] for gate in report["gates"] if not gate["ok"]]
        if options["check"] and failed:
            raise CommandError(f"{len(failed)} barrière(s) non atteinte(s) : {', '.join(failed)}.")

    # -------------------------------------------------------------------------------------------

    def line(self, text: str = "") -> None:
        self.stdout.write(text)

    def table(self, header: list[str], rows: list[list], *, first_left: int = 1) -> None:
        cells = [[str(cell) for cell in row] for row in [header, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
        for n, row in enumerate(cells):
            self.line(
                "  ".join(
                    cell.ljust(widths[i]) if i < first_left else cell.rjust(widths[i])
                    for i, cell in enumerate(row)
                ).rstrip()
            )
            if n == 0:
                self.line("  ".join("-" * width for width in widths))

    def write_text(self, report: dict, *, detail: bool) -> None:
        totals = report["totals"]
        self.line(f"Rapport du contenu, version {report['version']} — {report['origin']}")
        for message in report["sourceProblems"]:
            self.line(f"  ! {message}")
        self.line(
            f"{totals['competences']} compétences, {totals['tubes']} sujets, "
            f"{totals['skills']} acquis actifs, {totals['challenges']} épreuves dont "
            f"{totals['validatedChallenges']} validées, {totals['tutorials']} tutoriels."
        )
        self.line(
            f"Épreuves validées avec pièce jointe : {totals['attachments']} "
            f"({totals['attachmentFiles']} fichiers) ; illustrées : {totals['illustrations']} ; "
            f"chronométrées : {totals['timed']}."
        )
        self.line(
            "Types : " + ", ".join(f"{kind} {count}" for kind, count in totals["types"].items())
        )
        self.line()
        self.line("Épreuves validées par compétence, niveau et type")
        header = ["Comp.", "Sujets", "1–6", *(f"N{level}" for level in LEVELS), "Total"]
        header += [*TYPES, "PJ", "Ill.", "Chrono"]
        rows = []
        for row in report["competences"]:
            rows.append(
                [
                    row["index"],
                    row["tubes"],
                    row["fullTubes"],
                    *(row["byLevel"][str(level)] for level in LEVELS),
                    row["challenges"],
                    *(row["byType"][kind] for kind in TYPES),
                    row["attachments"],
                    row["illustrations"],
                    row["timed"],
                ]
            )
        competences = report["competences"]
        rows.append(
            [
                "Total",
                totals["tubes"],
                sum(r["fullTubes"] for r in competences),
                *(sum(r["byLevel"][str(level)] for r in competences) for level in LEVELS),
                totals["validatedChallenges"],
                *(totals["types"][kind] for kind in TYPES),
                totals["attachments"],
                totals["illustrations"],
                totals["timed"],
            ]
        )
        self.table(header, rows)
        self.line("(1–6 : sujets ayant des acquis jouables à chacun des niveaux 1 à 6.)")
        if detail:
            for row in competences:
                self.line()
                self.line(f"Compétence {row['index']} — {row['name']} : niveau × type")
                self.table(
                    ["Niveau", *TYPES],
                    [
                        [f"N{level}", *(row["byLevelType"][str(level)][kind] for kind in TYPES)]
                        for level in LEVELS
                    ],
                )
        self.line()
        self.line("Barrières de qualité (sujet 6)")
        for gate in report["gates"]:
            mark = "OK " if gate["ok"] else "NON"
            self.line(f"  [{mark}] {gate['label']} : {gate['value']} (attendu {gate['target']})")
        self.skill_list(
            "Acquis avec moins de 2 épreuves validées", report["skillsBelowMinimum"], count=True
        )
        self.skill_list("Acquis sans tutoriel", report["skillsWithoutTutorial"])
        self.skill_list("Sujets sans note de relecture", report["tubesWithoutReview"])
        stats = report["statistics"]
        self.line()
        if not stats["databaseReady"]:
            self.line(
                "Réponses des élèves : base de données non prête (lancez « octets migrate »)."
            )
            return
        self.line(
            f"Réponses des élèves : {stats['answers']} réponse(s) à "
            f"{stats['answeredChallenges']} épreuve(s)."
        )
        if stats["answers"]:
            self.line(
                f"Épreuves fragiles (au moins {stats['minAnswers']} réponses ; réussite < 20 % "
                f"ou passée > 30 %) : {len(stats['weak'])}"
            )
            if stats["weak"]:
                self.table(
                    ["Épreuve", "Comp.", "Acquis", "Type", "Réponses", "Réussite", "Passée",
                     "Temps moy. (s)", "Motif"],
                    [
                        [r["id"], r["competence"], r["skill"], r["type"], r["answers"],
                         percent(r["successRate"]), percent(r["skipRate"]),
                         r["averageSeconds"], " ; ".join(r["weak"])]
                        for r in stats["weak"]
                    ],
                    first_left=4,
                )  # fmt: skip
            self.line(stats["timeNote"])

    def skill_list(self, title: str, rows: list[dict], *, count: bool = False) -> None:
        self.line()
        self.line(f"{title} : {len(rows)}")
        for row in rows:
            suffix = f" — {row['challenges']} épreuve(s)" if count else ""
            self.line(f"  {row['competence']}  {row['name']}  ({row['id']}){suffix}")
