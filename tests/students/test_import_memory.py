"""The import's memory does not follow the number of pupils: pupils kept on disk while a file is
read, previews and writes done a chunk at a time. Whatever the chunk size, the outcome is the same.
"""

import tracemalloc
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octets.students import generator, parsing, services
from octets.students.models import OrganizationLearner
from octets.students.parsing import LearnerRecord, RecordFile, parse_learner_file
from tests.factories import OrganizationLearnerFactory, UserFactory
from tests.students.files import UAI, eleve, siecle, structure

texts = st.text(max_size=12)
a_record = st.builds(
    LearnerRecord,
    national_student_id=st.text(min_size=1, max_size=11),
    first_name=texts,
    middle_name=texts,
    last_name=texts,
    sex=st.sampled_from(["", "F", "M"]),
    birthdate=st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    birth_city=texts,
    division=texts,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(a_record, max_size=12), chunk=st.integers(min_value=1, max_value=5))
def test_a_record_file_gives_back_what_was_written(monkeypatch, records, chunk):
    monkeypatch.setattr(parsing._TupleFile, "CHUNK", chunk)  # several chunks on disk
    kept = RecordFile(records)
    assert len(kept) == len(records)
    assert list(kept) == records
    assert list(kept) == records  # read again
    both = zip(kept, kept, strict=True)  # two readings at once do not disturb each other
    assert [a for a, b in both if a == b] == records
    if records:
        assert (kept[0], kept[-1]) == (records[0], records[-1])
    with pytest.raises(IndexError):
        kept[len(records)]


def test_the_last_pupil_of_a_repeated_eleve_id_counts_at_the_first_place(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing._TupleFile, "CHUNK", 2)
    data = siecle(
        [
            eleve("1", ine="111111111AA", first="Premier"),
            eleve("2", ine="222222222BB", first="Deux"),
            eleve("1", ine="333333333CC", first="Remplaçant"),
            eleve("3", ine="444444444DD", first="Trois"),
        ],
        [structure(n, (f"6{n}", "D")) for n in ("3", "1", "2")],
    )
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    result = parse_learner_file(path, expected_uai=UAI)
    assert result.ok, result.problems
    assert [(r.first_name, r.division) for r in result.records] == [
        ("Remplaçant", "61"),
        ("Deux", "62"),
        ("Trois", "63"),
    ]


def _peak_while(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_file_keeps_a_few_hundred_bytes_per_pupil_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(parsing._TupleFile, "CHUNK", 100)  # the same chunk memory for both files

    def parse(count):
        path = tmp_path / f"{count}.xml"
        with path.open("wb") as handle:
            generator.write_siecle_xml(handle, uai=UAI, count=count)
        result = []
        peak = _peak_while(lambda: result.append(parse_learner_file(path, expected_uai=UAI)))
        assert len(result[0].records) == count
        return peak

    parse(500)  # the first calls fill caches that do not count here
    small, large = parse(500), parse(3500)
    # What remains per pupil: its INE (uniqueness) and its ELEVE_ID with its class (≈ 270 bytes
    # with the hash tables). A list of the pupils would cost about 1 KB each.
    assert (large - small) / 3000 < 350


@pytest.mark.django_db
def test_previewing_and_writing_keep_little_memory_per_pupil(school, monkeypatch):
    def records(count):
        return RecordFile(
            LearnerRecord(
                national_student_id=f"{n:010d}X",
                first_name=f"Prénom {n}",
                last_name=f"NOM {n}",
                sex="F",
                birthdate=date(2012, 1, 1),
                division=f"6{n % 5}",
            )
            for n in range(count)
        )

    def growth(count):
        OrganizationLearner.objects.filter(organization=school).delete()
        batch = records(count)
        services.write_learners(school, batch)  # every pupil known: the preview compares all
        return _peak_while(
            lambda: (services.build_preview(school, batch), services.write_learners(school, batch))
        )

    monkeypatch.setattr(services, "_chunk_size", lambda: 200)
    growth(300)  # the first calls fill caches (queries, translations) that do not count here
    # The smallest of two measures: a collection or a cache may land in any one of them.
    small, large = min(growth(300), growth(300)), min(growth(2300), growth(2300))
    # What remains per pupil: the file's INEs, to find the leavers (≈ 150–250 bytes each with
    # the hash table, which doubles as it grows). Keeping the school's pupils cost 400 more.
    assert (large - small) / 2000 < 350


# --- the same outcome whatever the chunk size -------------------------------------------------------

POOL = [f"INE{n:02d}" for n in range(10)]
a_file = st.dictionaries(
    keys=st.sampled_from(POOL),
    values=st.tuples(st.sampled_from(["6A", "6B", "5A"]), st.sampled_from(["Léa", "Noé"])),
    min_size=1,
)


def _records(content) -> list[LearnerRecord]:
    return [
        LearnerRecord(
            national_student_id=ine,
            first_name=first,
            last_name=f"Martin{ine[-1]}",
            sex="F",
            birthdate=date(2012, 1, 1),
            division=division,
        )
        for ine, (division, first) in content.items()
    ]


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(a_file, min_size=1, max_size=3), chunk=st.integers(1, 4))
def test_chunks_change_nothing_to_previews_and_writes(school, monkeypatch, files, chunk):
    OrganizationLearner.objects.filter(organization=school).delete()
    for content in files:
        batch = _records(content)
        with monkeypatch.context() as patched:
            patched.setattr(services, "_chunk_size", lambda: 10_000)
            whole = services.build_preview(school, batch)
        monkeypatch.setattr(services, "_chunk_size", lambda: chunk)
        assert services.build_preview(school, iter(batch)) == whole
        counts = services.write_learners(school, iter(batch))
        assert (counts.added, counts.disabled) == (
            whole["counts"]["new"],
            whole["counts"]["leaving"],
        )
        active = OrganizationLearner.objects.filter(organization=school, is_disabled=False)
        assert set(active.values_list("national_student_id", flat=True)) == set(content)


