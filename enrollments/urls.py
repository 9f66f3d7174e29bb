from django.urls import path

from . import views
from .views import field_app

app_name = "enrollments"
urlpatterns = [
    path("manifest.webmanifest", field_app.manifest, name="manifest"),
    path("sw.js", field_app.service_worker, name="service_worker"),
    path("enroll/", views.start, name="start"),
    path("enroll/bhyt/", views.enroll_bhyt, name="enroll_bhyt"),
    path("enroll/bhxh/", views.enroll_bhxh, name="enroll_bhxh"),
    path("enroll/lookup/<slug:product>/", views.lookup, name="lookup"),
    path("enroll/receipt/", views.receipt, name="receipt"),
    path("enrollments/", views.enrollment_list, name="list"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="detail"),
    path("enrollments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrollments/<int:pk>/gift/", views.hand_over_gift, name="gift"),
]
