from .declarations import batch_detail, batch_download, list_download, list_page, list_send
from .money import batch_reconcile, money_page, money_xlsx, transfer_create
from .receipts import receipt_list, receipt_pdf, receipt_print, receipt_void
from .statements import statement_cancel, statement_confirm, statement_page, statement_template, statement_upload

__all__ = [
    "batch_detail",
    "batch_download",
    "batch_reconcile",
    "list_download",
    "list_page",
    "list_send",
    "money_page",
    "money_xlsx",
    "receipt_list",
    "receipt_pdf",
    "receipt_print",
    "receipt_void",
    "statement_cancel",
    "statement_confirm",
    "statement_page",
    "statement_template",
    "statement_upload",
    "transfer_create",
]
