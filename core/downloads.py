"""Record who downloaded a file with personal data, when, with which filter and how many rows."""

from .models import DownloadRecord


def record_download(request, *, export: str, file_name: str, rows: int, filters: dict | None = None) -> DownloadRecord:
    """Keep one download; ``filters`` defaults to the request's query string (what narrowed the file)."""
    user = request.user if request.user.is_authenticated else None
    if filters is None:
        filters = {key: request.GET.getlist(key)[-1] for key in request.GET}
    return DownloadRecord.objects.create(
        user=user,
        actor=user.get_username() if user is not None else "",
        export=export,
        file_name=file_name[-255:],
        filters={key: str(value)[:200] for key, value in filters.items()},
        rows=rows,
    )
