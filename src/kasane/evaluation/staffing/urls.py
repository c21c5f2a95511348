"""URLs of the evaluation app's staffing pages (included by ``evaluation.urls``)."""

from django.urls import URLPattern, path

from kasane.evaluation.staffing import views

urlpatterns: list[URLPattern] = [
    path("", views.estimate, name="staffing"),
    path("assumptions/", views.assumptions_edit, name="staffing_assumptions"),
]
