"""Benchmark: the team pages and the invitation service on a large team (never run as a test).

Run:  .venv/bin/python bench/team_pages.py [--members 2000] [--runs 60]
It builds a throw-away SQLite database (or uses DATABASE_URL), fills one school with N members,
then times, in one process and one run:
  - baseline: GET /connexion/ (a page that reads nothing);
  - GET /equipe/membres/ (first page, 25 rows), with a search, and at 100 rows per page;
  - invite_members() of 50 addresses (rolled back each time).
Prints median and p95 (ms) and the ratio of each median to the baseline median.
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="octets-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "octets.config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    call_command("migrate", verbosity=0)

    from octets.accounts.models import User
    from octets.organizations.models import Membership, Organization
    from octets.organizations.services import invite_members

    org = Organization.objects.create(type="SCO", name="Collège Bench", external_id="0759999B")
    users = User.objects.bulk_create(
        User(
            email=f"prof{i}@bench.example",
            first_name=f"Prénom{i}",
            last_name=f"Nom{i:05d}",
            cgu_accepted_at=timezone.now(),
        )
        for i in range(args.members)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organization=org, role="ADMIN" if i == 0 else "MEMBER")
        for i, u in enumerate(users)
    )
    admin = users[0]
    if django.db.connection.vendor == "postgresql":
        with django.db.connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    client = Client()
    client.force_login(admin, backend="octets.accounts.backends.EmailOrUsernameBackend")
    anonymous = Client()

    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    for url in ("/equipe/membres/", "/equipe/invitations/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def timed(fn):
        fn()  # warm-up
        samples = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        return samples

    def invite_50():
        with transaction.atomic():
            invite_members(
                organization=org,
                invited_by=admin,
                emails=",".join(f"nouveau{i}@bench.example" for i in range(50)),
                role="MEMBER",
            )
            transaction.set_rollback(True)

    cases = {
        "baseline GET /connexion/": lambda: anonymous.get("/connexion/"),
        "GET /equipe/membres/ (25 lignes)": lambda: client.get("/equipe/membres/"),
        "GET /equipe/membres/?search=nom01234": lambda: client.get(
            "/equipe/membres/", {"search": "nom01234"}
        ),
        "GET /equipe/membres/?taille=100&page=10": lambda: client.get(
            "/equipe/membres/", {"taille": 100, "page": 10}
        ),
        "invite_members (50 adresses)": invite_50,
    }
    results = {name: timed(fn) for name, fn in cases.items()}
    base = statistics.median(results["baseline GET /connexion/"])
    engine = django.db.connection.vendor
    print(f"{args.members} membres, {args.runs} mesures, base {engine}")
    print(f"{'cas':45} {'médiane ms':>11} {'p95 ms':>8} {'ratio':>6}")
    for name, samples in results.items():
        med = statistics.median(samples)
        print(f"{name:45} {med:11.2f} {percentile(samples, 0.95):8.2f} {med / base:6.2f}")


if __name__ == "__main__":
    main()
