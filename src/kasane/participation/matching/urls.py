from django.urls import path

from kasane.participation.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.match_list, name="match_list"),
    path("export.csv", views.match_list_csv, name="match_list_csv"),
    path("persons/<uuid:public_id>/", views.person_matching, name="person"),
    path("persons/<uuid:public_id>/propose/", views.match_propose, name="propose"),
    path("matches/<uuid:public_id>/", views.match_detail, name="match_detail"),
    path("follow-ups/<uuid:public_id>/", views.follow_up_record, name="follow_up"),
    path("unmet-needs/", views.unmet_needs, name="unmet_needs"),
]
