"""The import pipeline and pupils' credentials, through the services (real database)."""

import re
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from octets.accounts.models import User
from octets.jobs.models import Job
from octets.students import services
from octets.students.models import CredentialAction, LearnerImport, OrganizationLearner
from tests.factories import OrganizationFactory, OrganizationLearnerFactory, UserFactory
from tests.students import files
from tests.students.files import eleve, siecle, structure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def start(school, data, by=None, name="ElevesSansAdresses.xml"):
    return services.start_import(organization=school, uploaded_by=by, file_name=name, upload=data)


def import_now(school, data, by=None):
    learner_import = start(school, data, by)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.VALIDATED, learner_import.errors
    services.confirm_import(learner_import=learner_import, by=by)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.IMPORTED, learner_import.errors
    return learner_import


def learners(school):
    return {
        learner.national_student_id: learner
        for learner in OrganizationLearner.objects.filter(organization=school)
    }


def snapshot(school):
    return list(OrganizationLearner.objects.filter(organization=school).order_by("pk").values())


def test_upload_validates_in_a_job_and_keeps_a_preview(school, school_admin):
    learner_import = start(school, files.generated_zip(40), school_admin)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.VALIDATED
    assert learner_import.file_format == "siecle-zip"
    assert learner_import.preview["counts"]["new"] == 40
    assert sum(row["pupils"] for row in learner_import.preview["per_class"].values()) == 40
    assert Job.objects.filter(kind="validate_learner_import", status="succeeded").count() == 1
    assert not OrganizationLearner.objects.exists()  # nothing written before confirmation


def test_confirm_writes_and_empties_the_stored_file(
    school, school_admin, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    learner_import = start(school, files.generated_zip(40), school_admin)
    learner_import.refresh_from_db()
    path = learner_import.stored_path
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import(learner_import=learner_import, by=school_admin)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.IMPORTED
    assert (learner_import.added_count, learner_import.updated_count) == (40, 0)
    assert learner_import.confirmed_by == school_admin
    assert not default_storage.exists(path)
    assert not default_storage.exists(f"{path}.pupils.json")  # the validated pupils, kept
    assert learner_import.stored_path == ""
    assert OrganizationLearner.objects.filter(organization=school).count() == 40


def test_reimport_updates_disables_and_reenables(school):
    first = siecle(
        [eleve("1", ine="A"), eleve("2", ine="B"), eleve("3", ine="C")],
        [structure(n, ("6A", "D")) for n in "123"],
    )
    import_now(school, first)
    ids = {ine: row.pk for ine, row in learners(school).items()}

    # B leaves, C changes class and name, D arrives.
    second = siecle(
        [eleve("1", ine="A"), eleve("3", ine="C", first="Céleste"), eleve("4", ine="D")],
        [structure("1", ("6A", "D")), structure("3", ("5B", "D")), structure("4", ("6A", "D"))],
    )
    learner_import = start(school, second)
    learner_import.refresh_from_db()
    preview = learner_import.preview
    assert preview["counts"] == {
        "pupils": 3,
        "new": 1,
        "leaving": 1,
        "returning": 0,
        "class_changes": 1,
        "identity_changes": 1,
        "unchanged": 1,
    }
    assert [p["ine"] for p in preview["leaving"]] == ["B"]
    assert preview["class_changes"][0]["previous_division"] == "6A"
    assert preview["identity_changes"][0]["fields"] == ["first_name"]
    assert preview["per_class"]["6A"] == {"pupils": 2, "new": 1, "leaving": 2, "arriving": 0}
    services.confirm_import(learner_import=learner_import, by=None)
    learner_import.refresh_from_db()
    assert (
        learner_import.added_count,
        learner_import.updated_count,
        learner_import.disabled_count,
    ) == (1, 2, 1)
    rows = learners(school)
    assert rows["B"].is_disabled and rows["B"].pk == ids["B"]  # disabled, never deleted
    assert (rows["C"].division, rows["C"].first_name) == ("5B", "Céleste")
    assert rows["C"].pk == ids["C"]

    # B comes back.
    learner_import = start(school, first)
    learner_import.refresh_from_db()
    assert learner_import.preview["counts"]["returning"] == 1
    services.confirm_import(learner_import=learner_import, by=None)
    assert not learners(school)["B"].is_disabled


def test_the_import_writes_what_the_preview_showed_or_reads_the_file_again(school):
    from django.core.files.storage import default_storage

    learner_import = start(school, files.two_pupils())
    learner_import.refresh_from_db()
    default_storage.delete(f"{learner_import.stored_path}.pupils.json")
    services.confirm_import(learner_import=learner_import, by=None)
    learner_import.refresh_from_db()
    assert (learner_import.status, learner_import.added_count) == ("imported", 2)
    assert learners(school)["987654321CD"].birth_city == "LONDRES"


def test_same_ine_in_two_schools_are_two_pupils(school):
    other = OrganizationFactory(external_id="0750002B")
    import_now(school, files.two_pupils())
    import_now(other, files.two_pupils(uai="0750002B"))
    assert OrganizationLearner.objects.filter(national_student_id="123456789AB").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        files.two_pupils(uai="0750002B"),
        siecle([eleve("1", ine="X"), eleve("2", ine="X")], [structure("1", ("6A", "D"))]),
        files.BILLION_LAUGHS,
        files.zip_bomb(60),
        b"\x00\x01binaire",
    ],
    ids=["wrong-uai", "duplicate-ine", "billion-laughs", "zip-bomb", "binary"],
)
def test_a_rejected_file_changes_no_pupil(school, data):
    import_now(school, files.two_pupils())
    before = snapshot(school)
    learner_import = start(school, data)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.FAILED
    assert learner_import.errors and all("message" in e for e in learner_import.errors)
    assert learner_import.stored_path == ""
    assert snapshot(school) == before
    with pytest.raises(services.StudentsError):
        services.confirm_import(learner_import=learner_import, by=None)
    assert snapshot(school) == before


