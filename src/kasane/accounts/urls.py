from django.urls import path

from kasane.accounts import two_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(next_page="accounts:login"), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("access-requests/", views.access_requests, name="access_requests"),
    path(
        "access-requests/<uuid:public_id>/",
        views.access_request_decide,
        name="access_request_decide",
    ),
    path("two-factor/", two_factor_views.status, name="two_factor"),
    path("two-factor/verify/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/enrol/", two_factor_views.enrol, name="two_factor_enrol"),
    path(
        "two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/new/",
        two_factor_views.recovery_codes_regenerate,
        name="two_factor_recovery_codes_regenerate",
    ),
]
