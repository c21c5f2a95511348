"""Django's admin manages agencies and staff only — never households, persons or cases."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from kasane.accounts.models import Agency, Staff

admin.site.unregister(Group)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["name", "agency_type", "area", "confidentiality_basis", "is_active"]
    list_filter = ["agency_type", "is_active"]
    search_fields = ["name"]
    fields = [
        "name", "agency_type", "domains", "area",
        "confidentiality_basis", "confidentiality_note", "is_active",
    ]


@admin.register(Staff)
class StaffAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "display_name", "agency", "role", "is_active", "last_login"]
    list_filter = ["role", "agency", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Staff member"), {"fields": ("display_name", "email", "agency", "role")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "agency", "role", "password1", "password2"),
            },
        ),
    )
