from django.urls import path

from kasane.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
    path("export.csv", views.consultation_list_csv, name="consultation_list_csv"),
    path("search/", views.search, name="search"),
    path("new/", views.record_new, name="record_new"),
    path(
        "households/<uuid:public_id>/new/", views.record_for_household, name="record_for_household"
    ),
    path("<uuid:public_id>/", views.consultation_detail, name="consultation_detail"),
    path("<uuid:public_id>/edit/", views.consultation_edit, name="consultation_edit"),
]
