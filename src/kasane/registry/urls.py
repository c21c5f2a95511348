from django.urls import path

from kasane.privacy.views import consent_export
from kasane.registry import export_views, import_views, views

app_name = "registry"

urlpatterns = [
    path("search/", views.person_search, name="person_search"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:public_id>/", views.household_detail, name="household_detail"),
    path("households/<uuid:public_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<uuid:public_id>/members/new/", views.member_add, name="member_add"),
    path(
        "households/<uuid:public_id>/members/<uuid:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
    path("households/<uuid:public_id>/relations/new/", views.relation_add, name="relation_add"),
    path("persons/<uuid:public_id>/", views.person_detail, name="person_detail"),
    path("persons/<uuid:public_id>/edit/", views.person_edit, name="person_edit"),
    # The person's consent records (ISO/IEC TS 27560 JSON): the privacy module's download.
    path(
        "persons/<uuid:public_id>/consents.json",
        consent_export,
        name="person_consents_export",
    ),
    path("import/", import_views.resident_import_page, name="resident_import"),
    path("households/export.csv", export_views.household_list_csv, name="household_list_csv"),
]
