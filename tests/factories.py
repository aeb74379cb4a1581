"""Factories per domain, with traits for the states tests need."""

from datetime import timedelta

import factory
from django.utils import timezone

from octets.accounts.models import User
from octets.organizations.models import Invitation, Membership, Organization

PASSWORD = "Motdepasse1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.Sequence(lambda n: f"personne{n}@ecole.example")
    cgu_accepted_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(PASSWORD)

    class Params:
        without_cgu = factory.Trait(cgu_accepted_at=None)
        must_change = factory.Trait(must_change_password=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    type = Organization.Type.SCO
    name = factory.Sequence(lambda n: f"Collège {n}")
    external_id = factory.Sequence(lambda n: f"{n % 10_000_000:07d}X")
    email = factory.Sequence(lambda n: f"ce.{n}@ac-test.example")
    is_managing_students = True

    class Params:
        archived = factory.Trait(archived_at=factory.LazyFunction(timezone.now))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER

    class Params:
        admin = factory.Trait(role=Membership.Role.ADMIN)
        disabled = factory.Trait(disabled_at=factory.LazyFunction(timezone.now))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invite{n}@ecole.example")
    role = Membership.Role.MEMBER

    class Params:
        expired = factory.Trait(
            last_sent_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=31))
        )
        accepted = factory.Trait(status=Invitation.Status.ACCEPTED)
        cancelled = factory.Trait(status=Invitation.Status.CANCELLED)


# --- students (pupils of a school) -----------------------------------------------------------------
from datetime import date  # noqa: E402

from octets.students.models import OrganizationLearner  # noqa: E402


class OrganizationLearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationLearner

    organization = factory.SubFactory(OrganizationFactory)
    national_student_id = factory.Sequence(lambda n: f"{n:010d}A")
    first_name = factory.Sequence(lambda n: f"Élève{n}")
    last_name = factory.Sequence(lambda n: f"Famille{n}")
    sex = "F"
    birthdate = date(2012, 3, 14)
    birth_country_code = "100"
    birth_city_code = "75056"
    birth_province_code = "075"
    status = "ST"
    mef_code = "10010012110"
    division = "6A"

    class Params:
        disabled = factory.Trait(is_disabled=True)
