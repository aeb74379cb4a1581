"""Reads on campaigns: the profiles a school may use, its campaigns with their counts, a
learner's live result, and the activity, results and analysis a teacher sees.

Shared participations carry their frozen results (``Participation.snapshot`` and columns), so
the teacher's tabs read rows and never recompute a learner's knowledge.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from octets.assessments import selectors as assessment_selectors
from octets.campaigns.models import Badge, Campaign, Participation, Stage, TargetProfile
from octets.content.selectors import current_content
from octets.engine.knowledge import latest_by_skill
from octets.engine.results import (
    BadgeRule,
    CriterionRule,
    StageRule,
    badge_obtained,
    mastery_percentage,
    mastery_rate,
    progression,
    reached_stages,
    recommendation_label,
    recommendation_score,
    results_by,
    target_skills,
    tube_results,
)
from octets.organizations.permissions import active_membership

# -- target profiles --------------------------------------------------------------------------


def target_profiles_for(organization) -> QuerySet[TargetProfile]:
    """Profiles a school may use: not outdated, and public, its own or shared with it."""
    return (
        TargetProfile.objects.filter(is_outdated=False)
        .filter(
            Q(is_public=True) | Q(owner_organization=organization) | Q(shared_with=organization)
        )
        .distinct()
        .order_by("category", "name", "pk")
    )


@dataclass(frozen=True)
class ProfileRules:
    stages: tuple[Stage, ...]
    badges: tuple[Badge, ...]
    stage_rules: tuple[StageRule, ...]
    badge_rules: tuple[BadgeRule, ...]


def profile_rules(target_profile_id: int | None) -> ProfileRules:
    """The stages and badges of a target profile (two queries)."""
    if target_profile_id is None:
        return ProfileRules((), (), (), ())
    stages = tuple(Stage.objects.filter(target_profile_id=target_profile_id))
    badges = tuple(
        Badge.objects.filter(target_profile_id=target_profile_id).prefetch_related("criteria")
    )
    return ProfileRules(
        stages=stages,
        badges=badges,
        stage_rules=tuple(
            StageRule(
                id=stage.pk,
                threshold=stage.threshold,
                level=stage.level,
                is_first_skill=stage.is_first_skill,
            )
            for stage in stages
        ),
        badge_rules=tuple(
            BadgeRule(
                id=badge.pk,
                criteria=tuple(
                    CriterionRule(
                        scope=criterion.scope,
                        threshold=criterion.threshold,
                        capped_tubes=tuple((str(t), int(lvl)) for t, lvl in criterion.capped_tubes),
                    )
                    for criterion in badge.criteria.all()
                ),
            )
            for badge in badges
        ),
    )


def ordered_stages(rules: ProfileRules, skills) -> list[Stage]:
    """The profile's stages from the zero stage up (what "n stars out of N" counts)."""
    by_id = {stage.pk: stage for stage in rules.stages}
    everything = reached_stages(
        rules.stage_rules, skills, percentage=100, validated=len(skills) or 1
    )
    return [by_id[rule.id] for rule in everything]


# -- a learner's result -----------------------------------------------------------------------


@dataclass
class CompetenceLine:
    id: str
    index: str
    name: str
    area_code: str
    area_name: str
    total: int
    validated: int

    @property
    def percentage(self) -> int:
        return mastery_percentage(self.validated, self.total)


@dataclass
class TubeLine:
    id: str
    title: str
    competence_id: str
    reached_level: int
    max_level: int
    validated: int
    total: int
    tutorials: list = field(default_factory=list)


