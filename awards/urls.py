from django.urls import path

from . import views
from .copy_views import copy_campaign_page

app_name = "awards"
urlpatterns = [
    path("rankings/", views.index, name="index"),
    path("rankings/live/", views.live, name="live"),
    path("rankings/live/export.xlsx", views.live_export, name="live_export"),
    path("rankings/weeks/<int:number>/", views.week_page, name="week"),
    path("rankings/final/", views.final_page, name="final"),
    path("rankings/compute/", views.compute, name="compute"),
    path("rankings/<int:pk>/", views.detail, name="detail"),
    path("rankings/<int:pk>/export.xlsx", views.export, name="export"),
    path("rankings/<int:pk>/publish/", views.publish, name="publish"),
    path("rankings/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("campaigns/copy/", copy_campaign_page, name="copy_campaign"),
]
