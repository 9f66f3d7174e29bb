from django.urls import path

from . import views
from .renewals import views as renewals
from .renewals.renew import renew
from .views import field_app

app_name = "enrollments"
urlpatterns = [
    path("manifest.webmanifest", field_app.manifest, name="manifest"),
    path("sw.js", field_app.service_worker, name="service_worker"),
    path("enroll/field-kit.json", field_app.kit, name="field_kit"),
    path("enroll/", views.start, name="start"),
    path("enroll/bhyt/", views.enroll_bhyt, name="enroll_bhyt"),
    path("enroll/bhxh/", views.enroll_bhxh, name="enroll_bhxh"),
    path("enroll/lookup/<slug:product>/", views.lookup, name="lookup"),
    path("enroll/receipt/", views.receipt, name="receipt"),
    path("enrollments/", views.enrollment_list, name="list"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="detail"),
    path("enrollments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("enrollments/<int:pk>/gift/", views.hand_over_gift, name="gift"),
    path("renewals/", renewals.renewals, name="renewals"),
    path("renewals.xlsx", renewals.renewals_xlsx, name="renewals_xlsx"),
    path("renewals/contact/", renewals.mark_contacted, name="renewal_contact"),
    path("renewals/renew/", renew, name="renew"),
]
