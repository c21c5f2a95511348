"""評価: the dashboard, the logic model, the annual report, the self-assessment of the
support system with its PDCA records, and the staffing estimate."""

from django.urls import include, path

app_name = "evaluation"

urlpatterns = [
    path("", include("kasane.evaluation.dashboard_urls")),
    path("report/", include("kasane.evaluation.report_urls")),
    path("system/", include("kasane.evaluation.system_urls")),
    path("staffing/", include("kasane.evaluation.staffing_urls")),
]
