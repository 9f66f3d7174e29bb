from .declarations import batch_detail, batch_download, list_download, list_page, list_send
from .receipts import receipt_list, receipt_print, receipt_void

__all__ = [
    "batch_detail",
    "batch_download",
    "list_download",
    "list_page",
    "list_send",
    "receipt_list",
    "receipt_print",
    "receipt_void",
]
