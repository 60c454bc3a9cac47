"""Recruiting routes of the JSON API, included under /api/v1/ by `core.api.urls`."""

from django.urls import path

from recruiting.api import views

urlpatterns = [
    path("sites", views.SitesView.as_view(), name="sites"),
    path("search", views.SearchView.as_view(), name="search"),
    path("applications", views.ApplicationListView.as_view(), name="applications"),
    path("resumes/<str:urn>", views.ResumeView.as_view(), name="resume"),
    path("resumes/<str:urn>/contacts", views.ResumeContactsView.as_view(), name="resume-contacts"),
    path(
        "resumes/<str:urn>/applications",
        views.ResumeApplicationsView.as_view(),
        name="resume-applications",
    ),
]
