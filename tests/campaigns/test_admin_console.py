"""The operator creates target profiles in the console, checked like the shipped files: tubes
must exist with a cap within their levels, stages need one zero stage of a single kind."""

import pytest

from octets.campaigns.models import TargetProfile
from tests.factories import UserFactory


@pytest.fixture
def operator_client(client, db):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True),
        backend="octets.accounts.backends.EmailOrUsernameBackend",
    )
    return client


def form(tubes, stages):
    data = {"name": "Parcours console", "category": "custom", "description": "", "comment": ""}
    data.update(
        {
            "capped_tubes-TOTAL_FORMS": str(len(tubes)),
            "capped_tubes-INITIAL_FORMS": "0",
            "stages-TOTAL_FORMS": str(len(stages)),
            "stages-INITIAL_FORMS": "0",
            "badges-TOTAL_FORMS": "0",
            "badges-INITIAL_FORMS": "0",
        }
    )
    for n, (tube_id, level) in enumerate(tubes):
        data[f"capped_tubes-{n}-tube_id"] = tube_id
        data[f"capped_tubes-{n}-level"] = str(level)
    for n, (threshold, title) in enumerate(stages):
        data[f"stages-{n}-threshold"] = str(threshold)
        data[f"stages-{n}-title"] = title
        data[f"stages-{n}-message"] = f"Message {title}"
    return data


ADD = "/admin/campaigns/targetprofile/add/"


def test_operator_creates_a_valid_profile(operator_client, content):
    response = operator_client.post(
        ADD, form([("tube_1_1_moteur", 3)], [(0, "Départ"), (50, "Moitié")])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = TargetProfile.objects.get()
    assert list(profile.capped_tubes.values_list("tube_id", "level")) == [("tube_1_1_moteur", 3)]
    assert profile.stages.count() == 2


@pytest.mark.parametrize(
    ("tubes", "stages", "problem"),
    [
        ([("tube_inconnu", 2)], [(0, "Départ")], "n&#x27;existe pas"),
        ([("tube_1_1_moteur", 9)], [(0, "Départ")], "hors de 1–6"),
        ([("tube_1_1_moteur", 2)], [(30, "Trente")], "palier zéro"),
    ],
)
def test_a_broken_profile_is_refused_and_nothing_saved(
    operator_client, content, tubes, stages, problem
):
    response = operator_client.post(ADD, form(tubes, stages))
    assert response.status_code == 200
    assert problem in response.content.decode()
    assert not TargetProfile.objects.exists()
