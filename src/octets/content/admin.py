"""Read-only admin for content releases: they are loaded with ``octets load-content``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from octets.content.models import ContentRelease
from octets.content.release import KIND_LABELS


@admin.register(ContentRelease)
class ContentReleaseAdmin(admin.ModelAdmin):
    list_display = ["version", "short_checksum", "created_at", "loaded_by", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["version", "checksum"]
    fields = ["version", "checksum", "created_at", "loaded_by", "is_current", "summary"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("loaded_by").defer("data")

    @admin.display(description=_("empreinte"))
    def short_checksum(self, obj: ContentRelease) -> str:
        return obj.checksum[:12]

    @admin.display(description=_("entités"))
    def summary(self, obj: ContentRelease) -> str:
        return ", ".join(f"{KIND_LABELS[kind]} : {count}" for kind, count in obj.counts().items())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
