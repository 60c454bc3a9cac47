"""Version 1 of the JSON API, mounted at /api/v1/ (apps add their routes here)."""

from django.urls import include, path

from core.api import views

app_name = "api"

urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("", include("recruiting.api_urls")),
]