@pytest.mark.django_db
def test_preview_lists_are_cut_but_every_pupil_is_counted(school, monkeypatch):
    monkeypatch.setattr(services, "PREVIEW_LIST_LIMIT", 3)
    monkeypatch.setattr(services, "_chunk_size", lambda: 2)
    for n in range(7):  # pupils of the school, all leaving
        OrganizationLearnerFactory(
            organization=school,
            national_student_id=f"OLD{n}",
            division=f"5{n % 2}",
            last_name=f"L{6 - n}",
        )
    preview = services.build_preview(
        school,
        [
            LearnerRecord(
                national_student_id=f"NEW{n}", first_name="A", last_name="B", division="6A"
            )
            for n in range(5)
        ],
    )
    assert (preview["counts"]["new"], preview["counts"]["leaving"]) == (5, 7)
    assert [p["ine"] for p in preview["new"]] == ["NEW0", "NEW1", "NEW2"]
    # The first leavers by class then name, among all of them.
    assert [(p["division"], p["last_name"]) for p in preview["leaving"]] == [
        ("50", "L0"),
        ("50", "L2"),
        ("50", "L4"),
    ]
    assert preview["per_class"]["50"]["leaving"] + preview["per_class"]["51"]["leaving"] == 7


@pytest.mark.django_db
def test_pupils_coming_from_another_school_keep_their_accounts_chunk_after_chunk(
    school, monkeypatch
):
    from tests.factories import OrganizationFactory

    monkeypatch.setattr(services, "_chunk_size", lambda: 1)
    other = OrganizationFactory(external_id="0750002B")
    accounts = {ine: UserFactory() for ine in ("AAA", "BBB", "CCC")}
    for ine, account in accounts.items():
        OrganizationLearnerFactory(
            organization=other, national_student_id=ine, user=account, birthdate=date(2012, 1, 1)
        )
    batch = [
        LearnerRecord(
            national_student_id=ine,
            first_name="A",
            last_name="B",
            birthdate=date(2012, 1, 1),
            division="6A",
        )
        for ine in ("AAA", "BBB", "CCC", "DDD")
    ]
    services.write_learners(school, batch)
    linked = dict(
        OrganizationLearner.objects.filter(organization=school).values_list(
            "national_student_id", "user_id"
        )
    )
    assert linked == {**{ine: a.pk for ine, a in accounts.items()}, "DDD": None}
