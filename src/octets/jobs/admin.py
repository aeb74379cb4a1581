from django.contrib import admin

from octets.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "attempts", "organization", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = ["payload", "result", "last_error"]
