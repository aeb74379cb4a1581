from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from octets.accounts.models import AuthenticationMethod, PersonalAccessToken, User


class AuthenticationMethodInline(admin.TabularInline):
    model = AuthenticationMethod
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "username", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "username", "first_name", "last_name"]
    list_filter = ["is_staff", "is_active"]
    inlines = [AuthenticationMethodInline]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "lang"]}),
        (
            "Statut",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "must_change_password",
                    "cgu_accepted_at",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "password1", "password2"]}),
    ]


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash"]
