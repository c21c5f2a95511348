"""URLs of the evaluation app's system pages (included by ``evaluation.urls``): the
self-assessment of the support system and its PDCA records."""

from django.urls import URLPattern, path

from kasane.evaluation.system import views

urlpatterns: list[URLPattern] = [
    path("", views.assessment, name="self_assessment"),
    path("<int:fiscal_year>/", views.assessment, name="self_assessment_year"),
    path("<int:fiscal_year>/edit/", views.assessment_edit, name="self_assessment_edit"),
    path("pdca/", views.pdca_list, name="pdca_list"),
    path("pdca/new/", views.pdca_create, name="pdca_create"),
    path("pdca/<uuid:public_id>/", views.pdca_detail, name="pdca_detail"),
]
