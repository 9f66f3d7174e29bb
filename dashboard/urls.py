from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("manage/", views.admin_home, name="admin_home"),
]
