"""The public catalogue of places to take part (参加支援カタログ): no login, no personal data."""

from django.urls import URLPattern, URLResolver, path

from kasane.participation.catalogue import views

app_name = "catalogue"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public_list, name="list"),
    path("<uuid:public_id>/", views.public_detail, name="detail"),
]
