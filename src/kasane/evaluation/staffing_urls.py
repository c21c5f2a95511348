"""URLs of the evaluation app's staffing pages (included by ``evaluation.urls``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
