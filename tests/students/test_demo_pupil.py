"""The demo pupil of ``octets demo`` is written exactly as an import of the generated demo
export writes her: importing ``var/ElevesSansAdresses.zip`` changes nothing about her."""

import io

from django.core.management import call_command

from octets.organizations.models import Organization
from octets.students import generator, services
from octets.students.parsing import parse_learner_file


def test_importing_the_generated_demo_export_keeps_the_demo_pupil_unchanged(db, tmp_path):
    call_command("demo", stdout=io.StringIO())
    organization = Organization.objects.get(external_id="0750001A")
    path = tmp_path / "ElevesSansAdresses.zip"
    path.write_bytes(generator.siecle_zip(uai="0750001A", count=20, extra=(generator.DEMO_PUPIL,)))
    result = parse_learner_file(path, expected_uai="0750001A")
    assert result.ok, result.problems
    preview = services.build_preview(organization, result.records)
    assert preview["counts"]["new"] == 20
    assert preview["counts"]["identity_changes"] == 0
    assert preview["counts"]["class_changes"] == 0
    assert preview["counts"]["unchanged"] == 1
