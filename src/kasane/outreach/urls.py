from django.urls import path

from kasane.outreach import export_views, views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/mine/", views.my_reports, name="my_reports"),
    path("reports/mine/<uuid:public_id>/", views.my_report_detail, name="my_report_detail"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/export.csv", export_views.report_list_csv, name="report_list_csv"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report_detail"),
    path("reports/<uuid:public_id>/status/", views.report_status, name="report_status"),
    path("reports/<uuid:report_id>/target/", views.target_create, name="target_from_report"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/export.csv", views.target_list_csv, name="target_list_csv"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/<uuid:public_id>/", views.target_detail, name="target_detail"),
    path("targets/<uuid:public_id>/edit/", views.target_edit, name="target_edit"),
    path("targets/<uuid:public_id>/attempts/", views.attempt_add, name="attempt_add"),
    path("targets/<uuid:public_id>/stage/", views.stage_move, name="stage_move"),
    path("targets/<uuid:public_id>/close/", views.target_close, name="target_close"),
    path("targets/<uuid:public_id>/reopen/", views.target_reopen, name="target_reopen"),
    path("targets/<uuid:public_id>/case/", views.target_case, name="target_case"),
]