def test_upload_limits(school, settings):
    settings.OCTETS_IMPORT_MAX_UPLOAD_MB = 1
    with pytest.raises(services.StudentsError) as exc:
        start(school, b"x" * (1024 * 1024 + 1))
    assert (exc.value.code, exc.value.status) == ("PAYLOAD_TOO_LARGE", 413)
    assert "1 Mo" in exc.value.message
    with pytest.raises(services.StudentsError) as exc:
        start(school, b"")
    assert exc.value.code == "EMPTY_FILE"
    assert not LearnerImport.objects.exists()


def test_only_schools_managing_pupils_import(db):
    pro = OrganizationFactory(type="PRO", is_managing_students=False)
    with pytest.raises(services.StudentsError) as exc:
        start(pro, files.two_pupils())
    assert exc.value.status == 403


def test_two_imports_never_run_at_once(school):
    running = LearnerImport.objects.create(
        organization=school, file_name="a.xml", status=LearnerImport.Status.IMPORTING
    )
    with pytest.raises(services.StudentsError) as exc:
        start(school, files.two_pupils())
    assert (exc.value.code, exc.value.status) == ("IMPORT_IN_PROGRESS", 409)
    # The database refuses a second running import even if a caller skipped the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        LearnerImport.objects.create(
            organization=school, file_name="b.xml", status=LearnerImport.Status.UPLOADED
        )
    running.status = LearnerImport.Status.IMPORTED
    running.save()
    assert start(school, files.two_pupils()).pk


def test_a_new_file_replaces_an_unconfirmed_preview(school):
    first = start(school, files.two_pupils())
    second = start(school, files.two_pupils())
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == LearnerImport.Status.CANCELLED
    assert second.status == LearnerImport.Status.VALIDATED
    with pytest.raises(services.StudentsError) as exc:
        services.confirm_import(learner_import=first, by=None)
    assert exc.value.status == 409


def test_cancel_leaves_pupils_alone(school):
    learner_import = start(school, files.two_pupils())
    services.cancel_import(learner_import=learner_import)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.CANCELLED
    assert not OrganizationLearner.objects.exists()


def test_jobs_run_twice_do_nothing_more(school):
    from octets.students.jobs import run_learner_import, validate_learner_import

    learner_import = import_now(school, files.two_pupils())
    job = Job(payload={"learner_import_id": learner_import.pk})
    assert validate_learner_import(job) == {"status": "imported"}
    assert run_learner_import(job)["status"] == "imported"
    assert OrganizationLearner.objects.count() == 2


