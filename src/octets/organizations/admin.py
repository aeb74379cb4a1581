from django.contrib import admin

from octets.organizations.models import Invitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    extra = 0
    raw_id_fields = ["user", "updated_by"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "external_id", "email", "is_managing_students", "archived_at"]
    list_filter = ["type", "is_managing_students"]
    search_fields = ["name", "external_id", "email"]
    inlines = [MembershipInline]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "last_sent_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__name"]
    exclude = ["code"]
