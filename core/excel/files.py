"""The file as a whole: is it a spreadsheet, within the size limits, not a zip bomb; and its sheets."""

import io
import zipfile
import zlib
from collections.abc import Iterator

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from core.errors import DomainError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and password-protected .xlsx)
MAX_ZIP_MEMBERS = 2000


class SpreadsheetRefused(DomainError):
    """The file as a whole cannot be imported: nothing of it is read."""

    def __init__(self, messages):
        super().__init__({"file": messages if isinstance(messages, list) else [messages]})


def check_file(data: bytes, *, max_bytes: int, max_unpacked_bytes: int) -> None:
    """Refuse what is not a spreadsheet, is too large, or unpacks to far more than it should."""
    if len(data) > max_bytes:
        raise SpreadsheetRefused(too_large_message(len(data), max_bytes))
    if not data:
        raise SpreadsheetRefused(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        return
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetRefused(_not_a_spreadsheet())
    try:
        _check_archive(zipfile.ZipFile(io.BytesIO(data)), max_unpacked_bytes=max_unpacked_bytes)
    # zlib.error: a compressed part whose bytes were damaged (its CRC is checked only at its end).
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        KeyError,
        zlib.error,
    ) as exc:
        raise SpreadsheetRefused(_unreadable()) from exc


def _check_archive(archive: zipfile.ZipFile, *, max_unpacked_bytes: int) -> None:
    """An .xlsx, .xlsb or .ods zip whose contents, declared and real, stay within the limit."""
    members = archive.infolist()
    names = {member.filename for member in members}
    is_ods = "mimetype" in names and b"spreadsheet" in archive.read("mimetype")
    if not (is_ods or "xl/workbook.xml" in names or "xl/workbook.bin" in names):
        raise SpreadsheetRefused(_not_a_spreadsheet())
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > max_unpacked_bytes:
        raise SpreadsheetRefused(_too_much_inside(max_unpacked_bytes))
    # The sizes a zip declares can lie: count what really comes out, and stop at the limit.
    unpacked = 0
    for member in members:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                unpacked += len(chunk)
                if unpacked > max_unpacked_bytes:
                    raise SpreadsheetRefused(_too_much_inside(max_unpacked_bytes))


def too_large_message(size: int, limit: int) -> str:
    return _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
        "size": _megabytes(size),
        "limit": _megabytes(limit),
    }


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").replace(",0", "")


def _not_a_spreadsheet() -> str:
    return _("This file is not a spreadsheet. Upload an Excel file (.xlsx or .xls) or an OpenDocument sheet (.ods).")


def _unreadable() -> str:
    return _(
        "The spreadsheet could not be read: it may be damaged or protected by a password. "
        "Open it in Excel, save it as .xlsx without a password and upload it again."
    )


def _too_much_inside(limit: int) -> str:
    return _("This file unpacks to more than %(limit)s MB, which no spreadsheet of its size does; it was refused.") % {
        "limit": _megabytes(limit)
    }


def sheets(data: bytes) -> Iterator[tuple[str, list[list]]]:
    """Each sheet's cells, visible sheets first; rows and columns from A1, so indexes are Excel's."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except (CalamineError, ValueError, OSError) as exc:
        raise SpreadsheetRefused(_unreadable()) from exc
    order = sorted(range(len(metadata)), key=lambda i: metadata[i].visible != SheetVisibleEnum.Visible)
    for index in order:
        try:
            grid = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise SpreadsheetRefused(_unreadable()) from exc
        yield metadata[index].name, grid
