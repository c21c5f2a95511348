"""URLs of the evaluation app's report pages (included by ``evaluation.urls``)."""

from django.urls import URLPattern, path

from kasane.evaluation.report import views as report_views

urlpatterns: list[URLPattern] = [
    path("", report_views.annual_report, name="annual_report"),
    path("annual.xlsx", report_views.annual_report_xlsx, name="annual_report_xlsx"),
    path("cases.xlsx", report_views.annual_report_cases_xlsx, name="annual_report_cases_xlsx"),
]
