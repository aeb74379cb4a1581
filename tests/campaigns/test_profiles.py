"""The shipped target profiles: valid against the shipped content, loaded idempotently, and the
loader refuses a file that breaks a rule (naming the file and the problem)."""

import shutil

import pytest

from octets.campaigns.models import Badge, CappedTube, Stage, TargetProfile
from octets.campaigns.profiles import PROFILES_DIR, ProfileFileError, check_all, load_profiles


def test_shipped_profiles_are_valid_and_load_twice_without_duplicates(content):
    assert check_all(content) == []
    load_profiles(content)
    counts = (TargetProfile.objects.count(), CappedTube.objects.count(), Badge.objects.count())
    load_profiles(content)
    assert (
        TargetProfile.objects.count(),
        CappedTube.objects.count(),
        Badge.objects.count(),
    ) == counts
    keys = set(TargetProfile.objects.values_list("key", flat=True))
    assert {"rentree-6e", "rentree-5e-3e", "rentree-lycee", "16-competences"} <= keys
    assert TargetProfile.objects.filter(category="subject").count() >= 2
    for profile in TargetProfile.objects.all():
        assert (
            profile.stages.filter(threshold=0).exists() or profile.stages.filter(level=0).exists()
        )
        assert profile.badges.exists()
    # the 16 competences profile caps every tube of the bank
    assert TargetProfile.objects.get(key="16-competences").capped_tubes.count() == len(
        content.tubes
    )


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('id = "tube_1_1_moteur"', 'id = "tube_inconnu"', "n'existe pas"),
        ("threshold = 0\n", "threshold = 5\n", "palier zéro"),
        ("threshold = 30\n", "level = 1\n", "mélangent"),
    ],
)
def test_a_broken_profile_file_is_refused_with_its_name(content, tmp_path, old, new, problem):
    target = tmp_path / "profiles"
    shutil.copytree(PROFILES_DIR, target)
    path = target / "rentree-6e.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ProfileFileError) as error:
        load_profiles(content, target)
    assert "rentree-6e.toml" in str(error.value)
    assert problem in str(error.value)
    assert not TargetProfile.objects.exists()
    assert not Stage.objects.exists()
