from django.urls import path

from freelancers import views, views_cabinet

app_name = "freelancers"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("photos/<path:name>", views.photo, name="photo"),
    path("me/", views_cabinet.me, name="me"),
    path("me/card/", views_cabinet.card, name="me_card"),
    path("me/card/withdraw/", views_cabinet.withdraw, name="me_withdraw"),
]
