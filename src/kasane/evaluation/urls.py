"""評価: the dashboard, the logic model, the annual report, the self-assessment of the
support system with its PDCA records, and the staffing estimate."""

from django.urls import include, path

app_name = "evaluation"

urlpatterns = [
    path("", include("kasane.evaluation.dashboard.urls")),
    path("report/", include("kasane.evaluation.report.urls")),
    path("system/", include("kasane.evaluation.system.urls")),
    path("staffing/", include("kasane.evaluation.staffing.urls")),
]
