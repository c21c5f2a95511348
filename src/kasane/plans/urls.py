from django.urls import path

from kasane.plans import plan_views, views

app_name = "plans"

urlpatterns = [
    path("cases/<uuid:public_id>/", views.case_plans, name="case_plans"),
    path(
        "cases/<uuid:public_id>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("cases/<uuid:public_id>/plans/new/", plan_views.plan_create, name="plan_create"),
    path("cases/<uuid:public_id>/reviews/new/", views.review_create, name="review_create"),
    path("cases/<uuid:public_id>/closure/", views.closure_create, name="closure_create"),
    path("assessments/<uuid:public_id>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:public_id>/print/", views.assessment_print, name="assessment_print"),
    path("<uuid:public_id>/", plan_views.plan_detail, name="plan_detail"),
    path("<uuid:public_id>/header/", plan_views.plan_header, name="plan_header"),
    path("<uuid:public_id>/goals/add/", plan_views.plan_goal_add, name="plan_goal_add"),
    path("<uuid:public_id>/goals/remove/", plan_views.plan_goal_remove, name="plan_goal_remove"),
    path("<uuid:public_id>/actions/add/", plan_views.plan_action_add, name="plan_action_add"),
    path(
        "<uuid:public_id>/actions/remove/", plan_views.plan_action_remove, name="plan_action_remove"
    ),
    path("<uuid:public_id>/approve/", plan_views.plan_approve, name="plan_approve"),
    path("<uuid:public_id>/print/", plan_views.plan_print, name="plan_print"),
    path("<uuid:public_id>/diff/", plan_views.plan_diff, name="plan_diff"),
    path("reviews/<uuid:public_id>/", views.review_detail, name="review_detail"),
]
