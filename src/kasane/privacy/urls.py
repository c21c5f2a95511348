from django.urls import path

from kasane.privacy import views

app_name = "privacy"

urlpatterns = [
    path("persons/<uuid:public_id>/consents/new/", views.consent_create, name="consent_create"),
    path("consents/<uuid:public_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path(
        "cases/<uuid:public_id>/break-glass/",
        views.break_glass_start,
        name="break_glass_start",
    ),
    path("break-glass/", views.break_glass_list, name="break_glass_list"),
    path(
        "break-glass/<uuid:public_id>/review/",
        views.break_glass_review,
        name="break_glass_review",
    ),
]
