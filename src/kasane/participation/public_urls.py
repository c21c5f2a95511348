"""The public catalogue of places to take part (参加支援カタログ): no login, no personal data."""

from django.urls import URLPattern, URLResolver

app_name = "catalogue"

urlpatterns: list[URLPattern | URLResolver] = []
