"""Fixtures of the pupils tests: a school managing its pupils, its admin, files to upload."""

import pytest

from octets.students import generator
from tests.factories import MembershipFactory, OrganizationFactory

UAI = "0750001A"


@pytest.fixture
def school(db):
    return OrganizationFactory(name="Collège Jean Moulin", external_id=UAI)


@pytest.fixture
def school_admin(school):
    return MembershipFactory(organization=school, role="ADMIN").user


@pytest.fixture
def teacher(school):
    return MembershipFactory(organization=school, role="MEMBER").user


@pytest.fixture
def write_file(tmp_path):
    def write(data: bytes, name: str = "ElevesSansAdresses.xml"):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


@pytest.fixture
def siecle_zip():
    def make(count: int = 30, *, uai: str = UAI, seed: int = 1, encoding: str = "iso-8859-15"):
        return generator.siecle_zip(uai=uai, count=count, seed=seed, encoding=encoding)

    return make
