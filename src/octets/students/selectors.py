"""Reads on pupils: the filtered, sorted list of a school, one pupil, classes, import history."""

import unicodedata

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower, Replace

from octets.accounts.models import AuthenticationMethod
from octets.students.models import LearnerImport, OrganizationLearner
from octets.students.permissions import imports_viewable_by, learners_viewable_by

LOGIN_METHODS = ("none", "username", "email", "gar")
SORTS = {
    "nom": ("sort_last", "sort_first", "id"),
    "-nom": ("-sort_last", "-sort_first", "-id"),
    "classe": ("division", "sort_last", "sort_first", "id"),
    "-classe": ("-division", "sort_last", "sort_first", "id"),
    "participations": ("participation_count", "sort_last", "sort_first", "id"),
    "-participations": ("-participation_count", "sort_last", "sort_first", "id"),
}
# Letters a name may hold and where they sort (the databases' own collations put "Élodie" and
# "Œuvray" after "Zoé": SQLite compares bytes, and PostgreSQL's depends on how it was set up).
FOLDED_LETTERS = (
    ("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ç", "c"), ("Ç", "c"),
    ("é", "e"), ("É", "e"), ("è", "e"), ("È", "e"), ("ê", "e"), ("Ê", "e"), ("ë", "e"),
    ("Ë", "e"), ("à", "a"), ("À", "a"), ("â", "a"), ("Â", "a"), ("ä", "a"), ("Ä", "a"),
    ("î", "i"), ("Î", "i"), ("ï", "i"), ("Ï", "i"), ("ô", "o"), ("Ô", "o"), ("ö", "o"),
    ("Ö", "o"), ("ù", "u"), ("Ù", "u"), ("û", "u"), ("Û", "u"), ("ü", "u"), ("Ü", "u"),
    ("ÿ", "y"), ("Ÿ", "y"), ("-", " "), ("'", " "),
)  # fmt: skip


def fold_name(value: str | None) -> str | None:
    """A name as the list sorts it, in Python (SQLite calls it): accents and ligatures folded,
    case ignored."""
    if value is None:
        return None
    for letter, folded in FOLDED_LETTERS:
        value = value.replace(letter, folded)
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()


class FoldedName(Func):
    """``fold_name`` in SQL: a Python function registered on SQLite connections (see
    ``StudentsConfig.ready``), nested REPLACE on PostgreSQL (no extension needed)."""

    function = "OCTETS_FOLD_NAME"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        expression = self.get_source_expressions()[0]
        for letter, folded in FOLDED_LETTERS:
            expression = Replace(expression, Value(letter), Value(folded))
        return compiler.compile(Lower(expression))


def sort_key(expression):
    return FoldedName(expression)


CERTIFIABILITY = ("oui", "non", "inconnu")


def _gar():
    return Exists(
        AuthenticationMethod.objects.filter(
            user_id=OuterRef("user_id"), provider=AuthenticationMethod.Provider.GAR
        )
    )


def _participations():
    """The pupil's current participations in campaigns that still exist."""
    from octets.campaigns.models import Participation

    return Participation.objects.filter(
        organization_learner_id=OuterRef("pk"),
        deleted_at__isnull=True,
        is_improved=False,
        campaign__deleted_at__isnull=True,
    )


def _participation_count():
    counted = (
        _participations()
        .order_by()
        .values("organization_learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _last_participation(field: str):
    return Subquery(_participations().order_by("-created_at", "-pk").values(field)[:1])


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
        .annotate(
            has_gar=_gar(),
            participation_count=_participation_count(),
            last_campaign_name=_last_participation("campaign__name"),
            last_campaign_type=_last_participation("campaign__type"),
            last_participation_status=_last_participation("status"),
            sort_last=sort_key(F("last_name")),
            sort_first=sort_key(F("first_name")),
        )
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


def participations_of_learner(learner: OrganizationLearner):
    """The pupil's participations (every sending), newest first, with their campaign."""
    from octets.campaigns.models import Participation

    return (
        Participation.objects.filter(
            organization_learner=learner,
            deleted_at__isnull=True,
            campaign__deleted_at__isnull=True,
        )
        .select_related("campaign")
        .order_by("-created_at", "-pk")
    )