@dataclass
class ParticipationResult:
    total: int
    validated: int
    progression: int
    mastery_rate: float
    stage: Stage | None  # the highest reached
    reached_stage: int | None  # 1 = the zero stage ("stars" including it)
    total_stages: int | None
    badges: list[Badge]
    all_badges: list[Badge]
    pix_score: int
    competences: list[CompetenceLine]
    tubes: list[TubeLine]
    is_live: bool = True  # False: the frozen result of a shared participation

    @property
    def percentage(self) -> int:
        return round(self.mastery_rate * 100)

    @property
    def stars(self) -> int:
        """Stages reached above the zero stage (what "n étoiles sur N" counts)."""
        return max(0, (self.reached_stage or 1) - 1)

    @property
    def stars_total(self) -> int:
        return max(0, (self.total_stages or 1) - 1)

    def snapshot(self) -> dict:
        return {
            "competences": {c.id: [c.validated, c.total] for c in self.competences},
            "tubes": {
                t.id: [t.reached_level, t.max_level, t.validated, t.total] for t in self.tubes
            },
        }


def competence_order(index: str) -> list[int]:
    return [int(part) if part.isdigit() else 0 for part in index.split(".")]


def _competence_line(content, competence_id: str, validated: int, total: int) -> CompetenceLine:
    competence = content.get("competences", competence_id)
    area = content.get("areas", competence.area_id) if competence else None
    return CompetenceLine(
        id=competence_id,
        index=competence.index if competence else "",
        name=competence.name if competence else competence_id,
        area_code=area.code if area else "",
        area_name=area.name if area else "",
        total=total,
        validated=validated,
    )


def campaign_skills(campaign: Campaign, content=None):
    content = content or current_content()
    return content, target_skills(content.skills, campaign.capped_tube_map())


def live_result(participation: Participation, *, rules: ProfileRules | None = None):
    """The learner's result now (from the lifelong knowledge over the campaign's skills)."""
    campaign = participation.campaign
    content, skills = campaign_skills(campaign)
    rules = rules or profile_rules(campaign.target_profile_id)
    known = latest_by_skill(
        assessment_selectors.knowledge_of(participation.user_id, skill_ids=[s.id for s in skills])
    )
    validated = [s for s in skills if (ke := known.get(s.id)) and ke.is_validated]
    percentage = mastery_percentage(len(validated), len(skills))
    stage = None
    reached = total_stages = None
    if rules.stage_rules:
        acquired = reached_stages(
            rules.stage_rules, skills, percentage=percentage, validated=len(validated)
        )
        by_id = {s.pk: s for s in rules.stages}
        stage = by_id[acquired[-1].id] if acquired else None
        reached = len(acquired)
        total_stages = len(rules.stage_rules)
    badges = [
        badge
        for badge, rule in zip(rules.badges, rules.badge_rules, strict=True)
        if badge_obtained(rule, skills, known)
    ]
    competences = [
        _competence_line(content, competence_id, group.validated, group.total)
        for competence_id, group in results_by(lambda s: s.competence_id, skills, known).items()
    ]
    competences.sort(key=lambda line: competence_order(line.index))
    tubes = []
    for tube_id, tube_result in tube_results(skills, known).items():
        tube = content.get("tubes", tube_id)
        tubes.append(
            TubeLine(
                id=tube_id,
                title=(tube.title or tube.name) if tube else tube_id,
                competence_id=tube_result.competence_id,
                reached_level=tube_result.reached_level,
                max_level=tube_result.max_level,
                validated=tube_result.validated,
                total=tube_result.total,
            )
        )
    return ParticipationResult(
        total=len(skills),
        validated=len(validated),
        progression=progression(skills, known),
        mastery_rate=mastery_rate(len(validated), len(skills)),
        stage=stage,
        reached_stage=reached,
        total_stages=total_stages,
        badges=badges,
        all_badges=list(rules.badges),
        pix_score=round(sum(known[s.id].earned_pix for s in validated)),
        competences=competences,
        tubes=tubes,
    )


