"""URLs of the evaluation app's report pages (included by ``evaluation.urls``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
