"""Spreadsheets as people make them, built with openpyxl for the import tests.

``sheet_file`` writes rows from A1 (``None`` leaves a cell empty), merges ranges, adds
other sheets, and can store the values Excel computes for formula cells: openpyxl writes
formulas without their results, as Excel itself never would.
"""

import io
import re
import zipfile
from collections.abc import Sequence

import openpyxl

BANNER = [
    ["BẢO HIỂM XÃ HỘI TỈNH TÂY NINH", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    [None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    ["Tây Ninh, ngày 10 tháng 11 năm 2025"],
    [],
]
SIGNATURES = [[], [None, "NGƯỜI LẬP BIỂU", None, "GIÁM ĐỐC"], [], [None, "Nguyễn Thị Lập", None, "Trần Văn Duyệt"]]


def sheet_file(
    rows: Sequence[Sequence],
    *,
    title: str = "Dữ liệu",
    merge: Sequence[str] = (),
    before: Sequence[tuple[str, Sequence[Sequence]]] = (),
    after: Sequence[tuple[str, Sequence[Sequence]]] = (),
    cached: dict[str, object] | None = None,
) -> bytes:
    """An .xlsx whose sheet ``title`` holds ``rows``; ``before``/``after`` are other sheets (title, rows)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet_title, sheet_rows in [*before, (title, rows), *after]:
        sheet = workbook.create_sheet(sheet_title)
        for row in sheet_rows:
            sheet.append(list(row))
        if sheet_title == title:
            for cells in merge:
                sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if cached:
        data = with_cached_values(data, sheet_index=len(before) + 1, values=cached)
    return data


def with_cached_values(data: bytes, *, sheet_index: int, values: dict[str, object]) -> bytes:
    """Store a computed value beside each formula, as Excel does when it saves."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_name = f"xl/worksheets/sheet{sheet_index}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == target_name:
                xml = content.decode()
                for ref, value in values.items():
                    xml, found = re.subn(
                        rf'(<c r="{ref}"[^>]*>)<f>(.*?)</f><v\s*/>', rf"\1<f>\2</f><v>{value}</v>", xml, count=1
                    )
                    assert found, f"no formula in {ref}"
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def zip_bomb(*, unpacked: int, lie: bool = False) -> bytes:
    """A zip laid out like an .xlsx whose sheet unpacks to ``unpacked`` bytes of zeros.

    With ``lie`` the zip declares a tiny size for that member, as crafted bombs do.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * unpacked)
    data = out.getvalue()
    if lie:
        size = unpacked.to_bytes(4, "little")
        data = data.replace(size, (1000).to_bytes(4, "little"))
    return data


def far_cell(ref: str, rows: Sequence[Sequence] = (["Mã", "Số lượng"],), *, dimension: str | None = None) -> bytes:
    """A few kilobytes of .xlsx with ``rows`` from A1 and one more cell at ``ref`` (say XFD1048576).

    ``dimension`` replaces the size the sheet declares (``A1:B2`` to lie about a far cell).
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Dữ liệu"
    for row in rows:
        sheet.append(list(row))
    sheet[ref] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return data if dimension is None else declaring(data, dimension)


def declaring(data: bytes, dimension: str) -> bytes:
    """The same .xlsx whose sheet declares ``dimension`` (``A1:B2``) as its size, true or not."""
    return _rewrite_sheet(data, lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', xml))


def without_cell_references(data: bytes) -> bytes:
    """The same .xlsx with no ``r`` on rows and cells, as some writers save it: each follows the previous one."""
    return _rewrite_sheet(data, lambda xml: re.sub(r'(<(?:row|c)\b[^>]*?) r="[^"]*"', r"\1", xml))


def _rewrite_sheet(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def far_ods(*, rows: int, columns: int) -> bytes:
    """An OpenDocument sheet of a few hundred bytes: a header, then one cell ``rows`` down and ``columns`` across.

    The rows and cells between are "repeated" empties, which the reader expands into a grid.
    """
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Dữ liệu">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Mã</text:p></table:table-cell>'
        "</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows - 2}"><table:table-cell/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="{columns - 1}"/>'
        '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()
