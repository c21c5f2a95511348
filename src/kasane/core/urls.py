from django.urls import path

from kasane.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("functions/<slug:slug>/", views.function_pending, name="function_pending"),
]
