"""Reads on pupils: the filtered, sorted list of a school, one pupil, classes, import history."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from octets.accounts.models import AuthenticationMethod
from octets.students.models import LearnerImport, OrganizationLearner
from octets.students.permissions import imports_viewable_by, learners_viewable_by

LOGIN_METHODS = ("none", "username", "email", "gar")
SORTS = {
    "nom": ("last_name", "first_name", "id"),
    "-nom": ("-last_name", "-first_name", "-id"),
    "classe": ("division", "last_name", "first_name", "id"),
    "-classe": ("-division", "last_name", "first_name", "id"),
}
CERTIFIABILITY = ("oui", "non", "inconnu")


def _gar():
    return Exists(
        AuthenticationMethod.objects.filter(
            user_id=OuterRef("user_id"), provider=AuthenticationMethod.Provider.GAR
        )
    )


def learners(
    *,
    viewer,
    organization,
    search: str = "",
    divisions=(),
    login_methods=(),
    certifiability=(),
    include_disabled: bool = False,
    sort: str = "nom",
) -> QuerySet[OrganizationLearner]:
    qs = (
        OrganizationLearner.objects.filter(learners_viewable_by(viewer), organization=organization)
        .select_related("user")
        .annotate(has_gar=_gar())
    )
    if not include_disabled:
        qs = qs.filter(is_disabled=False)
    for word in search.split():
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_last_name__icontains=word)
        )
    if divisions:
        qs = qs.filter(division__in=list(divisions))
    if login_methods:
        wanted = Q(pk__in=[])
        if "none" in login_methods:
            wanted |= Q(user__isnull=True) | Q(
                user__email__isnull=True, user__username__isnull=True, has_gar=False
            )
        if "username" in login_methods:
            wanted |= Q(user__username__isnull=False)
        if "email" in login_methods:
            wanted |= Q(user__email__isnull=False)
        if "gar" in login_methods:
            wanted |= Q(has_gar=True)
        qs = qs.filter(wanted)
    if certifiability:
        wanted = Q(pk__in=[])
        if "oui" in certifiability:
            wanted |= Q(is_certifiable=True)
        if "non" in certifiability:
            wanted |= Q(is_certifiable=False)
        if "inconnu" in certifiability:
            wanted |= Q(is_certifiable__isnull=True)
        qs = qs.filter(wanted)
    return qs.order_by(*SORTS.get(sort, SORTS["nom"]))


def learner(*, viewer, organization, learner_id) -> OrganizationLearner | None:
    return (
        learners(viewer=viewer, organization=organization, include_disabled=True)
        .filter(pk=learner_id)
        .first()
    )


def divisions(*, viewer, organization) -> list[str]:
    return list(
        OrganizationLearner.objects.filter(
            learners_viewable_by(viewer), organization=organization, is_disabled=False
        )
        .order_by("division")
        .values_list("division", flat=True)
        .distinct()
    )


def imports(*, viewer, organization) -> QuerySet[LearnerImport]:
    return LearnerImport.objects.filter(
        imports_viewable_by(viewer), organization=organization
    ).select_related("created_by")


def learner_import(*, viewer, organization, import_id) -> LearnerImport | None:
    return imports(viewer=viewer, organization=organization).filter(pk=import_id).first()


def login_methods_of(learner: OrganizationLearner) -> list[str]:
    """EMAIL / USERNAME / GAR, from the annotated list row (no query)."""
    account = learner.user
    if account is None:
        return []
    methods = []
    if account.email:
        methods.append("EMAIL")
    if account.username:
        methods.append("USERNAME")
    if getattr(learner, "has_gar", False):
        methods.append("GAR")
    return methods
