"""URLs of the evaluation app's system pages (included by ``evaluation.urls``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
