"""The need taxonomy is master data: administrators extend it; it holds no personal data."""

from django.contrib import admin

from kasane.accounts.admin import AdministratorOnly
from kasane.intake.models import NeedType


@admin.register(NeedType)
class NeedTypeAdmin(AdministratorOnly, admin.ModelAdmin[NeedType]):
    audit_values = True
    list_display = ["name", "code", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "sort_order", "is_active"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Consultations refer to their needs; retire a need with "active" instead.
        return False
