from django.urls import path

from core.views import recruiter_required
from recruiting import views

app_name = "recruiting"
# Every page here is a recruiter's (`recruiter_required`).
urlpatterns = [
    path("search/", recruiter_required(views.search), name="search"),
    path("search/split/", recruiter_required(views.split), name="split"),
    path("resumes/<str:urn>/", recruiter_required(views.resume), name="resume"),
    path("contacts/", recruiter_required(views.contacts_choose), name="contacts"),
    path("contacts/open/", recruiter_required(views.contacts_open), name="contacts-open"),
    path("take/", recruiter_required(views.take_form), name="take-form"),
    path("take/create/", recruiter_required(views.take), name="take"),
    path("applications/", recruiter_required(views.applications), name="applications"),
    path(
        "applications/export.csv",
        recruiter_required(views.applications_export),
        name="applications-export",
    ),
    path("sites/", recruiter_required(views.sites), name="sites"),
    path("sites/<str:site>/connect/", recruiter_required(views.connect), name="connect"),
    path(
        "sites/<str:site>/callback/",
        recruiter_required(views.oauth_callback),
        name="oauth-callback",
    ),
    path("sites/<str:site>/disconnect/", recruiter_required(views.disconnect), name="disconnect"),
]
