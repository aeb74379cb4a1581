"""Benchmark: training over real HTTP, gunicorn with 2 workers (never run as a test).

Run:  .venv/bin/python bench/training_http.py [--learners 20] [--seconds 30] [--think 500]
      .venv/bin/python bench/training_http.py --database-url postgres://postgres@127.0.0.1:5432/octets_bench_http

It prepares a fresh database (SQLite file in a temp dir, or the PostgreSQL database of
``--database-url``, dropped and created again, then dropped at the end), migrates it, builds and
loads the shipped content (``octets build-content`` + ``octets load-content``, or ``--release
FILE``), creates ``--accounts`` users with an API token per learner, then starts
``gunicorn octets.config.wsgi:application`` with 2 sync workers and the production settings.
N learner threads (one keep-alive ``http.client`` connection each) then run, in one process and
one run, after a warm-up:

  - baseline: ``GET /api/v1/assessments/{id}`` (token authentication + one small query);
  - training: one iteration = ``POST /api/v1/assessments/{id}/answers`` then
    ``GET /api/v1/assessments/{id}/next-challenge``; learners answer right with probability
    ``--right`` (the right answer is built from the release solutions and checked with the
    engine) and start a session on the next competence when one finishes (204; not timed);
    once a learner has started every competence, the next account takes over;
  - with ``--think MS``: the same iterations with a thinking time between them.

Without thinking time learners send their next request as soon as the previous answer arrives:
a saturation test. Client and server share the same cores. The phases alternate in
``--rounds`` slices so that they see the same background load.
Prints median, p95, p99 (ms), requests and iterations per second, the ratio of each median to
the baseline median, the CPU time per request of the gunicorn workers, of this client and of the
PostgreSQL backends, the share of the machine used by other programs meanwhile (the machine is
shared: a run where it is not near 0 % is noisy), then the peak memory (VmHWM) of each worker.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from octets.content.release import content_from_release  # noqa: E402
from octets.engine.answers import AnswerResult, check_answer  # noqa: E402
from octets.engine.content import Challenge, ChallengeType  # noqa: E402

BIN = Path(sys.executable).parent
WRONG = "réponse certainement fausse"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- answers ------------------------------------------------------------------------------


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def right_answer(challenge: Challenge) -> str:
    """An answer the engine marks right, built from the solution (checked by the caller)."""
    if challenge.type in (ChallengeType.QCU, ChallengeType.QCM):
        return challenge.solution
    if challenge.type is ChallengeType.QROC:
        return next(line for line in challenge.solution.splitlines() if line.strip())
    groups: list[tuple[str, list[str]]] = []
    current: list[str] = []
    for line in challenge.solution.splitlines():
        if line.strip().startswith("-"):
            current.append(line.strip()[1:].strip())
        elif line.strip():
            current = []
            groups.append((line.split(":", 1)[0].strip(), current))
    if challenge.type is ChallengeType.QROCM_IND:
        return "\n".join(f"{key}: {_yaml_quote(variants[0])}" for key, variants in groups)
    # QROCM-dep: the inputs are interchangeable; give each one a different right variant
    used: set[str] = set()
    values = []
    for _group, variants in groups:
        value = next(v for v in variants if v not in used)
        used.add(value)
        values.append(value)
    keys = list(challenge.blocks)
    return "\n".join(
        f"{key}: {_yaml_quote(value)}" for key, value in zip(keys, values, strict=False)
    )


def answer_book(release_path: Path) -> dict[str, str]:
    content = content_from_release(json.loads(release_path.read_text(encoding="utf-8")))
    book = {}
    for challenge in content.challenges:
        value = right_answer(challenge)
        assert check_answer(challenge, value).result is AnswerResult.OK, (challenge.id, value)
        assert check_answer(challenge, WRONG).result is AnswerResult.KO, challenge.id
        book[challenge.id] = value
    return book


# --- server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def octets(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [str(BIN / "octets"), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def create_accounts(env: dict[str, str], count: int) -> list[str]:
    """``count`` users with one API token each, created through the ORM (no password hashing)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from octets.accounts.models import PersonalAccessToken, User

    tokens = []
    for n in range(count):
        user = User.objects.create_user(
            f"apprenant{n}@bench.example", None, first_name="Apprenant", last_name=str(n)
        )
        tokens.append(PersonalAccessToken.issue(user=user, name="bench")[1])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    connection.close()
    return tokens


def worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def peak_memory_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- learners -----------------------------------------------------------------------------


class Client:
    """One keep-alive connection (reopened when the server closes it)."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=self.headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # closed while idle: nothing was processed, retry
                if attempt:
                    raise
        raise AssertionError("unreachable")


@dataclass
class Learner:
    number: int
    port: int
    tokens: list[str]  # accounts used in turn: a new one once every competence was started
    competences: list[str]
    book: dict[str, str]
    right: float
    rng: random.Random = field(init=False)
    client: Client = field(init=False)
    assessment_id: int | None = None
    challenge_id: str | None = None
    started: int = 0
    finished: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.number)
        self.client = Client(self.port, self.tokens[0])

    def expect(self, status: int, expected: tuple[int, ...], what: str) -> None:
        if status not in expected:
            self.errors.append(f"{what}: HTTP {status}")

    def start(self) -> None:
        account, position = divmod(self.started, len(self.competences))
        if position == 0 and account:  # every competence done: the next pupil takes over
            self.client.connection.close()
            self.client = Client(self.port, self.tokens[account % len(self.tokens)])
        competence = self.competences[(self.number + position) % len(self.competences)]
        self.started += 1
        status, body = self.client.call("POST", "/api/v1/assessments", {"competence": competence})
        self.requests += 1
        self.expect(status, (201,), "start")
        self.assessment_id = json.loads(body)["id"]
        self.next_challenge()

    def next_challenge(self) -> None:
        status, body = self.client.call(
            "GET", f"/api/v1/assessments/{self.assessment_id}/next-challenge"
        )
        self.requests += 1
        self.expect(status, (200, 204), "next-challenge")
        self.challenge_id = json.loads(body)["id"] if status == 200 else None

    def answer(self) -> None:
        value = self.book[self.challenge_id] if self.rng.random() < self.right else WRONG
        status, _body = self.client.call(
            "POST",
            f"/api/v1/assessments/{self.assessment_id}/answers",
            {"challenge_id": self.challenge_id, "value": value},
        )
        self.requests += 1
        self.expect(status, (201,), "answer")

    def iteration(self) -> float | None:
        """POST the answer + GET the next challenge: the time of both (ms)."""
        if self.challenge_id is None:
            self.finished += 1
            self.start()  # not timed: starting a session is another request
            return None
        begin = time.perf_counter()
        self.answer()
        self.next_challenge()
        return (time.perf_counter() - begin) * 1000

    def baseline(self) -> float:
        begin = time.perf_counter()
        status, _body = self.client.call("GET", f"/api/v1/assessments/{self.assessment_id}")
        elapsed = (time.perf_counter() - begin) * 1000
        self.requests += 1
        self.expect(status, (200,), "detail")
        return elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds spent by the whole machine (every core, all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class DatabaseCpu:
    """CPU time of the PostgreSQL backends serving the benchmark database, sampled every
    0.2 s by a thread (backends come and go: Django reconnects after ``CONN_MAX_AGE``)."""

    def __init__(self, url: str | None):
        self.url = url
        self.total = 0.0
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, connection, name: str) -> None:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchall()
        for (pid,) in rows:
            now = cpu_seconds(pid)
            if pid in self._last:
                self.total += max(0.0, now - self._last[pid])
            self._last[pid] = now

    def _run(self) -> None:
        import psycopg

        parsed = urlparse(self.url)
        admin = parsed._replace(scheme="postgresql", path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            name = parsed.path.lstrip("/")
            while True:
                self._sample(connection, name)
                if self._stop.wait(0.2):
                    self._sample(connection, name)
                    return

    def start(self) -> DatabaseCpu:
        if self.url:
            self._thread.start()
        return self

    def stop(self) -> None:
        if self.url:
            self._stop.set()
            self._thread.join()


@dataclass
class Phase:
    values: list[float]  # ms per measured step
    elapsed: float  # s
    requests: int
    server_cpu: float  # s, gunicorn workers
    client_cpu: float  # s, this process
    database_cpu: float  # s, PostgreSQL backends of the benchmark database
    machine_cpu: float  # s, everything (includes other programs running meanwhile)

    @staticmethod
    def merge(first: Phase | None, second: Phase) -> Phase:
        if first is None:
            return second
        return Phase(
            values=first.values + second.values,
            elapsed=first.elapsed + second.elapsed,
            requests=first.requests + second.requests,
            server_cpu=first.server_cpu + second.server_cpu,
            client_cpu=first.client_cpu + second.client_cpu,
            database_cpu=first.database_cpu + second.database_cpu,
            machine_cpu=first.machine_cpu + second.machine_cpu,
        )


def run_phase(
    learners: list[Learner],
    step,
    seconds: float,
    workers: list[int],
    *,
    database_url: str | None = None,
    think: float = 0.0,
) -> Phase:
    """Every learner calls ``step`` in a loop for ``seconds`` (waiting ``think`` s ± 50 %
    between calls)."""
    barrier = threading.Barrier(len(learners) + 1)
    results: list[list[float]] = [[] for _ in learners]
    before = sum(learner.requests for learner in learners)
    stop = threading.Event()

    def loop(index: int, learner: Learner) -> None:
        barrier.wait()
        if think:  # spread the first requests rather than a burst of all learners at once
            stop.wait(think * learner.rng.uniform(0.0, 1.0))
        while not stop.is_set():
            value = step(learner)
            if value is not None:
                results[index].append(value)
            if think:
                stop.wait(think * learner.rng.uniform(0.5, 1.5))

    threads = [
        threading.Thread(target=loop, args=(i, learner), daemon=True)
        for i, learner in enumerate(learners)
    ]
    for thread in threads:
        thread.start()
    database = DatabaseCpu(database_url).start()
    server_before = sum(cpu_seconds(pid) for pid in workers)
    client_before = sum(os.times()[:2])
    machine_before = machine_busy_seconds()
    barrier.wait()
    begin = time.perf_counter()
    try:
        time.sleep(seconds)
    finally:  # Ctrl+C too: let the learners stop, then the server is stopped
        stop.set()
        for thread in threads:
            thread.join()
    elapsed = time.perf_counter() - begin
    database.stop()
    return Phase(
        values=[value for values in results for value in values],
        elapsed=elapsed,
        requests=sum(learner.requests for learner in learners) - before,
        server_cpu=sum(cpu_seconds(pid) for pid in workers) - server_before,
        client_cpu=sum(os.times()[:2]) - client_before,
        database_cpu=database.total,
        machine_cpu=machine_busy_seconds() - machine_before,
    )


def describe(name: str, phase: Phase, base: float) -> None:
    values = phase.values
    med = statistics.median(values)
    per_request = 1000 / phase.requests
    others = phase.machine_cpu - phase.server_cpu - phase.client_cpu - phase.database_cpu
    print(
        f"{name:44} {len(values):7d} {med:8.1f} {percentile(values, 0.95):8.1f} "
        f"{percentile(values, 0.99):8.1f} {phase.requests / phase.elapsed:8.1f} "
        f"{len(values) / phase.elapsed:8.1f} {med / base:6.2f} "
        f"{phase.server_cpu * per_request:6.2f} {phase.client_cpu * per_request:6.2f} "
        f"{phase.database_cpu * per_request:6.2f} {others / phase.elapsed / os.cpu_count():6.0%}"
    )


def server_env(tmp: Path, database_url: str) -> dict:
    """The environment of a production-like Octets in ``tmp`` on ``database_url``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "octets.config.settings.prod",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OCTETS_HOME": str(tmp),
        "DATABASE_URL": database_url,
    }


