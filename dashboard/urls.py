from django.urls import path

from . import excel_views, planning_views, views

app_name = "dashboard"
urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("manage/", views.admin_home, name="admin_home"),
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
