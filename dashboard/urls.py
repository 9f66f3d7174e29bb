from django.urls import path

from . import excel_views, planning_views
from .views import admin_home, exports, province
from .views import agency as agency_views
from .views import audit as audit_views
from .views import fees as fee_views

app_name = "dashboard"
urlpatterns = [
    path("overview/", province.overview, name="overview"),
    path("overview/<slug:table>.xlsx", exports.province_export, name="province_export"),
    path("overview/offices/<str:code>/", province.office, name="office"),
    path("overview/offices/<str:code>/<slug:table>.xlsx", exports.office_export, name="office_export"),
    path("overview/communes/<str:code>/", province.commune, name="commune"),
    path("overview/communes/<str:code>/agencies.xlsx", exports.commune_export, name="commune_export"),
    path("overview/agencies/<str:code>/", province.agency, name="agency"),
    path("overview/agencies/<str:code>/<slug:table>.xlsx", exports.agency_export, name="agency_export"),
    path("my-agency/", agency_views.agency_home, name="agency_home"),
    # The monthly statement: settlements' fees and awards' prizes, composed here above both.
    path("fees/", fee_views.fee_page, name="fees"),
    path("fees.xlsx", fee_views.fee_xlsx, name="fees_xlsx"),
    path("my-agency/<slug:table>.xlsx", exports.my_agency_export, name="my_agency_export"),
    path("manage/", admin_home, name="admin_home"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/downloads/", audit_views.download_log, name="download_log"),
    path("imports/", excel_views.imports, name="imports"),
    path("imports/<str:kind>/", excel_views.import_upload, name="import_upload"),
    path("imports/<str:kind>/template.xlsx", excel_views.import_template, name="import_template"),
    path("import-records/<int:pk>/", excel_views.import_record, name="import_record"),
    path("import-records/<int:pk>/confirm/", excel_views.import_confirm, name="import_confirm"),
    path("import-records/<int:pk>/cancel/", excel_views.import_cancel, name="import_cancel"),
    path("import-records/<int:pk>/rejected.xlsx", excel_views.import_rejected, name="import_rejected"),
    path("reports/", excel_views.reports_page, name="reports"),
    path("reports/quota-attainment.xlsx", excel_views.report_attainment, name="report_attainment"),
    path("reports/coverage.xlsx", excel_views.report_coverage, name="report_coverage"),
    path("reports/enrollments.xlsx", excel_views.report_enrollments, name="report_enrollments"),
    path("planning/", planning_views.planning, name="planning"),
    path("planning/quotas.xlsx", planning_views.planning_download, name="planning_download"),
]
