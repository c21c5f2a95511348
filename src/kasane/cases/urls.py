from django.urls import path

from kasane.cases import coordination_views, export_views, referral_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export.csv", views.case_list_csv, name="case_list_csv"),
    path("board/", coordination_views.board, name="board"),
    path("board/export.csv", export_views.board_csv, name="board_csv"),
    path("<uuid:public_id>/", views.case_detail, name="case_detail"),
    path("<uuid:public_id>/notes/new/", views.note_add, name="note_add"),
    path("<uuid:public_id>/referrals/new/", views.referral_add, name="referral_add"),
    path("<uuid:public_id>/coordination/", views.coordination_send, name="coordination_send"),
    path("<uuid:public_id>/handover/", views.handover_request, name="handover_request"),
    path("<uuid:public_id>/status/", views.status_change, name="status_change"),
    path("<uuid:public_id>/close/", views.case_close, name="case_close"),
    path("<uuid:public_id>/triage/", coordination_views.triage, name="triage"),
    path("<uuid:public_id>/accept/", coordination_views.accept, name="accept"),
    path("<uuid:public_id>/lead/", coordination_views.name_lead, name="name_lead"),
    path("referrals/<uuid:public_id>/", referral_views.referral_detail, name="referral_detail"),
    path("handovers/<uuid:public_id>/", referral_views.handover_answer, name="handover_answer"),
]
