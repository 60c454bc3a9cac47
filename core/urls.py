from django.urls import path

from core import views

urlpatterns = [
    path("", views.health, name="health"),
    path("jobs/<slug:job>/", views.health_job, name="health-job"),
]
