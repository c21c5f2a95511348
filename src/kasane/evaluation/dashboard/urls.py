"""URLs of the evaluation dashboard, the logic model and the indicators."""

from django.urls import path

from kasane.evaluation.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("logic-model/", views.logic_model, name="logic_model"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
]
