from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from collectors.roles import ALL_ROLES, public, role_required
from config.api import api
from dashboard.views import home

admin.site.site_header = _("BHXH campaign administration")
admin.site.site_title = _("BHXH campaign")

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", public(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "accounts/password/",
        role_required(*ALL_ROLES)(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        role_required(*ALL_ROLES)(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("accounts/", include("collectors.accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("dashboard.urls")),
    path("", include("collectors.urls")),
    path("", include("enrollments.urls")),
    path("settlements/", include("settlements.urls")),
    path("", include("awards.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
