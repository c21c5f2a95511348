from django.urls import path

from kasane.community import views

app_name = "community"

urlpatterns = [
    path("", views.area_view, name="area_view"),
    path("places/", views.place_list, name="place_list"),
    path("places/export.csv", views.place_list_csv, name="place_list_csv"),
    path("places/new/", views.place_create, name="place_create"),
    path("places/<uuid:public_id>/", views.place_detail, name="place_detail"),
    path("issues/", views.issues, name="issues"),
    path("issues/new/", views.issue_create, name="issue_create"),
    path("issues/<uuid:public_id>/", views.issue_detail, name="issue_detail"),
]
