"""Benchmark: a class of 30 pupils takes a campaign through the API at once (never run as a test).

Run:  .venv/bin/python bench/campaign_api_load.py [--pupils 30] [--think 0 --think 2000]
      .venv/bin/python bench/campaign_api_load.py --database-url postgres://postgres@127.0.0.1:5432/octets_bench_api

Same server as ``bench/training_http.py`` (whose helpers it reuses): a fresh database (SQLite
file in a temp dir, or the PostgreSQL database of ``--database-url``, dropped and created again,
then dropped at the end), ``octets migrate``, the shipped content and target profiles, then
``gunicorn octets.config.wsgi:application`` with 2 sync workers and the production settings.

The school manages its pupils: one class per run (``--think`` value) of ``--pupils`` imported
pupils with an account each (not yet tied to the pupil) and a campaign on the profile
``--profile``. Every pupil of the class, in its own thread with one keep-alive ``http.client``
connection, starts at the same instant (the teacher just wrote the code on the board; with a
thinking time, at a random instant within ``--spread`` seconds) and:

  1. ``GET /api/v1/campaigns/by-code/{code}`` (the landing page);
  2. ``POST /api/v1/campaigns/{code}/participations`` with first name, last name and birth date
     (the pupil is found among the imported ones and tied to the account);
  3. ``GET /assessments/{id}/next-challenge`` then ``POST /assessments/{id}/answers``, until the
     test ends (204), right with probability ``--right``, with ``--think`` ms ± 50 % between an
     answer and the next question;
  4. ``GET /api/v1/participations/{id}`` (the result page) then
     ``POST /api/v1/participations/{id}/share``.

Before each class, the reference: ``GET /api/v1/me`` (token authentication only) by as many
clients without pause for ``--reference`` seconds, for the same machine noise.
A warm-up class (5 pupils, no thinking time) runs first so that both workers have the content
and the engine's catalog in memory, as on a server that has been up for a while.
Prints per endpoint: count, p50, p95, p99, max (ms); per run: requests per second, answers per
second, CPU per request of gunicorn / PostgreSQL, and the share of the machine used by other
programs meanwhile (the machine is shared: a run where it is not near 0 % is noisy).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from training_http import (
    WRONG,
    Client,
    DatabaseCpu,
    answer_book,
    cpu_seconds,
    machine_busy_seconds,
    octets,
    peak_memory_mb,
    percentile,
    prepare_database,
    prepare_postgres,
    server_env,
    start_gunicorn,
    worker_pids,
)

ENDPOINTS = (
    "GET /campaigns/by-code/{code}",
    "POST /campaigns/{code}/participations",
    "GET /assessments/{id}/next-challenge",
    "POST /assessments/{id}/answers",
    "GET /participations/{id}",
    "POST /participations/{id}/share",
)


def pupil_identity(division: str, number: int) -> tuple[str, str, date]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    last_name = f"Banc{letters[number % 26]}{letters[number // 26 % 26]}{division}"
    return "Élève", last_name, date(2013, 1, 1) + timedelta(days=number)


def prepare_school(env: dict[str, str], divisions: list[str], pupils: int, profile: str) -> dict:
    """A school managing its pupils; per division a campaign and ``pupils`` imported pupils,
    each with an account (not tied) and an API token. Through the ORM (no password hashing)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from octets.accounts.models import PersonalAccessToken, User
    from octets.campaigns import services
    from octets.campaigns.models import Campaign, TargetProfile
    from octets.organizations.models import Membership, Organization
    from octets.students.models import OrganizationLearner

    organization = Organization.objects.create(
        type="SCO",
        name="Collège du banc",
        external_id="0759999Z",
        email="ce.0759999z@ac-bench.example",
        is_managing_students=True,
    )
    teacher = User.objects.create_user("prof@bench.example", None, first_name="Prof")
    Membership.objects.create(user=teacher, organization=organization, role="MEMBER")
    target = TargetProfile.objects.get(key=profile)
    classes = {}
    for division in divisions:
        campaign = services.create_campaign(
            organization=organization,
            creator=teacher,
            type=Campaign.Type.ASSESSMENT,
            name=f"Rentrée {division}",
            target_profile_id=target.pk,
        )
        accounts = []
        for number in range(pupils):
            first_name, last_name, birthdate = pupil_identity(division, number)
            OrganizationLearner.objects.create(
                organization=organization,
                national_student_id=f"{division}{number:05d}BENCH",
                first_name=first_name,
                last_name=last_name,
                birthdate=birthdate,
                division=division,
            )
            user = User.objects.create_user(
                f"{last_name.lower()}@bench.example",
                None,
                first_name=first_name,
                last_name=last_name,
            )
            token = PersonalAccessToken.issue(user=user, name="bench")[1]
            accounts.append((token, first_name, last_name, birthdate.isoformat()))
        classes[division] = (campaign.code, accounts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    return classes


@dataclass
class Pupil:
    port: int
    code: str
    token: str
    first_name: str
    last_name: str
    birthdate: str
    book: dict[str, str]
    right: float
    think: float  # seconds
    spread: float  # seconds: the pupil starts at a random instant in [0, spread]
    seed: int
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    answers: int = 0

    def call(self, client: Client, name: str, method: str, path: str, body=None, expect=(200,)):
        begin = time.perf_counter()
        status, data = client.call(method, path, body)
        self.timings[name].append((time.perf_counter() - begin) * 1000)
        if status not in expect:
            self.errors.append(f"{name}: HTTP {status} {data[:200]!r}")
            raise RuntimeError(name)
        return status, (json.loads(data) if data else None)

    def run(self, barrier: threading.Barrier, max_answers: int) -> None:
        rng = random.Random(self.seed)
        client = Client(self.port, self.token)
        barrier.wait()
        if self.spread:
            time.sleep(rng.uniform(0, self.spread))
        try:
            self.call(client, ENDPOINTS[0], "GET", f"/api/v1/campaigns/by-code/{self.code}")
            _status, joined = self.call(
                client,
                ENDPOINTS[1],
                "POST",
                f"/api/v1/campaigns/{self.code}/participations",
                {
                    "first_name": self.first_name,
                    "last_name": self.last_name,
                    "birthdate": self.birthdate,
                },
                expect=(201,),
            )
            assessment = joined["assessment_id"]
            while self.answers < max_answers:
                status, challenge = self.call(
                    client,
                    ENDPOINTS[2],
                    "GET",
                    f"/api/v1/assessments/{assessment}/next-challenge",
                    expect=(200, 204),
                )
                if status == 204:
                    break
                if self.think:
                    time.sleep(self.think * rng.uniform(0.5, 1.5))
                value = self.book[challenge["id"]] if rng.random() < self.right else WRONG
                self.call(
                    client,
                    ENDPOINTS[3],
                    "POST",
                    f"/api/v1/assessments/{assessment}/answers",
                    {"challenge_id": challenge["id"], "value": value},
                    expect=(201,),
                )
                self.answers += 1
            participation = joined["id"]
            self.call(client, ENDPOINTS[4], "GET", f"/api/v1/participations/{participation}")
            self.call(client, ENDPOINTS[5], "POST", f"/api/v1/participations/{participation}/share")
        except RuntimeError:
            pass
        finally:
            client.connection.close()


@dataclass
class Run:
    pupils: list[Pupil]
    elapsed: float
    server_cpu: float
    database_cpu: float
    machine_cpu: float
    client_cpu: float

    @property
    def requests(self) -> int:
        return sum(len(v) for p in self.pupils for v in p.timings.values())


def run_class(
    port, code, accounts, book, *, think, spread, right, workers, database_url, max_answers, seed
) -> Run:
    pupils = [
        Pupil(
            port, code, token, first, last, born, book, right, think / 1000, spread, seed * 1000 + n
        )
        for n, (token, first, last, born) in enumerate(accounts)
    ]
    barrier = threading.Barrier(len(pupils) + 1)
    threads = [
        threading.Thread(target=p.run, args=(barrier, max_answers), daemon=True) for p in pupils
    ]
    for thread in threads:
        thread.start()
    database = DatabaseCpu(database_url).start()
    server_before = sum(cpu_seconds(pid) for pid in workers)
    client_before = sum(os.times()[:2])
    machine_before = machine_busy_seconds()
    barrier.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    database.stop()
    return Run(
        pupils=pupils,
        elapsed=elapsed,
        server_cpu=sum(cpu_seconds(pid) for pid in workers) - server_before,
        database_cpu=database.total,
        machine_cpu=machine_busy_seconds() - machine_before,
        client_cpu=sum(os.times()[:2]) - client_before,
    )


def reference(port, tokens, *, seconds, workers) -> tuple[list[float], float, float]:
    """``GET /api/v1/me`` (token authentication, no other query) in a loop by one thread per
    token for ``seconds``: the latencies, requests per second and gunicorn CPU per request."""
    stop = threading.Event()
    timings: list[list[float]] = [[] for _ in tokens]

    def loop(index: int, token: str) -> None:
        client = Client(port, token)
        while not stop.is_set():
            begin = time.perf_counter()
            status, _body = client.call("GET", "/api/v1/me")
            timings[index].append((time.perf_counter() - begin) * 1000)
            assert status == 200, status
        client.connection.close()

    threads = [
        threading.Thread(target=loop, args=(i, t), daemon=True) for i, t in enumerate(tokens)
    ]
    server_before = sum(cpu_seconds(pid) for pid in workers)
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    values = [v for per_thread in timings for v in per_thread]
    cpu = sum(cpu_seconds(pid) for pid in workers) - server_before
    return values, len(values) / seconds, cpu * 1000 / max(1, len(values))


def report(title: str, run: Run) -> None:
    print(f"\n{title}")
    print(f"{'point d’accès':40} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    everything = []
    for name in ENDPOINTS:
        values = [v for p in run.pupils for v in p.timings.get(name, [])]
        everything.extend(values)
        if not values:
            continue
        print(
            f"{name:40} {len(values):6d} {statistics.median(values):8.1f} "
            f"{percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f} {max(values):8.1f}"
        )
    print(
        f"{'toutes les requêtes':40} {len(everything):6d} {statistics.median(everything):8.1f} "
        f"{percentile(everything, 0.95):8.1f} {percentile(everything, 0.99):8.1f} "
        f"{max(everything):8.1f}"
    )
    answers = sum(p.answers for p in run.pupils)
    per_request = 1000 / max(1, run.requests)
    others = run.machine_cpu - run.server_cpu - run.client_cpu - run.database_cpu
    print(
        f"durée {run.elapsed:.1f} s ; {run.requests / run.elapsed:.1f} req/s ; "
        f"{answers / run.elapsed:.1f} réponses/s ; réponses par élève "
        f"{min(p.answers for p in run.pupils)}–{max(p.answers for p in run.pupils)} "
        f"(médiane {statistics.median(p.answers for p in run.pupils):.0f}) ; "
        f"CPU ms/req gunicorn {run.server_cpu * per_request:.2f}, "
        f"PostgreSQL {run.database_cpu * per_request:.2f}, client "
        f"{run.client_cpu * per_request:.2f} ; autres programmes "
        f"{others / run.elapsed / os.cpu_count():.0%}"
    )
    errors = [e for p in run.pupils for e in p.errors]
    if errors:
        print(f"{len(errors)} réponses inattendues, par ex. {errors[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--release", type=Path, default=None, help="a built release JSON")
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument(
        "--think",
        type=float,
        action="append",
        default=None,
        help="thinking time before each answer (ms), one class per value (default: 0 and 2000)",
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=10.0,
        help="with a thinking time, pupils start at random within this many seconds (0: at once)",
    )
    parser.add_argument("--right", type=float, default=0.7, help="probability of a right answer")
    parser.add_argument("--profile", default="rentree-6e", help="target profile key")
    parser.add_argument("--max-answers", type=int, default=80, help="safety stop per pupil")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--reference", type=float, default=5.0, help="seconds of GET /me before each class"
    )
    args = parser.parse_args()
    thinks = args.think if args.think is not None else [0.0, 2000.0]

    tmp = Path(tempfile.mkdtemp(prefix="octets-bench-campaign-"))
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    is_postgres = database_url.startswith("postgres")
    env = server_env(tmp, database_url)
    server = None
    try:
        release = prepare_database(env, tmp, database_url, args.release)
        octets(env, "load-target-profiles")
        book = answer_book(release)
        divisions = ["WARM"] + [f"6{chr(65 + i)}" for i in range(len(thinks))]
        classes = prepare_school(env, divisions, args.pupils, args.profile)

        server, port = start_gunicorn(env, tmp, args.workers)
        workers = worker_pids(server.pid)
        pg = database_url if is_postgres else None
        common = {
            "book": book,
            "right": args.right,
            "workers": workers,
            "database_url": pg,
            "max_answers": args.max_answers,
        }
        code, accounts = classes["WARM"]
        run_class(port, code, accounts[:5], think=0, spread=0, seed=99, **common)

        engine = "PostgreSQL" if is_postgres else "SQLite"
        print(
            f"{engine}, gunicorn {args.workers} workers sync, {args.pupils} élèves d'une classe "
            f"partent ensemble, profil {args.profile}, {args.right:.0%} de bonnes réponses"
        )
        for index, think in enumerate(thinks):
            code, accounts = classes[divisions[index + 1]]
            values, rate, cpu = reference(
                port, [a[0] for a in accounts], seconds=args.reference, workers=workers
            )
            print(
                f"\nréférence GET /api/v1/me, {len(accounts)} clients sans pause : "
                f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms, "
                f"{rate:.0f} req/s, CPU gunicorn {cpu:.2f} ms/req"
            )
            spread = args.spread if think else 0.0
            run = run_class(port, code, accounts, think=think, spread=spread, seed=index, **common)
            report(
                f"réflexion {think:.0f} ms ± 50 % avant chaque réponse, "
                + (f"arrivées étalées sur {spread:.0f} s" if spread else "tous au même instant"),
                run,
            )
        memory = [peak_memory_mb(pid) for pid in workers]
        print(
            "\nmémoire maximale (VmHWM) des workers gunicorn : "
            + ", ".join(f"{mb:.0f} Mo" for mb in memory if mb is not None)
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if is_postgres:
            prepare_postgres(database_url, drop_only=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
