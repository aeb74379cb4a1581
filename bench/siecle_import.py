"""Benchmark: importing a SIECLE zip end to end (never run as a test).

Run:  .venv/bin/python bench/siecle_import.py [--pupils 5000] [--runs 3]
      /usr/bin/time -v .venv/bin/python bench/siecle_import.py --pupils 50000 --runs 1
It generates ``ElevesSansAdresses.xml`` zipped as SIECLE gives it (in a child process, so that
generating does not count in this process's peak memory), builds a throw-away SQLite database
(or uses DATABASE_URL, whose tables it migrates and whose test school it removes at the end),
then times, in one process and one run:
  - baseline: a bare ``lxml.etree.iterparse`` pass over the zip's XML (end events, clearing);
  - upload + validation (with preview) + confirmation + import of a new school's pupils;
  - the same file again: every pupil updated;
Prints the median and p95 (s) of each, the median's ratio to the baseline median, and the peak
resident memory of this process before and after the imports (``ru_maxrss``): compare 5,000 and
50,000 pupils to see whether memory follows the number of pupils. Then times the students list
(GET /eleves/, server side through Django's test client) on the imported school.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
UAI = "0759998S"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, pupils: int) -> None:
    from octets.students import generator

    xml = path.with_suffix(".xml")
    with xml.open("wb") as handle:
        generator.write_siecle_xml(handle, uai=UAI, count=pupils)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(xml, "ElevesSansAdresses.xml")
    xml.unlink()


def bare_pass(path: Path) -> int:
    from lxml import etree

    count = 0
    with zipfile.ZipFile(path) as archive, archive.open("ElevesSansAdresses.xml") as stream:
        for _event, element in etree.iterparse(
            stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            element.clear()
            count += 1
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--list-runs", type=int, default=30)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate), args.pupils)
        return

    tmp = Path(tempfile.mkdtemp(prefix="octets-bench-"))
    export = tmp / "ElevesSansAdresses.zip"
    subprocess.run(  # noqa: S603 (this very script, fixed arguments)
        [sys.executable, __file__, "--pupils", str(args.pupils), "--generate", str(export)],
        check=True,
    )
    with zipfile.ZipFile(export) as archive:
        xml_size = archive.getinfo("ElevesSansAdresses.xml").file_size

    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "octets.config.settings.test"
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    logging.disable(logging.INFO)
    settings.MEDIA_ROOT = tmp / "media"
    call_command("migrate", verbosity=0)

    from octets.organizations.models import Organization
    from octets.students import services
    from octets.students.models import LearnerImport, OrganizationLearner

    Organization.objects.filter(external_id=UAI).delete()
    school = Organization.objects.create(
        type="SCO", name="Collège Bench", external_id=UAI, is_managing_students=True
    )

    def import_once() -> LearnerImport:
        with export.open("rb") as handle:
            learner_import = services.start_import(
                organization=school, uploaded_by=None, file_name=export.name, upload=File(handle)
            )
        learner_import.refresh_from_db()
        assert learner_import.status == "validated", learner_import.errors
        services.confirm_import(learner_import=learner_import, by=None)
        learner_import.refresh_from_db()
        assert learner_import.status == "imported", learner_import.errors
        return learner_import

    bare, first, again = [], [], []
    peak_before = peak_mb()
    for _ in range(args.runs):
        started = time.perf_counter()
        bare_pass(export)
        bare.append(time.perf_counter() - started)

        OrganizationLearner.objects.filter(organization=school).delete()
        started = time.perf_counter()
        done = import_once()
        first.append(time.perf_counter() - started)
        assert done.added_count == args.pupils

        started = time.perf_counter()
        done = import_once()
        again.append(time.perf_counter() - started)
        assert done.updated_count == args.pupils
    peak_after = peak_mb()

    base = statistics.median(bare)
    print(
        f"{connection.vendor}: {args.pupils} élèves, XML {xml_size / 1e6:.1f} MB "
        f"(zip {export.stat().st_size / 1e6:.2f} MB), {args.runs} run(s)"
    )
    for label, values in (
        ("bare lxml iterparse pass", bare),
        ("validate + import (new)", first),
        ("re-import (all updated)", again),
    ):
        median = statistics.median(values)
        print(f"  {label:<26} {median:7.3f} s   p95 {p95(values):7.3f} s   ×{median / base:5.2f}")
    print(
        f"  peak RSS: {peak_before:.0f} MB before the imports, {peak_after:.0f} MB after "
        f"(+{peak_after - peak_before:.0f} MB)"
    )
    list_page_times(school, args.list_runs)
    OrganizationLearner.objects.filter(organization=school).delete()
    school.delete()


def list_page_times(school, runs: int) -> None:
    """GET /eleves/ on the imported school: median and p95 server time, queries per page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from octets.accounts.models import User
    from octets.organizations.models import Membership
    from octets.students.models import OrganizationLearner

    setup_test_environment()
    User.objects.filter(email="bench.prof@bench.example").delete()
    teacher = User.objects.create_user(
        "bench.prof@bench.example",
        "Motdepasse1",
        first_name="P",
        last_name="B",
        cgu_accepted_at=school.created_at,
    )
    Membership.objects.create(user=teacher, organization=school, role="MEMBER")
    client = Client()
    client.force_login(teacher, backend="octets.accounts.backends.EmailOrUsernameBackend")
    pupils = OrganizationLearner.objects.filter(organization=school).count()
    some_class = OrganizationLearner.objects.filter(organization=school).values_list(
        "division", flat=True
    )[0]
    for label, query in (
        ("25 per page", {}),
        ("100 per page", {"taille": 100}),
        ("class + search, by class", {"classe": some_class, "search": "a", "tri": "classe"}),
    ):
        client.get("/eleves/", query)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get("/eleves/", query)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get("/eleves/", query)
        print(
            f"  GET /eleves/ ({pupils} pupils, {label}): median "
            f"{statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms, "
            f"{len(queries)} queries"
        )
    teacher.delete()


if __name__ == "__main__":
    main()