def prepare_database(env: dict, tmp: Path, database_url: str, built_release=None) -> Path:
    """A fresh database (PostgreSQL created anew), migrated, with the content loaded (the
    given release file, or one built from the sources). Returns the release's path."""
    if database_url.startswith("postgres"):
        prepare_postgres(database_url)
    release = tmp / "release.json"
    octets(env, "migrate", "--noinput")
    if built_release:
        shutil.copyfile(built_release, release)
    else:
        octets(env, "build-content", "--output", str(release))
    octets(env, "load-content", str(release))
    return release


def start_gunicorn(env: dict, tmp: Path, workers: int, extra=()) -> tuple[subprocess.Popen, int]:
    """Serve Octets with gunicorn (``workers`` sync workers) on a free port; wait until it
    answers ``/api/v1/health``. The log goes to ``tmp/gunicorn.log``."""
    port = free_port()
    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(BIN / "gunicorn"),
            "octets.config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
        ],
        env=env,
        stdout=log,
        stderr=log,
        cwd=tmp,
    )
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not start; see {tmp / 'gunicorn.log'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument(
        "--release", type=Path, default=None, help="a built release JSON (default: build one)"
    )
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument(
        "--gunicorn",
        action="append",
        default=[],
        help="extra gunicorn argument, repeatable (e.g. --gunicorn=--config=FILE)",
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument(
        "--rounds", type=int, default=6, help="phases alternate in this many slices"
    )
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--right", type=float, default=0.7, help="probability of a right answer")
    parser.add_argument(
        "--think", type=float, default=0.0, help="also run a phase with this thinking time (ms)"
    )
    parser.add_argument(
        "--accounts", type=int, default=10, help="accounts per learner, used in turn"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="octets-bench-http-"))
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    is_postgres = database_url.startswith("postgres")
    env = server_env(tmp, database_url)
    server = None
    try:
        release = prepare_database(env, tmp, database_url, args.release)
        book = answer_book(release)
        competences = [c["index"] for c in json.loads(release.read_text())["competences"]]
        competences.sort(key=lambda index: [int(part) for part in index.split(".")])
        tokens = create_accounts(env, args.learners * args.accounts)

        server, port = start_gunicorn(env, tmp, args.workers, args.gunicorn)

        learners = [
            Learner(n, port, tokens[n :: args.learners], competences, book, args.right)
            for n in range(args.learners)
        ]
        for learner in learners:
            learner.start()
        workers = worker_pids(server.pid)
        pg = database_url if is_postgres else None
        run_phase(learners, Learner.iteration, args.warmup, workers)  # warm-up: caches
        # The phases alternate in short slices so that both see the same background load.
        slice_seconds = args.seconds / args.rounds
        baseline = training = thinking = None
        for _ in range(args.rounds):
            baseline = Phase.merge(
                baseline,
                run_phase(learners, Learner.baseline, slice_seconds, workers, database_url=pg),
            )
            training = Phase.merge(
                training,
                run_phase(learners, Learner.iteration, slice_seconds, workers, database_url=pg),
            )
            if args.think:
                thinking = Phase.merge(
                    thinking,
                    run_phase(
                        learners,
                        Learner.iteration,
                        slice_seconds,
                        workers,
                        database_url=pg,
                        think=args.think / 1000,
                    ),
                )
        base = statistics.median(baseline.values)

        engine = "PostgreSQL" if is_postgres else "SQLite"
        print(
            f"{engine}, gunicorn {args.workers} workers sync, {args.learners} apprenants, "
            f"{args.seconds:.0f} s par phase en {args.rounds} tranches alternées, "
            f"{args.right:.0%} de bonnes réponses"
        )
        print(
            f"{'cas':44} {'mesures':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'req/s':>8} {'iter/s':>8} {'ratio':>6} "
            "CPU ms par requête : gunicorn / client / PostgreSQL ; autres programmes"
        )
        describe("référence GET /assessments/{id}", baseline, base)
        describe("réponse + épreuve suivante (POST + GET)", training, base)
        if thinking is not None:
            describe(f"idem, {args.think:.0f} ms de réflexion ± 50 %", thinking, base)
        finished = sum(learner.finished for learner in learners)
        print(f"sessions terminées pendant les mesures et l'échauffement : {finished}")
        errors = [error for learner in learners for error in learner.errors]
        if errors:
            print(f"{len(errors)} réponses inattendues, par ex. {errors[:5]}")
        memory = [peak_memory_mb(pid) for pid in workers]
        print(
            "mémoire maximale (VmHWM) des workers gunicorn : "
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
