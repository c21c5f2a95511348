from django.urls import path

from kasane.meetings import export_views, views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("export.csv", export_views.meeting_list_csv, name="meeting_list_csv"),
    path("new/", views.meeting_create, name="meeting_create"),
    path("<uuid:public_id>/", views.meeting_detail, name="meeting_detail"),
    path("<uuid:public_id>/attendees/", views.attendee_add, name="attendee_add"),
    path("<uuid:public_id>/attendees/<uuid:attendee_id>/pledge/", views.pledge, name="pledge"),
    path("<uuid:public_id>/agenda/new/", views.agenda_add, name="agenda_add"),
    path("items/<uuid:public_id>/", views.item_detail, name="item_detail"),
    path("items/<uuid:public_id>/print/", views.item_print, name="item_print"),
    path("cases/<uuid:public_id>/", views.case_meetings, name="case_meetings"),
]
