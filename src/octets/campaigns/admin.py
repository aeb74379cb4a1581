"""The operator's console for target profiles (with their tubes, stages and badges) and a
read-only view of campaigns. Tubes and stages are checked with the same rules as the shipped
profile files, against the content in service."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from octets.campaigns.models import (
    Badge,
    BadgeCriterion,
    Campaign,
    CappedTube,
    Stage,
    TargetProfile,
)
from octets.campaigns.profiles import check_stages, check_tubes
from octets.content.selectors import NoContentLoaded, current_content


def _kept(formset):
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class CappedTubeFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        tubes = [{"id": row["tube_id"], "level": row["level"]} for row in _kept(self)]
        try:
            content = current_content()
        except NoContentLoaded as exc:
            raise ValidationError(str(exc)) from exc
        problems, caps = check_tubes("Profil", tubes, content)
        if not tubes:
            problems.append("Profil : aucun sujet")
        if problems:
            raise ValidationError(problems)
        self.instance._admin_max_cap = max(caps.values(), default=0)


class StageFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        stages = []
        for row in _kept(self):
            if row.get("is_first_skill"):
                continue
            stage = {"title": row.get("title"), "message": row.get("message")}
            if row.get("threshold") is not None:
                stage["threshold"] = row["threshold"]
            if row.get("level") is not None:
                stage["level"] = row["level"]
            stages.append(stage)
        max_cap = getattr(self.instance, "_admin_max_cap", 8)
        problems = check_stages("Paliers", stages, max_cap)
        if problems:
            raise ValidationError(problems)


class CappedTubeInline(admin.TabularInline):
    model = CappedTube
    formset = CappedTubeFormSet
    extra = 1


class StageInline(admin.StackedInline):
    model = Stage
    formset = StageFormSet
    extra = 0


class BadgeInline(admin.TabularInline):
    model = Badge
    fields = ("key", "title", "is_certifiable", "is_always_visible")
    show_change_link = True
    extra = 0


@admin.register(TargetProfile)
class TargetProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_public", "owner_organization", "is_outdated")
    list_filter = ("category", "is_public", "is_outdated")
    search_fields = ("name", "key")
    raw_id_fields = ("owner_organization",)
    filter_horizontal = ("shared_with",)
    readonly_fields = ("created_at",)
    # tubes first: the stages' levels are checked against the tubes' caps
    inlines = (CappedTubeInline, StageInline, BadgeInline)


class BadgeCriterionInline(admin.StackedInline):
    model = BadgeCriterion
    extra = 0


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "target_profile", "is_certifiable")
    search_fields = ("title", "key")
    raw_id_fields = ("target_profile",)
    inlines = (BadgeCriterionInline,)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organization", "type", "created_at", "archived_at")
    list_filter = ("type",)
    search_fields = ("name", "code")
    raw_id_fields = ("organization", "owner", "creator", "archived_by", "deleted_by")
    readonly_fields = ("code", "capped_tubes", "created_at")
