from django.urls import path

from . import views

app_name = "collectors"
urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<str:code>/", views.agency_detail, name="agency_detail"),
    path("my-agency/details/", views.my_agency, name="my_agency"),
]
