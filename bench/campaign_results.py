"""Benchmark: the teacher's campaign tabs on a big campaign, and the CSV export of a huge one
(never run as a test).

Run:
  .venv/bin/python bench/campaign_results.py tabs [--shared 3000] [--runs 40]
      builds a throw-away database (SQLite, or DATABASE_URL), one school, one assessment
      campaign on "Parcours de rentrée 6e" with N shared participations (bulk-created, each with
      its own frozen snapshot) and times, through the Django test client (no network):
      the activity tab, the results tab (25 rows, 100 rows, filtered by stage), the analysis tab
      and a participant's page: median, p95 and queries per request.
  .venv/bin/python bench/campaign_results.py export --rows 30000 --db PATH
      builds the database once (skipped when PATH exists), then in a second process (run it
      under /usr/bin/time -v for the peak memory) streams the whole CSV to /dev/null through
      the export view and reports rows per second.
"""

import argparse
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup(database_url: str | None):
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "octets.config.settings.test"
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    return django


def build(count: int, *, seed: int = 7):
    """One school, one campaign, ``count`` shared participations (returns campaign, teacher)."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from octets.accounts.models import User
    from octets.campaigns import selectors, services
    from octets.campaigns.models import Campaign, Participation
    from octets.campaigns.profiles import load_profiles
    from octets.content import selectors as content_selectors
    from octets.content.services import load_release
    from octets.content.sources import SOURCE_DIR, build_release
    from octets.engine.results import mastery_rate, tube_results
    from octets.organizations.models import Membership, Organization
    from octets.students.models import OrganizationLearner

    load_release(data=build_release(SOURCE_DIR)[0])
    load_profiles(content_selectors.current_content())
    org = Organization.objects.create(
        type="SCO", name="Collège Bench", external_id="0759998C", is_managing_students=True
    )
    teacher = User.objects.create(
        email="prof@bench.example",
        first_name="Prof",
        last_name="Bench",
        cgu_accepted_at=timezone.now(),
    )
    Membership.objects.create(user=teacher, organization=org, role="ADMIN")
    campaign = services.create_campaign(
        organization=org,
        creator=teacher,
        type=Campaign.Type.ASSESSMENT,
        name="Rentrée bench",
        target_profile_id=services_profile_id(),
        external_id_label="Numéro",
        external_id_type="string",
    )
    _content, skills = selectors.campaign_skills(campaign)
    rules = selectors.profile_rules(campaign.target_profile_id)
    stage_count = len(rules.stages)
    badge_keys = [b.key for b in rules.badges]
    rng = random.Random(seed)
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users = User.objects.bulk_create(
            User(
                email=f"eleve{start + i}@bench.example",
                first_name=f"Prénom{start + i}",
                last_name=f"Nom{start + i:05d}",
                cgu_accepted_at=now,
            )
            for i in range(size)
        )
        learners = OrganizationLearner.objects.bulk_create(
            OrganizationLearner(
                organization=org,
                national_student_id=f"{start + i:010d}B",
                first_name=f"Prénom{start + i}",
                last_name=f"Nom{start + i:05d}",
                division=f"6{'ABCDEFGH'[(start + i) % 8]}",
                user=user,
            )
            for i, user in enumerate(users)
        )
        rows = []
        for i, (user, learner) in enumerate(zip(users, learners, strict=True)):
            ability = rng.random()
            known_ok = {s.id for s in skills if rng.random() < ability * (1.2 - s.level / 8)}
            validated = len(known_ok)
            by_competence = {}
            for s in skills:
                entry = by_competence.setdefault(s.competence_id, [0, 0])
                entry[1] += 1
                entry[0] += s.id in known_ok
            fake_known = {}
            tubes = tube_results(skills, fake_known)
            snapshot = {
                "competences": by_competence,
                "tubes": {
                    tid: [
                        min(t.max_level, int(ability * t.max_level) + 1),
                        t.max_level,
                        sum(1 for s in skills if s.tube_id == tid and s.id in known_ok),
                        t.total,
                    ]
                    for tid, t in tubes.items()
                },
            }
            rate = mastery_rate(validated, len(skills))
            rows.append(
                Participation(
                    campaign=campaign,
                    user=user,
                    organization_learner=learner,
                    participant_external_id=f"N{start + i}",
                    status=Participation.Status.SHARED,
                    created_at=now - timezone.timedelta(days=rng.randint(1, 30)),
                    shared_at=now - timezone.timedelta(hours=rng.randint(1, 24)),
                    mastery_rate=rate,
                    validated_skills_count=validated,
                    pix_score=validated * 3,
                    reached_stage=1 + min(stage_count - 1, int(rate * stage_count)),
                    total_stages=stage_count,
                    badge_keys=[k for k in badge_keys if rng.random() < rate],
                    snapshot=snapshot,
                )
            )
        Participation.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return campaign, teacher


def services_profile_id():
    from octets.campaigns.models import TargetProfile

    return TargetProfile.objects.get(key="rentree-6e").pk


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="octets.accounts.backends.EmailOrUsernameBackend")
    return client


def tabs(args):
    tmp = tempfile.mkdtemp(prefix="octets-bench-")
    django = setup(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3")
    from django.db import connection
    from django.urls import reverse

    started = time.perf_counter()
    campaign, teacher = build(args.shared)
    print(f"données : {args.shared} participations en {time.perf_counter() - started:.1f} s")
    client = client_for(teacher)
    some = campaign.participations.order_by("pk")[args.shared // 2]
    cases = {
        "référence GET /connexion/": (client_for_anonymous(), "/connexion/", {}),
        "Activité (25 participants)": (
            client,
            reverse("campaigns:activity", args=[campaign.pk]),
            {},
        ),
        "Résultats (25 lignes)": (client, reverse("campaigns:results", args=[campaign.pk]), {}),
        "Résultats (100 lignes, page 10)": (
            client,
            reverse("campaigns:results", args=[campaign.pk]),
            {"taille": 100, "page": 10},
        ),
        "Résultats filtrés (palier 2, classe 6A)": (
            client,
            reverse("campaigns:results", args=[campaign.pk]),
            {"palier": 2, "classe": "6A"},
        ),
        "Analyse": (client, reverse("campaigns:analysis", args=[campaign.pk]), {}),
        "Page d'un participant": (
            client,
            reverse("campaigns:participant", args=[campaign.pk, some.pk]),
            {},
        ),
    }
    print(f"{args.runs} mesures, base {django.db.connection.vendor}")
    print(f"{'cas':42} {'médiane ms':>11} {'p95 ms':>8} {'requêtes':>9}")
    for name, (c, url, params) in cases.items():
        response = c.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        executed = []

        def count(execute, sql, params_, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params_, many, context)

        with connection.execute_wrapper(count):
            c.get(url, params)
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            c.get(url, params)
            samples.append((time.perf_counter() - start) * 1000)
        print(
            f"{name:42} {statistics.median(samples):11.1f} {percentile(samples, 0.95):8.1f} "
            f"{len(executed):9d}"
        )


def client_for_anonymous():
    from django.test import Client

    return Client()


def export(args):
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.db}"
    if args.phase == "build":
        setup(database_url)
        started = time.perf_counter()
        build(args.rows)
        print(f"données : {args.rows} participations en {time.perf_counter() - started:.1f} s")
        return
    if args.phase == "all":
        if not os.environ.get("DATABASE_URL") and not Path(args.db).exists():
            subprocess.run(  # noqa: S603 (this same script, fixed arguments)
                [
                    sys.executable,
                    __file__,
                    "export",
                    "--phase",
                    "build",
                    "--rows",
                    str(args.rows),
                    "--db",
                    args.db,
                ],
                check=True,
            )
        subprocess.run(  # noqa: S603 (this same script, fixed arguments)
            [
                "/usr/bin/time",
                "-v",
                sys.executable,
                __file__,
                "export",
                "--phase",
                "stream",
                "--db",
                args.db,
            ],
            check=True,
        )
        return
    setup(database_url)
    from django.db import connection
    from django.urls import reverse

    from octets.accounts.models import User
    from octets.campaigns.models import Campaign

    campaign = Campaign.objects.get(name="Rentrée bench")
    client = client_for(User.objects.get(email="prof@bench.example"))
    from django.conf import settings

    settings.OCTETS_EXPORT_SYNC_MAX = 10**9  # measure the streamed response itself
    started = time.perf_counter()
    response = client.get(reverse("campaigns:export", args=[campaign.pk]))
    size = lines = 0
    with open(os.devnull, "wb") as sink:
        for piece in response.streaming_content:
            size += len(piece)
            lines += piece.count(b"\r\n")
            sink.write(piece)
    elapsed = time.perf_counter() - started
    rows = lines - 1
    print(
        f"export : {rows} lignes, {size / 1e6:.1f} Mo en {elapsed:.1f} s "
        f"= {rows / elapsed:.0f} lignes/s (base {connection.vendor})"
    )


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    tabs_parser = sub.add_parser("tabs")
    tabs_parser.add_argument("--shared", type=int, default=3000)
    tabs_parser.add_argument("--runs", type=int, default=40)
    export_parser = sub.add_parser("export")
    export_parser.add_argument("--rows", type=int, default=30000)
    export_parser.add_argument(
        "--db", default=str(Path(tempfile.gettempdir()) / "octets-export-bench.sqlite3")
    )
    export_parser.add_argument("--phase", choices=["all", "build", "stream"], default="all")
    args = parser.parse_args()
    tabs(args) if args.mode == "tabs" else export(args)


if __name__ == "__main__":
    main()
