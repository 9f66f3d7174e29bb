"""The receipt as a PDF file: what the print view shows, for sending or archiving without a browser.

fpdf2 writes it (pure Python, maintained, embeds a subset of a TrueType font). Neither it nor any
well-kept Python package ships a font with Vietnamese letters, so the font is the system's DejaVu
Sans (Debian's fonts-dejavu-core, ``settings.RECEIPT_FONT_DIR``); without it no PDF is made and the
page says so (the print view still works).
"""

import logging
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from campaign.templatetags.vn_format import vnd
from core.errors import DomainError

from ..models import Receipt

FONT = "ReceiptSans"
# fontTools narrates every font subset at INFO: not the app's log's business.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def font_files() -> tuple[Path, Path] | None:
    """The regular and bold font files, or None when they are not installed."""
    folder = Path(settings.RECEIPT_FONT_DIR)
    files = tuple(folder / name for name in settings.RECEIPT_FONT_FILES)
    return files if all(path.is_file() for path in files) else None  # type: ignore[return-value]


def _text(value) -> str:
    return unicodedata.normalize("NFC", str(value or ""))


class _Receipt(FPDF):
    def __init__(self, fonts: tuple[Path, Path]):
        super().__init__(orientation="P", unit="mm", format="A5")
        self.set_auto_page_break(auto=True, margin=12)
        self.set_margins(12, 12, 12)
        self.add_font(FONT, "", str(fonts[0]))
        self.add_font(FONT, "B", str(fonts[1]))
        self.set_title(_("Receipt"))

    def para(self, text: str, *, size: float = 10, bold: bool = False, align: str = "L", height: float = 5.5):
        self.set_font(FONT, "B" if bold else "", size)
        self.multi_cell(0, height, _text(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def pair(self, label: str, value: str):
        self.set_font(FONT, "", 10)
        self.cell(42, 5.5, _text(label))
        self.multi_cell(0, 5.5, _text(value), new_x="LMARGIN", new_y="NEXT")


def receipt_pdf(*, receipt: Receipt, enrollments: list, amount: int, amount_words: str, collector=None) -> bytes:
    """The receipt's PDF; ``enrollments`` carry ``shown`` (what the viewer may see of each person)."""
    fonts = font_files()
    if fonts is None:
        raise DomainError(
            _("The PDF cannot be made: the font %(font)s is not installed on the server. Use Print instead.")
            % {"font": "DejaVu Sans (fonts-dejavu-core)"}
        )
    pdf = _Receipt(fonts)
    pdf.add_page()
    agency = receipt.agency
    pdf.para(agency.name, bold=True)
    pdf.para(f"{_('Code')}: {agency.code}" + (f" · {agency.office.name}" if agency.office_id else ""), size=9)
    pdf.para(f"{_('Receipt number')}: {receipt.receipt_no}", bold=True, align="R")
    pdf.ln(2)
    pdf.para(_("RECEIPT FOR SOCIAL AND HEALTH INSURANCE CONTRIBUTIONS"), size=12, bold=True, align="C")
    issued = timezone.localtime(receipt.issued_at)
    pdf.para(_("Date %(day)s") % {"day": f"{issued:%d/%m/%Y}"}, size=9, align="C")
    if receipt.status == Receipt.Status.VOID:
        pdf.para(f"{_('VOID')}: {receipt.void_reason}", bold=True, align="C")
    pdf.ln(2)
    for enrollment in enrollments:
        pdf.pair(_("Full name"), enrollment.participant.full_name)
        pdf.pair(_("CCCD number"), enrollment.shown.cccd)
        product = enrollment.get_product_display()
        if enrollment.status == "cancelled":
            product += f" ({_('cancelled')})"
        pdf.pair(_("Product"), product)
        period = f"{enrollment.coverage_start:%d/%m/%Y}–{enrollment.coverage_end:%d/%m/%Y}"
        pdf.pair(_("Coverage period"), f"{period} ({enrollment.months} {_('months')})")
        pdf.pair(_("Amount"), vnd(enrollment.amount_payable))
        pdf.ln(1.5)
    pdf.para(f"{_('Total')}: {vnd(amount)}", size=11, bold=True)
    pdf.para(f"{_('In words')}: {amount_words}")
    pdf.ln(8)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 5.5, _text(_("Payer")), align="C")
    pdf.cell(width, 5.5, _text(_("Collection officer")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
    hint = f"({_('signature, full name')})"
    pdf.cell(width, 5, _text(hint), align="C")
    pdf.cell(width, 5, _text(hint), align="C", new_x="LMARGIN", new_y="NEXT")
    if collector is not None:
        pdf.ln(12)
        pdf.set_font(FONT, "", 10)
        pdf.cell(width, 5.5, "")
        pdf.cell(width, 5.5, _text(collector.name), align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
