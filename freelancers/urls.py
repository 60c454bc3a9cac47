from django.urls import path

from freelancers import views

app_name = "freelancers"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.detail, name="detail"),
]