def refuse_new_pupil_rows() -> None:
    """A database trigger that refuses every new pupil row: a real write failure, no mock."""
    from django.db import connection

    table = OrganizationLearner._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_learner() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disque plein'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_learner BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_learner()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_learner BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'disque plein'); END"
            )


def test_a_failing_write_rolls_back_and_says_so(school):
    import_now(school, files.two_pupils())
    before = snapshot(school)
    # Two pupils leave (they would be disabled), ten arrive (their insert fails).
    learner_import = start(school, files.generated_zip(10))
    refuse_new_pupil_rows()  # the test's transaction drops it afterwards
    services.confirm_import(learner_import=learner_import, by=None)
    learner_import.refresh_from_db()
    assert learner_import.status == LearnerImport.Status.FAILED
    assert [e["code"] for e in learner_import.errors] == ["IMPORT_ERROR"]
    assert snapshot(school) == before
    assert start(school, files.two_pupils()).pk  # the school is not left blocked


# --- automatic linking by INE ---------------------------------------------------------------------


def test_a_pupil_changing_school_keeps_the_account(school):
    account = UserFactory()
    OrganizationLearnerFactory(
        national_student_id="123456789AB", user=account, birthdate=date(2012, 3, 14)
    )
    import_now(school, files.two_pupils())
    assert learners(school)["123456789AB"].user == account


def test_no_link_when_birthdates_differ_in_another_school(school):
    OrganizationLearnerFactory(
        national_student_id="123456789AB", user=UserFactory(), birthdate=date(2011, 1, 1)
    )
    import_now(school, files.two_pupils())
    assert learners(school)["123456789AB"].user is None


def test_no_link_when_the_account_has_two_ines(school):
    account = UserFactory()
    OrganizationLearnerFactory(
        national_student_id="123456789AB", user=account, birthdate=date(2012, 3, 14)
    )
    OrganizationLearnerFactory(national_student_id="AUTRE", user=account)
    import_now(school, files.two_pupils())
    assert learners(school)["123456789AB"].user is None


def test_no_link_when_another_pupil_here_holds_the_account(school):
    account = UserFactory()
    OrganizationLearnerFactory(organization=school, national_student_id="ICI", user=account)
    OrganizationLearnerFactory(
        national_student_id="123456789AB", user=account, birthdate=date(2012, 3, 14)
    )
    import_now(school, files.two_pupils())
    assert learners(school)["123456789AB"].user is None


def test_an_existing_link_is_kept(school):
    account = UserFactory()
    import_now(school, files.two_pupils())
    OrganizationLearner.objects.filter(national_student_id="987654321CD").update(user=account)
    import_now(school, files.two_pupils())
    assert learners(school)["987654321CD"].user == account


# --- credentials ----------------------------------------------------------------------------------

OTP = re.compile(r"^[a-hj-km-np-z]{6}\d{2}$")


def test_one_time_passwords_avoid_ambiguous_letters():
    for _ in range(200):
        assert OTP.match(services.one_time_password())


def test_add_username_creates_the_account(school, teacher):
    learner = OrganizationLearnerFactory(
        organization=school,
        first_name="Jean-Édouard",
        last_name="Lœuillet",
        birthdate=date(2012, 3, 4),
    )
    credential = services.add_username(learner=learner, by=teacher)
    assert credential.username == "jeanedouard.loeuillet0403"
    assert OTP.match(credential.password)
    account = User.objects.get(username="jeanedouard.loeuillet0403")
    assert account.must_change_password and account.check_password(credential.password)
    assert account.email is None
    learner.refresh_from_db()
    assert learner.user == account
    action = CredentialAction.objects.get()
    assert (action.action, action.performed_by, action.account) == (
        "account_created",
        teacher,
        account,
    )


def test_username_collisions_get_four_random_digits(school, teacher):
    UserFactory(username="lea.martin0101")
    learner = OrganizationLearnerFactory(
        organization=school, first_name="Léa", last_name="Martin", birthdate=date(2012, 1, 1)
    )
    credential = services.add_username(learner=learner, by=teacher)
    assert re.fullmatch(r"lea\.martin\d{4}", credential.username)
    assert credential.username != "lea.martin0101"


