"""Kasane's URLs. Paths carry public ids only; personal data never goes in a query string."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kasane.accounts.views import notifications_read
from kasane.core.security import csp_report
from kasane.core.views import healthz

admin.site.site_header = "Kasane"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("csp-report/", csp_report, name="csp_report"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("accounts/", include("kasane.accounts.urls")),
    path("registry/", include("kasane.registry.urls")),
    path("intake/", include("kasane.intake.urls")),
    path("cases/", include("kasane.cases.urls")),
    path("meetings/", include("kasane.meetings.urls")),
    path("outreach/", include("kasane.outreach.urls")),
    path("participation/matching/", include("kasane.participation.matching.urls")),
    path("participation/", include("kasane.participation.catalogue.urls")),
    path("community/", include("kasane.community.urls")),
    path("catalogue/", include("kasane.participation.catalogue.public_urls")),
    path("plans/", include("kasane.plans.urls")),
    path("evaluation/", include("kasane.evaluation.urls")),
    path("privacy/audit/", include("kasane.audit.urls")),
    path("privacy/", include("kasane.privacy.urls")),
    path("api/v1/", include("kasane.api.urls")),
    path("admin/", admin.site.urls),
    path("", include("kasane.core.urls")),
]

handler400 = "kasane.core.errors.bad_request"
handler403 = "kasane.core.errors.permission_denied"
handler404 = "kasane.core.errors.page_not_found"
handler500 = "kasane.core.errors.server_error"
