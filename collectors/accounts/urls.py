from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("two-step/", views.two_step_page, name="two_step"),
    path("two-step/verify/", views.two_step_verify, name="two_step_verify"),
]