def frozen_result(participation: Participation, *, rules: ProfileRules | None = None):
    """What a shared participation sent (its frozen columns and snapshot), shaped like a live
    result; the names come from the content in service."""
    campaign = participation.campaign
    rules = rules or profile_rules(campaign.target_profile_id)
    content, skills = campaign_skills(campaign)
    stages = ordered_stages(rules, skills) if rules.stages else []
    reached = participation.reached_stage or 0
    stage = stages[reached - 1] if 0 < reached <= len(stages) else None
    keys = set(participation.badge_keys or [])
    snapshot = participation.snapshot or {}
    competences = [
        _competence_line(content, competence_id, validated, total)
        for competence_id, (validated, total) in (snapshot.get("competences") or {}).items()
    ]
    competences.sort(key=lambda line: competence_order(line.index))
    tubes = []
    for tube_id, (reached_level, max_level, validated, total) in (
        snapshot.get("tubes") or {}
    ).items():
        tube = content.get("tubes", tube_id)
        tubes.append(
            TubeLine(
                id=tube_id,
                title=(tube.title or tube.name) if tube else tube_id,
                competence_id=tube.competence_id if tube else "",
                reached_level=reached_level,
                max_level=max_level,
                validated=validated,
                total=total,
            )
        )
    validated = participation.validated_skills_count or 0
    return ParticipationResult(
        is_live=False,
        mastery_rate=participation.mastery_rate or 0.0,
        progression=100,
        pix_score=participation.pix_score or 0,
        validated=validated,
        total=len(skills),
        stage=stage,
        reached_stage=participation.reached_stage,
        total_stages=participation.total_stages,
        badges=[badge for badge in rules.badges if badge.key in keys],
        all_badges=list(rules.badges),
        competences=competences,
        tubes=tubes,
    )


def skills_to_work(participation: Participation) -> list:
    """Failed skills of the campaign with their tutorials, easiest first."""
    content, skills = campaign_skills(participation.campaign)
    known = latest_by_skill(
        assessment_selectors.knowledge_of(participation.user_id, skill_ids=[s.id for s in skills])
    )
    failed = [s for s in skills if (ke := known.get(s.id)) and not ke.is_validated]
    out = []
    for skill in sorted(failed, key=lambda s: (s.level, s.name)):
        tube = content.get("tubes", skill.tube_id)
        tutorials = [t for t in (content.get("tutorials", i) for i in skill.tutorial_ids) if t]
        out.append(
            {
                "skill": skill,
                "tube_title": (tube.title or tube.name) if tube else "",
                "tutorials": tutorials,
            }
        )
    return out


def days_before_new_sending(participation: Participation, now=None) -> int:
    """Days left before a shared participation may be followed by a new one."""
    if participation.shared_at is None:
        return 0
    now = now or timezone.now()
    ready = participation.shared_at + timedelta(days=settings.OCTETS_CAMPAIGN_RETRY_DELAY_DAYS)
    if ready <= now:
        return 0
    left = ready - now
    return left.days + (1 if left.seconds or left.microseconds else 0)


