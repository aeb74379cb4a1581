from django.contrib import admin

from octets.students.models import CredentialAction, LearnerImport, OrganizationLearner


@admin.register(OrganizationLearner)
class OrganizationLearnerAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "division", "organization", "is_disabled")
    list_filter = ("is_disabled",)
    search_fields = ("last_name", "first_name", "national_student_id")
    raw_id_fields = ("organization", "user")


@admin.register(LearnerImport)
class LearnerImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "file_name", "status", "added_count")
    list_filter = ("status",)
    raw_id_fields = ("organization", "created_by", "confirmed_by")


@admin.register(CredentialAction)
class CredentialActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "action", "performed_by")
    raw_id_fields = ("organization", "learner", "account", "performed_by")