def test_a_username_is_added_to_an_e_mail_account_without_touching_its_password(school, teacher):
    account = UserFactory()
    learner = OrganizationLearnerFactory(organization=school, user=account)
    credential = services.add_username(learner=learner, by=teacher)
    account.refresh_from_db()
    assert credential.password == ""
    assert account.username == credential.username
    assert not account.must_change_password
    with pytest.raises(services.StudentsError) as exc:
        services.add_username(learner=learner, by=teacher)
    assert exc.value.code == "USERNAME_ALREADY_SET"


def test_reset_password_needs_a_username(school, teacher):
    learner = OrganizationLearnerFactory(organization=school, user=UserFactory())
    with pytest.raises(services.StudentsError) as exc:
        services.reset_password(learner=learner, by=teacher)
    assert exc.value.code == "NO_USERNAME"
    assert not CredentialAction.objects.exists()


def test_reset_password(school, teacher):
    account = UserFactory(email=None, username="zoe.dupont1203")
    learner = OrganizationLearnerFactory(organization=school, user=account)
    credential = services.reset_password(learner=learner, by=teacher)
    account.refresh_from_db()
    assert account.check_password(credential.password) and account.must_change_password
    assert CredentialAction.objects.get().action == "password_reset"


def test_batch_for_a_class(school, teacher):
    fresh = OrganizationLearnerFactory(organization=school, division="4A", last_name="Alpha")
    with_username = OrganizationLearnerFactory(
        organization=school,
        division="4A",
        last_name="Beta",
        user=UserFactory(email=None, username="b.beta0101"),
    )
    email_only = OrganizationLearnerFactory(organization=school, division="4A", user=UserFactory())
    OrganizationLearnerFactory(organization=school, division="4A", is_disabled=True)
    outcome = services.generate_credentials(
        learners=OrganizationLearner.objects.filter(organization=school), by=teacher
    )
    assert [c.learner.pk for c in outcome.credentials] == [fresh.pk, with_username.pk]
    assert all(OTP.match(c.password) for c in outcome.credentials)
    assert outcome.skipped == [email_only]
    assert CredentialAction.objects.filter(batch=True).count() == 2


def test_disabled_pupils_get_no_credentials(school, teacher):
    learner = OrganizationLearnerFactory(organization=school, is_disabled=True)
    with pytest.raises(services.StudentsError) as exc:
        services.add_username(learner=learner, by=teacher)
    assert exc.value.code == "LEARNER_DISABLED"


def test_a_pupil_signs_in_with_the_username_and_must_change_the_password(client, school, teacher):
    learner = OrganizationLearnerFactory(
        organization=school, first_name="Noé", last_name="Faÿ", birthdate=date(2012, 5, 6)
    )
    credential = services.add_username(learner=learner, by=teacher)
    response = client.post(
        "/connexion/", {"username": credential.username, "password": credential.password}
    )
    assert response.status_code == 302
    assert client.get("/eleves/").status_code == 302
    assert "/mot-de-passe" in client.get("/eleves/")["Location"]


def test_imports_work_with_a_remote_storage(school, settings):
    """Storages whose files are not on the local disk (S3…, here in memory) are read from a
    local copy."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    learner_import = import_now(school, files.generated_zip(15))
    assert learner_import.added_count == 15


def test_a_whole_school_moving_keeps_its_accounts(school):
    """More pupils than one query's parameters: every account is found and linked."""
    from django.utils import timezone

    from octets.students import generator

    previous = OrganizationFactory(external_id="0750002B")
    moving = generator.pupils(1100)
    accounts = User.objects.bulk_create(
        User(username=f"eleve{n}", first_name="P", last_name="N", date_joined=timezone.now())
        for n in range(len(moving))
    )
    OrganizationLearner.objects.bulk_create(
        OrganizationLearner(
            organization=previous,
            national_student_id=pupil.ine,
            first_name=pupil.first_name,
            last_name=pupil.last_name,
            birthdate=pupil.birthdate,
            division="3A",
            user=account,
        )
        for pupil, account in zip(moving, accounts, strict=True)
    )
    import_now(school, files.generated_zip(1100))
    linked = dict(
        OrganizationLearner.objects.filter(organization=school).values_list(
            "national_student_id", "user_id"
        )
    )
    assert linked == {p.ine: a.pk for p, a in zip(moving, accounts, strict=True)}
