"""The auditor's pages, under ``/privacy/audit/`` where they have always been."""

from django.urls import path

from kasane.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("export/", views.audit_export, name="audit_export"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_review, name="alert_review"),
]
