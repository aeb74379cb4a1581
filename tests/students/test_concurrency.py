"""Two imports started at once for one school: serialised or refused, never interleaved.

The races run between real processes on a database of their own, of the same kind as the
suite's (a SQLite file, or a fresh PostgreSQL database when the suite runs on PostgreSQL), so
each process holds its own connection and locks behave as in production.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.students import files

OCTETS = str(Path(sys.executable).with_name("octets"))


@pytest.fixture
def race_env(tmp_path):
    """Environment for ``octets`` processes on a fresh, migrated database of the suite's kind."""
    env = {
        **os.environ,
        "OCTETS_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "octets.config.settings.test",
    }
    dropped = None
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        name = f"octets_race_{uuid.uuid4().hex[:12]}"
        server = {
            "host": params["HOST"] or "127.0.0.1",
            "port": params["PORT"] or 5432,
            "user": params["USER"] or "postgres",
            "password": params["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**server) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        env["DATABASE_URL"] = (
            f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
        )
        dropped = (server, name)
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path}/octets.sqlite3"
    octets(env, "migrate", "-v0")
    octets(env, "create-organization", "--type", "SCO", "--name", "Collège", "--uai", files.UAI)
    yield env
    if dropped is not None:
        server, name = dropped
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def octets(env, *args) -> str:
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [OCTETS, *args], env=env, capture_output=True, text=True, check=True
    ).stdout


def at_once(env, *commands):
    """Start the commands together; (exit code, stdout, stderr) of each."""
    runs = [
        subprocess.Popen(  # noqa: S603
            [OCTETS, *command], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    return [(run.wait(180), *run.communicate()) for run in runs]


def shell(env, code: str):
    """Run Python in an ``octets shell`` of the race database; its printed JSON."""
    return json.loads(octets(env, "shell", "-v0", "-c", code).strip().splitlines()[-1])


COUNTS = """
import json
from octets.students.models import LearnerImport, OrganizationLearner
print(json.dumps({
    "learners": OrganizationLearner.objects.count(),
    "statuses": sorted(LearnerImport.objects.values_list("status", flat=True)),
    "added": sorted(LearnerImport.objects.values_list("added_count", flat=True)),
}))
"""


def test_two_cli_imports_at_once_are_serialised(race_env, tmp_path):
    export = tmp_path / "ElevesSansAdresses.zip"
    export.write_bytes(files.generated_zip(300))
    command = ("import-learners", "--uai", files.UAI, str(export), "--json")
    results = at_once(race_env, command, command)
    finished = [json.loads(out) for code, out, _err in results if code == 0]
    # with --json the refusal is printed as JSON on stdout; other output goes to stderr
    refused = [out + err for code, out, err in results if code != 0]
    # The loser is told so: an import is running, or its preview was replaced by the other's.
    assert all("IMPORT_IN_PROGRESS" in err or "IMPORT_NOT_CONFIRMABLE" in err for err in refused), (
        refused
    )
    assert finished, results
    assert all(summary["status"] == "imported" for summary in finished)
    counts = shell(race_env, COUNTS)
    assert counts["learners"] == 300
    assert [s for s in counts["statuses"] if s != "cancelled"] == ["imported"] * len(finished)


def test_two_confirmations_at_once_write_once(race_env, tmp_path):
    export = tmp_path / "ElevesSansAdresses.zip"
    export.write_bytes(files.generated_zip(50))
    prepared = shell(
        race_env,
        f"""
import json
from pathlib import Path
from octets.organizations.models import Organization
from octets.students import services
upload = Path({str(export)!r}).read_bytes()
school = Organization.objects.get(external_id={files.UAI!r})
learner_import = services.start_import(
    organization=school, uploaded_by=None, file_name="e.zip", upload=upload
)
learner_import.refresh_from_db()
print(json.dumps({{"id": learner_import.pk, "status": learner_import.status}}))
""",
    )
    assert prepared["status"] == "validated"
    confirm = f"""
import json
from octets.students import services
from octets.students.models import LearnerImport
try:
    done = services.confirm_import(learner_import=LearnerImport.objects.get(pk={prepared["id"]}), by=None)
    print(json.dumps({{"status": done.status}}))
except services.StudentsError as exc:
    print(json.dumps({{"refused": exc.code, "http": exc.status}}))
"""
    results = at_once(race_env, ("shell", "-v0", "-c", confirm), ("shell", "-v0", "-c", confirm))
    assert all(code == 0 for code, _out, _err in results), results
    outcomes = [json.loads(out.strip().splitlines()[-1]) for _code, out, _err in results]
    refused = [o for o in outcomes if "refused" in o]
    assert len(refused) == 1 and refused[0]["http"] == 409, outcomes
    counts = shell(race_env, COUNTS)
    assert counts == {"learners": 50, "statuses": ["imported"], "added": [50]}
