from django.urls import path

from . import views

app_name = "settlements"
urlpatterns = [
    path("lists/", views.list_page, name="lists"),
    path("lists/download.<slug:kind>", views.list_download, name="list_download"),
    path("lists/send/", views.list_send, name="list_send"),
    path("lists/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("lists/batches/<int:pk>/download.<slug:kind>", views.batch_download, name="batch_download"),
    path("receipts/", views.receipt_list, name="receipts"),
    path("receipts/<int:pk>/", views.receipt_print, name="receipt"),
    path("receipts/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:pk>/void/", views.receipt_void, name="receipt_void"),
    path("lists/batches/<int:pk>/reconcile/", views.batch_reconcile, name="batch_reconcile"),
    path("money/", views.money_page, name="money"),
    path("money.xlsx", views.money_xlsx, name="money_xlsx"),
    path("money/transfers/", views.transfer_create, name="transfer_create"),
    path("statements/", views.statement_page, name="statements"),
    path("statements/template.xlsx", views.statement_template, name="statement_template"),
    path("statements/uploads/<int:pk>/", views.statement_upload, name="statement_upload"),
    path("statements/uploads/<int:pk>/confirm/", views.statement_confirm, name="statement_confirm"),
    path("statements/uploads/<int:pk>/cancel/", views.statement_cancel, name="statement_cancel"),
]
