"""Console commands: octets create-organization, octets demo."""

import io

import pytest
from django.core.management import CommandError, call_command

from octets.accounts.models import User
from octets.organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_organization():
    output = run(
        "create-organization",
        "--type",
        "SCO",
        "--uai",
        "0750001a",
        "--name",
        "Collège Demo",
        "--email",
        "CE@ac.example",
    )
    org = Organization.objects.get()
    assert (
        org.external_id == "0750001A" and org.email == "ce@ac.example" and org.is_managing_students
    )
    assert "Collège Demo" in output


def test_create_organization_refuses_duplicates_and_bad_uai():
    run("create-organization", "--type", "SCO", "--uai", "0750001A", "--name", "A")
    with pytest.raises(CommandError, match="existe déjà"):
        run("create-organization", "--type", "SCO", "--uai", "0750001A", "--name", "B")
    with pytest.raises(CommandError, match="n'est pas valide"):
        run("create-organization", "--type", "SCO", "--uai", "ABC", "--name", "C")
    with pytest.raises(CommandError, match=r"adresse e-mail de contact : .*courriel valide"):
        run(
            "create-organization",
            "--type",
            "SCO",
            "--uai",
            "0750002B",
            "--name",
            "D",
            "--email",
            "pas-un-mail",
        )
    # Same UAI under another type is a different organization.
    run("create-organization", "--type", "PRO", "--uai", "0750001A", "--name", "E")
    assert Organization.objects.count() == 2


def test_demo_is_idempotent_and_prints_logins():
    first = run("demo")
    second = run("demo")
    assert first == second
    assert "admin@college-demo.example" in first and "Octets-Demo-2026" in first
    org = Organization.objects.get(external_id="0750001A")
    assert org.name == "Collège Demo"
    assert Membership.objects.filter(organization=org, disabled_at__isnull=True).count() == 2
    admin = User.objects.get(email="admin@college-demo.example")
    assert admin.check_password("Octets-Demo-2026")
    assert Membership.objects.get(user=admin).role == "ADMIN"


def test_demo_learner_has_a_certifiable_profile_and_a_session_to_resume():
    from octets.assessments import selectors
    from octets.assessments.models import Assessment
    from octets.content.services import load_release
    from octets.content.sources import SOURCE_DIR, build_release

    load_release(data=build_release(SOURCE_DIR)[0])
    out = run("demo")
    assert "eleve@college-demo.example" in out
    learner = User.objects.get(email="eleve@college-demo.example")
    assert learner.check_password("Octets-Demo-2026")
    profile = selectors.profile(learner)
    assert profile.is_certifiable
    cards = {card.index: card for card in profile.competences}
    assert all(cards[index].level >= 1 for index in ("1.1", "2.1", "3.1", "4.1", "5.1"))
    assert cards["1.2"].status == "started"
    assert cards["1.1"].can_reset and cards["1.1"].can_improve
    history = Assessment.objects.filter(user=learner).count()
    run("demo")  # again: the history is not doubled
    assert Assessment.objects.filter(user=learner).count() == history
