"""Properties of successive imports: whatever files follow one another, the active pupils are
exactly the last file's, nobody is ever deleted, and the preview announces what is written."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octets.students import services
from octets.students.models import OrganizationLearner
from octets.students.parsing import LearnerRecord

POOL = [f"INE{n:02d}" for n in range(8)]

a_file = st.dictionaries(
    keys=st.sampled_from(POOL),
    values=st.tuples(st.sampled_from(["6A", "6B", "5A"]), st.sampled_from(["Léa", "Noé"])),
    min_size=1,
)


def records(content) -> list[LearnerRecord]:
    return [
        LearnerRecord(
            national_student_id=ine,
            first_name=first,
            last_name="Martin",
            sex="F",
            birthdate=date(2012, 1, 1),
            division=division,
        )
        for ine, (division, first) in sorted(content.items())
    ]


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(a_file, min_size=1, max_size=4))
def test_successive_imports(school, files):
    OrganizationLearner.objects.filter(organization=school).delete()
    seen: set[str] = set()
    for content in files:
        batch = records(content)
        preview = services.build_preview(school, batch)
        counts = services.write_learners(school, batch)
        seen |= set(content)
        rows = {
            r.national_student_id: r
            for r in OrganizationLearner.objects.filter(organization=school)
        }
        assert set(rows) == seen  # never deleted
        assert {ine for ine, r in rows.items() if not r.is_disabled} == set(content)
        for ine, (division, first) in content.items():
            assert (rows[ine].division, rows[ine].first_name) == (division, first)
        assert preview["counts"]["new"] == counts.added
        assert preview["counts"]["leaving"] == counts.disabled
        assert counts.added + counts.updated == len(content)
        assert sum(c["pupils"] for c in preview["per_class"].values()) == len(content)


@given(st.text(max_size=40))
def test_folded_names_are_lowercase_ascii_and_stable(name):
    from octets.students.selectors import fold_name

    folded = fold_name(name)
    assert folded.isascii()
    assert folded == folded.lower()
    assert fold_name(folded) == folded
    assert fold_name(name.upper()) == fold_name(name.lower()) or not name.isascii()