def participation_of(user, campaign: Campaign) -> Participation | None:
    """The learner's current participation in the campaign."""
    return (
        Participation.objects.filter(
            campaign=campaign, user=user, is_improved=False, deleted_at__isnull=True
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def participations_of_user(user) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(
            user=user, is_improved=False, deleted_at__isnull=True, campaign__deleted_at__isnull=True
        )
        .select_related("campaign", "campaign__organization")
        .order_by("-created_at", "-pk")
    )


# -- the school's side ------------------------------------------------------------------------


def campaigns_viewable_by(user) -> Q:
    """Campaigns of the organizations where ``user`` is an active member."""
    from octets.organizations.models import Membership

    member_of = Membership.objects.filter(user=user, disabled_at__isnull=True).values(
        "organization_id"
    )
    return Q(organization_id__in=member_of, deleted_at__isnull=True)


def campaign_list(
    *,
    viewer,
    organization,
    mine: bool = False,
    archived: bool = False,
    name: str = "",
    owner: str = "",
) -> QuerySet[Campaign]:
    """The organization's campaigns with their participant and result counts (one query)."""
    qs = Campaign.objects.filter(campaigns_viewable_by(viewer), organization=organization)
    qs = qs.filter(archived_at__isnull=not archived)
    if mine:
        qs = qs.filter(owner=viewer)
    for word in name.split():
        qs = qs.filter(name__icontains=word)
    for word in owner.split():
        qs = qs.filter(Q(owner__first_name__icontains=word) | Q(owner__last_name__icontains=word))
    current = Q(participations__deleted_at__isnull=True, participations__is_improved=False)
    return (
        qs.select_related("owner", "target_profile")
        .annotate(
            participants_count=Count("participations", filter=current),
            shared_count=Count(
                "participations",
                filter=current & Q(participations__status=Participation.Status.SHARED),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def campaign_for(*, viewer, organization, campaign_id) -> Campaign | None:
    try:
        campaign_id = int(campaign_id)
    except (TypeError, ValueError):
        return None
    return (
        Campaign.objects.filter(
            campaigns_viewable_by(viewer), organization=organization, pk=campaign_id
        )
        .select_related("owner", "target_profile", "organization")
        .first()
    )


def current_participations(campaign: Campaign) -> QuerySet[Participation]:
    return Participation.objects.filter(
        campaign=campaign, deleted_at__isnull=True, is_improved=False
    )


def filter_participations(
    qs: QuerySet[Participation],
    *,
    divisions=(),
    statuses=(),
    search: str = "",
    stages=(),
    badges=(),
) -> QuerySet[Participation]:
    divisions = [d for d in divisions if d]
    if divisions:
        qs = qs.filter(organization_learner__division__in=divisions)
    statuses = [s for s in statuses if s in Participation.Status.values]
    if statuses:
        qs = qs.filter(status__in=statuses)
    for word in search.split():
        qs = qs.filter(
            Q(organization_learner__first_name__icontains=word)
            | Q(organization_learner__last_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(participant_external_id__icontains=word)
        )
    stage_values = []
    for value in stages:
        try:
            stage_values.append(int(value))
        except (TypeError, ValueError):
            continue
    if stage_values:
        qs = qs.filter(reached_stage__in=stage_values)
    badge_keys = [b for b in badges if b]
    if badge_keys:
        if connection.vendor == "postgresql":
            qs = qs.filter(badge_keys__contains=badge_keys)
        else:  # SQLite has no JSON containment: pick the ids in Python
            wanted = set(badge_keys)
            qs = qs.filter(
                pk__in=[
                    pk
                    for pk, keys in qs.values_list("pk", "badge_keys")
                    if wanted <= set(keys or [])
                ]
            )
    return qs


def participant_name(participation: Participation) -> tuple[str, str]:
    """(last name, first name) as the school knows them: the pupil's, else the account's."""
    learner = participation.organization_learner
    if learner is not None:
        return learner.preferred_last_name or learner.last_name, learner.first_name
    user = participation.user
    if user is not None:
        return user.last_name, user.first_name
    return "", ""


def divisions_of(campaign: Campaign) -> list[str]:
    return sorted(
        d
        for d in current_participations(campaign)
        .exclude(organization_learner__isnull=True)
        .order_by()
        .values_list("organization_learner__division", flat=True)
        .distinct()
        if d
    )


@dataclass
class Activity:
    participants: int
    shared: int
    started: int
    to_share: int
    average_result: int | None  # % over shared participations
    average_stage: float | None  # in stars (stages above the zero stage)
    by_day: list[tuple]  # (date, started that day, shared that day)
    by_stage: list[tuple]  # (reached stage, count)
    by_result_band: list[tuple]  # ("0–20 %", count)


RESULT_BANDS = ["0–20 %", "20–40 %", "40–60 %", "60–80 %", "80–100 %"]


def activity(campaign: Campaign, *, total_stages: int | None = None) -> Activity:
    """The numbers of the activity tab, in a few queries whatever the campaign's size.
    ``total_stages`` is the number of stages of the campaign's profile (counted when None)."""
    if total_stages is None:
        total_stages = (
            Stage.objects.filter(target_profile_id=campaign.target_profile_id).count()
            if campaign.target_profile_id
            else 0
        )
    status = Participation.Status
    shared = Q(status=status.SHARED)
    numbers = {
        s: Count("pk", filter=Q(status=s)) for s in (status.STARTED, status.TO_SHARE, status.SHARED)
    }
    numbers["average"] = Avg(Coalesce(F("mastery_rate"), Value(0.0)), filter=shared)
    numbers["average_stage"] = Avg("reached_stage", filter=shared & Q(reached_stage__gt=0))
    for band in range(5):
        low = Q() if band == 0 else Q(mastery_rate__gte=band / 5)
        high = (
            Q() if band == 4 else Q(mastery_rate__lt=(band + 1) / 5) | Q(mastery_rate__isnull=True)
        )
        numbers[f"band{band}"] = Count("pk", filter=shared & low & high)
    for stage in range(1, total_stages + 1):
        numbers[f"stage{stage}"] = Count("pk", filter=shared & Q(reached_stage=stage))
    row = current_participations(campaign).order_by().aggregate(**numbers)
    counts = {s: row[s] for s in (status.STARTED, status.TO_SHARE, status.SHARED)}
    shared_count = counts[status.SHARED]
    average = average_stage = None
    bands: dict[int, int] = {}
    stage_counts: list[tuple] = []
    if shared_count and campaign.is_assessment:
        average = round(100 * (row["average"] or 0))
        if row["average_stage"] is not None:
            # in stars: the zero stage is not a star
            average_stage = round(row["average_stage"] - 1, 1)
        bands = {band: row[f"band{band}"] for band in range(5)}
        stage_counts = [
            (stage, row[f"stage{stage}"])
            for stage in range(1, total_stages + 1)
            if row[f"stage{stage}"]
        ]
    # One narrow read bucketed here: SQLite has no time zones, and its per-row date function
    # (a Python callback) costs more than converting the datetimes in Python.
    tz = timezone.get_current_timezone()
    days: dict = defaultdict(lambda: [0, 0])
    for created_at, shared_at in (
        Participation.objects.filter(campaign=campaign, deleted_at__isnull=True)
        .order_by()
        .values_list("created_at", "shared_at")
    ):
        days[created_at.astimezone(tz).date()][0] += 1
        if shared_at is not None:
            days[shared_at.astimezone(tz).date()][1] += 1
    return Activity(
        participants=sum(counts.values()),
        shared=shared_count,
        started=counts.get(Participation.Status.STARTED, 0),
        to_share=counts.get(Participation.Status.TO_SHARE, 0),
        average_result=average,
        average_stage=average_stage,
        by_day=[(day, *days[day]) for day in sorted(days)],
        by_stage=stage_counts,
        by_result_band=[(RESULT_BANDS[i], bands.get(i, 0)) for i in range(5)]
        if shared_count and campaign.is_assessment
        else [],
    )


def sending_counts(campaign: Campaign) -> dict:
    """Per participant key (learner or user id): how many participations were shared."""
    rows = Participation.objects.filter(
        campaign=campaign, deleted_at__isnull=True, status=Participation.Status.SHARED
    ).values_list("organization_learner_id", "user_id")
    return Counter(f"l{lid}" if lid else f"u{uid}" for lid, uid in rows)


def previous_rates(campaign: Campaign) -> dict:
    """Per participant key: the mastery rate of the previous shared participation."""
    rows = (
        Participation.objects.filter(
            campaign=campaign,
            deleted_at__isnull=True,
            status=Participation.Status.SHARED,
            is_improved=True,
        )
        .order_by("shared_at", "pk")
        .values_list("organization_learner_id", "user_id", "mastery_rate")
    )
    previous = {}
    for lid, uid, rate in rows:
        previous[f"l{lid}" if lid else f"u{uid}"] = rate
    return previous


def participant_key(participation: Participation) -> str:
    if participation.organization_learner_id:
        return f"l{participation.organization_learner_id}"
    return f"u{participation.user_id}"


def evolution(current: float | None, previous: float | None) -> str | None:
    if current is None or previous is None:
        return None
    if round(current, 2) > round(previous, 2):
        return "increase"
    if round(current, 2) < round(previous, 2):
        return "decrease"
    return "stable"


@dataclass
class TubeAnalysis:
    id: str
    title: str
    competence_index: str
    competence_name: str
    max_level: int
    average_level: float
    score: float
    label: str
    tutorials: list


@dataclass
class CompetenceAnalysis:
    id: str
    index: str
    name: str
    area_name: str
    total: int
    average_percentage: int


def analysis(campaign: Campaign) -> tuple[list[CompetenceAnalysis], list[TubeAnalysis], int]:
    """Collective results per competence and per tube over the shared participations,
    tubes ranked by recommendation (most recommended first), and how many were counted."""
    content, skills = campaign_skills(campaign)
    snapshots = list(
        current_participations(campaign)
        .filter(status=Participation.Status.SHARED)
        .values_list("snapshot", flat=True)
    )
    count = len(snapshots)
    competence_sum: dict[str, float] = defaultdict(float)
    tube_levels: dict[str, float] = defaultdict(float)
    tube_validated: dict[str, float] = defaultdict(float)
    for snapshot in snapshots:
        for competence_id, (validated, total) in (snapshot.get("competences") or {}).items():
            competence_sum[competence_id] += mastery_percentage(validated, total)
        for tube_id, values in (snapshot.get("tubes") or {}).items():
            tube_levels[tube_id] += values[0]
            tube_validated[tube_id] += values[2]
    groups = results_by(lambda s: s.competence_id, skills, {})
    competences = []
    for competence_id, group in groups.items():
        competence = content.get("competences", competence_id)
        area = content.get("areas", competence.area_id) if competence else None
        competences.append(
            CompetenceAnalysis(
                id=competence_id,
                index=competence.index if competence else "",
                name=competence.name if competence else competence_id,
                area_name=area.name if area else "",
                total=group.total,
                average_percentage=round(competence_sum[competence_id] / count) if count else 0,
            )
        )
    competences.sort(key=lambda line: competence_order(line.index))
    tube_stats = tube_results(skills, {})
    profile_max = max((t.max_level for t in tube_stats.values()), default=0)
    tubes = []
    for tube_id, stats in tube_stats.items():
        tube = content.get("tubes", tube_id)
        competence = content.get("competences", stats.competence_id)
        average_level = tube_levels[tube_id] / count if count else 0.0
        average_validated = tube_validated[tube_id] / count if count else 0.0
        next_level = min(stats.max_level, int(average_level) + 1)
        score = recommendation_score(
            reached_level=average_level,
            tube_max_level=stats.max_level,
            profile_max_level=profile_max,
            validated=average_validated,
            total=stats.total,
            next_level=next_level,
        )
        tube_skills = sorted(
            (s for s in skills if s.tube_id == tube_id), key=lambda s: (s.level, s.id)
        )
        tutorial_ids = []
        for skill in tube_skills:
            if skill.level >= next_level:
                tutorial_ids.extend(skill.tutorial_ids)
        tutorials = [
            t for t in (content.get("tutorials", i) for i in dict.fromkeys(tutorial_ids)) if t
        ][:3]
        tubes.append(
            TubeAnalysis(
                id=tube_id,
                title=(tube.title or tube.name) if tube else tube_id,
                competence_index=competence.index if competence else "",
                competence_name=competence.name if competence else "",
                max_level=stats.max_level,
                average_level=round(average_level, 1),
                score=round(score, 1),
                label=recommendation_label(score),
                tutorials=tutorials,
            )
        )
    tubes.sort(key=lambda t: (-t.score, t.competence_index, t.title))
    return competences, tubes, count


def can_view(user, campaign: Campaign) -> bool:
    return active_membership(user, campaign.organization) is not None
