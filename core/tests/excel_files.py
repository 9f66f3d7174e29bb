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
