"""見守り協定 are master data: administrators register each business's agreement."""

from django.contrib import admin

from kasane.accounts.admin import AdministratorOnly
from kasane.outreach.models import WatchAgreement


@admin.register(WatchAgreement)
class WatchAgreementAdmin(AdministratorOnly, admin.ModelAdmin[WatchAgreement]):
    audit_values = True
    list_display = ["agency", "kind", "agreed_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["agency__name"]
    fields = ["agency", "kind", "agreed_on", "ended_on"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Reports refer to the agreement under which they were filed: end it instead.
        return False
