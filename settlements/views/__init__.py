from .declarations import batch_detail, batch_download, list_download, list_page, list_send

__all__ = ["batch_detail", "batch_download", "list_download", "list_page", "list_send"]
