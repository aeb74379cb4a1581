"""Reads behind the teacher's result pages that ``selectors`` does not give: the rows of a page
of participants with their counts and evolution, a participant's sending history, and a
shared participation's frozen result rebuilt as the lines a page shows.

Everything here works on one page of rows at a time, with a fixed number of queries, so that
a campaign of thousands of participations costs the same as a small one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf

from octets.campaigns import selectors
from octets.campaigns.models import Campaign, Participation

# -- analysis ------------------------------------------------------------------------------------

ANALYSIS_CACHE_SECONDS = 24 * 3600


def analysis(campaign: Campaign):
    """``selectors.analysis`` (which decodes every shared snapshot), kept in the cache until a
    participation is shared or deleted or the content changes: the key is made of what changes
    then (one small aggregate query)."""
    from django.core.cache import cache

    from octets.content.selectors import current_content

    stamp = (
        selectors.current_participations(campaign)
        .filter(status=Participation.Status.SHARED)
        .order_by()
        .aggregate(n=Count("pk"), last=Max("shared_at"), ids=Sum("pk"))
    )
    key = ":".join(
        str(part)
        for part in (
            "campaign-analysis",
            campaign.pk,
            current_content().checksum,
            stamp["n"],
            stamp["last"].isoformat() if stamp["last"] else "",
            stamp["ids"] or 0,
        )
    )
    result = cache.get(key)
    if result is None:
        result = selectors.analysis(campaign)
        cache.set(key, result, ANALYSIS_CACHE_SECONDS)
    return result


# -- lists --------------------------------------------------------------------------------------


def ordered_by_name(qs: QuerySet[Participation]) -> QuerySet[Participation]:
    """Participations by the participant's last name then first name, as the school knows them."""
    return (
        qs.select_related("organization_learner", "user")
        .defer("snapshot")  # the biggest column, which no list shows
        .annotate(
            sort_last=Lower(
                Coalesce(
                    NullIf(F("organization_learner__preferred_last_name"), Value("")),
                    F("organization_learner__last_name"),
                    F("user__last_name"),
                )
            ),
            sort_first=Lower(
                Coalesce(F("organization_learner__first_name"), F("user__first_name"))
            ),
        )
        .order_by("sort_last", "sort_first", "pk")
    )


def _same_participants(campaign: Campaign, participations) -> Q | None:
    learner_ids = {p.organization_learner_id for p in participations if p.organization_learner_id}
    user_ids = {p.user_id for p in participations if not p.organization_learner_id and p.user_id}
    if not learner_ids and not user_ids:
        return None
    return Q(organization_learner_id__in=learner_ids) | Q(
        organization_learner__isnull=True, user_id__in=user_ids
    )


def _key(learner_id, user_id) -> str:
    return f"l{learner_id}" if learner_id else f"u{user_id}"


def participation_counts(campaign: Campaign, participations) -> Counter:
    """Per participant key of ``participations`` (a page): how many participations they have in
    the campaign, sent or not (one query)."""
    same = _same_participants(campaign, participations)
    if same is None:
        return Counter()
    rows = (
        Participation.objects.filter(campaign=campaign, deleted_at__isnull=True)
        .filter(same)
        .order_by()
        .values_list("organization_learner_id", "user_id")
    )
    return Counter(_key(lid, uid) for lid, uid in rows)


@dataclass
class Sendings:
    count: int = 0  # shared participations
    previous_rate: float | None = None  # mastery of the sending before the current one
    previous_pix: int | None = None


def sendings(campaign: Campaign, participations) -> dict[str, Sendings]:
    """Per participant key of ``participations`` (a page): the number of shared participations
    and the results of the latest superseded one (one query)."""
    same = _same_participants(campaign, participations)
    out: dict[str, Sendings] = {}
    if same is None:
        return out
    rows = (
        Participation.objects.filter(
            campaign=campaign, deleted_at__isnull=True, status=Participation.Status.SHARED
        )
        .filter(same)
        .order_by("shared_at", "pk")
        .values_list(
            "organization_learner_id", "user_id", "is_improved", "mastery_rate", "pix_score"
        )
    )
    for lid, uid, is_improved, rate, pix in rows:
        entry = out.setdefault(_key(lid, uid), Sendings())
        entry.count += 1
        if is_improved:
            entry.previous_rate, entry.previous_pix = rate, pix
    return out


def pix_evolution(current: int | None, previous: int | None) -> str | None:
    if current is None or previous is None:
        return None
    if current > previous:
        return "increase"
    if current < previous:
        return "decrease"
    return "stable"


# -- a participant ------------------------------------------------------------------------------


def participation_in(campaign: Campaign, participation_id) -> Participation | None:
    """A participation of the campaign, current or an earlier sending, not deleted."""
    try:
        participation_id = int(participation_id)
    except (TypeError, ValueError):
        return None
    return (
        Participation.objects.filter(
            campaign=campaign, pk=participation_id, deleted_at__isnull=True
        )
        .select_related("organization_learner", "user", "campaign")
        .first()
    )


def history(participation: Participation) -> list[Participation]:
    """Every participation of the same participant in the campaign, oldest first (#1, #2…)."""
    qs = Participation.objects.filter(
        campaign_id=participation.campaign_id, deleted_at__isnull=True
    )
    if participation.organization_learner_id:
        qs = qs.filter(organization_learner_id=participation.organization_learner_id)
    elif participation.user_id:
        qs = qs.filter(organization_learner__isnull=True, user_id=participation.user_id)
    else:
        qs = qs.filter(pk=participation.pk)
    return list(qs.order_by("created_at", "pk").only("pk", "created_at", "shared_at", "status"))


def result_of(participation: Participation):
    """The result of an assessment participation: frozen when shared, live otherwise (None when
    the participant's account is gone)."""
    rules = selectors.profile_rules(participation.campaign.target_profile_id)
    if participation.is_shared:
        return selectors.frozen_result(participation, rules=rules)
    if participation.user_id is None:
        return None
    return selectors.live_result(participation, rules=rules)


@dataclass
class ProfileLine:
    index: str
    name: str
    area_name: str
    level: int
    pix: int


def profile_lines(participation: Participation) -> list[ProfileLine]:
    """A shared profile's competences with their level and pix, in framework order."""
    from octets.content.selectors import current_content

    content = current_content()
    lines = []
    for competence_id, (level, pix) in (
        (participation.snapshot or {}).get("competences") or {}
    ).items():
        competence = content.get("competences", competence_id)
        area = content.get("areas", competence.area_id) if competence else None
        lines.append(
            ProfileLine(
                index=competence.index if competence else "",
                name=competence.name if competence else competence_id,
                area_name=area.name if area else "",
                level=level,
                pix=pix,
            )
        )
    lines.sort(key=lambda line: selectors.competence_order(line.index))
    return lines
