from django.urls import URLPattern, URLResolver, path

from kasane.participation.catalogue import views

app_name = "participation"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.opportunity_list, name="opportunity_list"),
    path("new/", views.opportunity_create, name="opportunity_create"),
    path("import/", views.catalogue_import, name="catalogue_import"),
    path("export.<str:fmt>", views.catalogue_export, name="catalogue_export"),
    path("<uuid:public_id>/", views.opportunity_detail, name="opportunity_detail"),
    path("<uuid:public_id>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("<uuid:public_id>/checked/", views.opportunity_checked, name="opportunity_checked"),
]
