from django.urls import path

from recruiting import views

app_name = "recruiting"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/split/", views.split, name="split"),
    path("resumes/<str:urn>/", views.resume, name="resume"),
    path("contacts/", views.contacts_choose, name="contacts"),
    path("contacts/open/", views.contacts_open, name="contacts-open"),
    path("take/", views.take_form, name="take-form"),
    path("take/create/", views.take, name="take"),
    path("applications/", views.applications, name="applications"),
    path("applications/export.csv", views.applications_export, name="applications-export"),
    path("sites/", views.sites, name="sites"),
    path("sites/<str:site>/connect/", views.connect, name="connect"),
    path("sites/<str:site>/callback/", views.oauth_callback, name="oauth-callback"),
    path("sites/<str:site>/disconnect/", views.disconnect, name="disconnect"),
]
